package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/helm-todo/helm-todo/test/e2e/cluster"
)

// restrictedPod is a two-container pod that Pod Security `restricted`
// admits, with the given annotations.
func restrictedPod(name string, annotations map[string]string) *corev1.Pod {
	sc := &corev1.SecurityContext{
		AllowPrivilegeEscalation: new(false),
		RunAsNonRoot:             new(true),
		RunAsUser:                new(int64(1000)),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: annotations},
		Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyNever,
			Containers: []corev1.Container{
				{Name: "app", Image: "example/app:1", SecurityContext: sc},
				{Name: "sidecar", Image: "example/sidecar:1", SecurityContext: sc},
			},
		},
	}
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// TestClusterStages checks the kwok stages in test/cluster/kwokctl.yaml
// that the scenarios and other e2e tests rely on.
func TestClusterStages(t *testing.T) {
	f := setup(t, "e2e-stages")
	ctx := t.Context()
	pods := f.c.Client.CoreV1().Pods(f.ns)
	for _, p := range []*corev1.Pod{
		restrictedPod("unready", map[string]string{"helm-todo.test/unready": "true"}),
		restrictedPod("fail", map[string]string{"helm-todo.test/fail": "true"}),
		restrictedPod("plain", nil),
	} {
		if _, err := pods.Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create pod %s: %v", p.Name, err)
		}
	}
	get := func(ctx context.Context, name string) (*corev1.Pod, error) {
		return pods.Get(ctx, name, metav1.GetOptions{})
	}

	cluster.Eventually(t, 60*time.Second, "pod plain to run and be Ready", func(ctx context.Context) (bool, string, error) {
		p, err := get(ctx, "plain")
		if err != nil {
			return false, "", err
		}
		return p.Status.Phase == corev1.PodRunning && podReady(p), string(p.Status.Phase), nil
	})
	plain, err := get(ctx, "plain")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(plain.Status.ContainerStatuses); n != 2 {
		t.Errorf("pod plain has %d container statuses, want one per container (2)", n)
	}
	for _, cs := range plain.Status.ContainerStatuses {
		if !cs.Ready || cs.State.Running == nil {
			t.Errorf("pod plain container %s: ready=%v state=%+v, want running and ready", cs.Name, cs.Ready, cs.State)
		}
	}

	cluster.Eventually(t, 60*time.Second, "pod fail to fail", func(ctx context.Context) (bool, string, error) {
		p, err := get(ctx, "fail")
		if err != nil {
			return false, "", err
		}
		return p.Status.Phase == corev1.PodFailed, string(p.Status.Phase), nil
	})
	failed, err := get(ctx, "fail")
	if err != nil {
		t.Fatal(err)
	}
	for _, cs := range failed.Status.ContainerStatuses {
		if cs.State.Terminated == nil || cs.State.Terminated.ExitCode != 1 {
			t.Errorf("pod fail container %s: state %+v, want terminated with exit code 1", cs.Name, cs.State)
		}
	}

	cluster.Eventually(t, 60*time.Second, "pod unready to run", func(ctx context.Context) (bool, string, error) {
		p, err := get(ctx, "unready")
		if err != nil {
			return false, "", err
		}
		return p.Status.Phase == corev1.PodRunning, string(p.Status.Phase), nil
	})
	// "Never Ready" without a sleep: pod-ready only takes Pending pods, so
	// once this pod runs no stage can make it Ready any more.
	unready, err := get(ctx, "unready")
	if err != nil {
		t.Fatal(err)
	}
	if podReady(unready) {
		t.Errorf("pod unready is Ready")
	}
	for _, cs := range unready.Status.ContainerStatuses {
		if cs.Ready || cs.State.Running == nil {
			t.Errorf("pod unready container %s: ready=%v state=%+v, want running and not ready", cs.Name, cs.Ready, cs.State)
		}
	}

	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "lb"},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeLoadBalancer,
			Selector: map[string]string{"app": "none"},
			Ports:    []corev1.ServicePort{{Port: 80}},
		},
	}
	if _, err := f.c.Client.CoreV1().Services(f.ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create service lb: %v", err)
	}
	cluster.Eventually(t, 60*time.Second, "service lb to get a load-balancer address", func(ctx context.Context) (bool, string, error) {
		s, err := f.c.Client.CoreV1().Services(f.ns).Get(ctx, "lb", metav1.GetOptions{})
		if err != nil {
			return false, "", err
		}
		ing := s.Status.LoadBalancer.Ingress
		return len(ing) == 1 && ing[0].IP == "127.0.0.1", fmt.Sprintf("%+v", ing), nil
	})
}
