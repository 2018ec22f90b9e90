package portforward

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func pod(name string, age time.Duration, ready, deleting bool) corev1.Pod {
	p := corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, CreationTimestamp: metav1.NewTime(time.Unix(1000, 0).Add(-age))},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "frontend", Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 3000}}}}},
		Status:     corev1.PodStatus{Phase: corev1.PodRunning},
	}
	st := corev1.ConditionFalse
	if ready {
		st = corev1.ConditionTrue
	}
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: st}}
	if deleting {
		p.DeletionTimestamp = &metav1.Time{Time: time.Unix(1000, 0)}
	}
	return p
}

// TestReadyPods: during a rollout the old pod is being deleted and the new
// one is not ready yet; only a ready pod not being deleted is a target.
func TestReadyPods(t *testing.T) {
	tests := map[string]struct {
		pods []corev1.Pod
		want []string
	}{
		"old deleting, new not ready": {[]corev1.Pod{pod("old", time.Hour, true, true), pod("new", time.Second, false, false)}, nil},
		"new ready first":             {[]corev1.Pod{pod("old", time.Hour, true, false), pod("new", time.Second, true, false)}, []string{"new", "old"}},
		"pending is skipped":          {[]corev1.Pod{func() corev1.Pod { p := pod("p", 0, true, false); p.Status.Phase = corev1.PodPending; return p }()}, nil},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var got []string
			for _, p := range readyPods(tt.pods) {
				got = append(got, p.Name)
			}
			if len(got) != len(tt.want) || (len(got) > 0 && got[0] != tt.want[0]) {
				t.Errorf("readyPods = %v; want %v", got, tt.want)
			}
		})
	}
}

func TestContainerPort(t *testing.T) {
	p := pod("p", 0, true, false)
	if port, err := containerPort(p, intstr.FromString("http")); err != nil || port != 3000 {
		t.Errorf("named port: %d, %v; want 3000", port, err)
	}
	if port, err := containerPort(p, intstr.FromInt32(7860)); err != nil || port != 7860 {
		t.Errorf("numbered port: %d, %v; want 7860", port, err)
	}
	if _, err := containerPort(p, intstr.FromString("metrics")); err == nil {
		t.Error("an unknown port name must be an error")
	}
}
