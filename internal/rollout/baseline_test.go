package rollout

import (
	"context"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
)

// The release as the wait after helm sees it: a backend Deployment still
// rolling out (not Current), its pod not ready, and a migration Job an
// earlier up left failed. Each case says which of them this upgrade
// touched; the rest were in the baseline taken before helm ran.
func TestWaitCurrentSkipsWhatTheUpgradeLeftUnchanged(t *testing.T) {
	mine := map[string]string{"app.kubernetes.io/instance": "todo"}
	podLabels := map[string]string{"app.kubernetes.io/instance": "todo", "app.kubernetes.io/component": "backend"}
	one := int32(1)
	dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "todo-backend", Namespace: "ns", Labels: mine, UID: "dep", Generation: 4},
		Spec:   appsv1.DeploymentSpec{Replicas: &one, Selector: &metav1.LabelSelector{MatchLabels: podLabels}},
		Status: appsv1.DeploymentStatus{ObservedGeneration: 4, Replicas: 1, UpdatedReplicas: 1}}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "todo-backend-x", Namespace: "ns", Labels: podLabels, UID: "pod"},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{Name: "backend"}}}}
	jobPodLabels := map[string]string{"app.kubernetes.io/instance": "todo", "batch.kubernetes.io/controller-uid": "job"}
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "todo-migrate", Namespace: "ns", Labels: mine, UID: "job", Generation: 1},
		Spec: batchv1.JobSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"batch.kubernetes.io/controller-uid": "job"}}},
		Status: batchv1.JobStatus{Failed: 1, Conditions: []batchv1.JobCondition{{Type: batchv1.JobFailed, Status: corev1.ConditionTrue,
			Reason: "BackoffLimitExceeded", Message: "Job has reached the specified backoff limit"}}}}
	jobPod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "todo-migrate-y", Namespace: "ns", Labels: jobPodLabels, UID: "jobpod"},
		Spec:   corev1.PodSpec{Containers: []corev1.Container{{Name: "migrate"}}},
		Status: corev1.PodStatus{Phase: corev1.PodFailed}}
	before := Baseline{"deployment/todo-backend": {UID: "dep", Generation: 4}, "job/todo-migrate": {UID: "job", Generation: 1}}

	tests := map[string]struct {
		baseline Baseline
		// touch changes the objects as this upgrade would have.
		touch func(d *appsv1.Deployment, j *batchv1.Job)
		// wantErr are the phrases the wait's error holds; none: no error.
		wantErr       []string
		wantUnchanged string
		wantWaited    int
	}{
		"nothing changed: nothing waited on, the earlier failed Job is history": {
			baseline: before, wantUnchanged: "deployment/todo-backend,job/todo-migrate",
		},
		"no baseline: everything is waited on, as before": {
			wantErr: []string{"deployment/todo-backend: InProgress", "job/todo-migrate: Failed", "pod/todo-backend-x: container backend not ready"},
		},
		"empty baseline (first install): everything is judged, the failed Job is this run's": {
			baseline: Baseline{},
			wantErr:  []string{"job/todo-migrate: JobFailed: BackoffLimitExceeded"},
		},
		"a new generation of the Deployment is waited on, with its pods": {
			baseline:      before,
			touch:         func(d *appsv1.Deployment, _ *batchv1.Job) { d.Generation, d.Status.ObservedGeneration = 5, 5 },
			wantErr:       []string{"deployment/todo-backend: InProgress", "pod/todo-backend-x: container backend not ready"},
			wantUnchanged: "job/todo-migrate",
		},
		"a Deployment replaced (a new UID) is waited on": {
			baseline:      before,
			touch:         func(d *appsv1.Deployment, _ *batchv1.Job) { d.UID = "dep2" },
			wantErr:       []string{"deployment/todo-backend: InProgress"},
			wantUnchanged: "job/todo-migrate",
		},
		"the Deployment ready again, the Job unchanged: done": {
			baseline: before,
			touch: func(d *appsv1.Deployment, _ *batchv1.Job) {
				d.Generation, d.Status = 5, appsv1.DeploymentStatus{ObservedGeneration: 5, Replicas: 1, UpdatedReplicas: 1, ReadyReplicas: 1, AvailableReplicas: 1,
					Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue}}}
			},
			wantUnchanged: "job/todo-migrate", wantWaited: 1,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			d, j := dep.DeepCopy(), job.DeepCopy()
			if tc.touch != nil {
				tc.touch(d, j)
			}
			objs := []runtime.Object{d, j, pod, jobPod}
			if strings.Contains(name, "ready again") {
				ready := pod.DeepCopy()
				ready.Status.ContainerStatuses[0].Ready = true
				objs[2] = ready
			}
			w := &Watcher{Client: fake.NewClientset(objs...), Namespace: "ns", Release: "todo", Baseline: tc.baseline}
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // one look: what is pending then is what a timeout would name
			err := w.WaitCurrent(ctx, &strings.Builder{})
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatalf("got %v, want no wait", err)
				}
			} else {
				if err == nil {
					t.Fatalf("no error, want one naming %q", tc.wantErr)
				}
				for _, want := range tc.wantErr {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q lacks %q", err, want)
					}
				}
			}
			if got := strings.Join(w.Unchanged(), ","); got != tc.wantUnchanged {
				t.Errorf("unchanged %q, want %q", got, tc.wantUnchanged)
			}
			if len(tc.wantErr) == 0 && w.Waited() != tc.wantWaited {
				t.Errorf("waited on %d, want %d", w.Waited(), tc.wantWaited)
			}
		})
	}
}

// The known defect: a migration Job that failed in an earlier up and is
// kept for its log made the wait after a later helm upgrade wait its whole
// --timeout (the Job is Failed, never Current). The baseline taken before
// helm holds it, so the wait skips it; a Job this upgrade made is judged.
func TestTakeBaselineMakesAnEarlierFailedJobHistory(t *testing.T) {
	mine := map[string]string{"app.kubernetes.io/instance": "todo"}
	failed := batchv1.JobStatus{Failed: 1, Conditions: []batchv1.JobCondition{{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded"}}}
	old := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "todo-migrate", Namespace: "ns", Labels: mine, UID: "old", Generation: 1}, Status: failed}
	other := old.DeepCopy()
	other.Name, other.UID, other.Labels = "other-migrate", "other", map[string]string{"app.kubernetes.io/instance": "other"}
	cs := fake.NewClientset(old, other)
	ctx := context.Background()
	b, err := TakeBaseline(ctx, cs, "ns", "todo")
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 1 || b["job/todo-migrate"] != (Version{UID: "old", Generation: 1}) {
		t.Fatalf("baseline %v, want this release's Job only", b)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	w := &Watcher{Client: cs, Namespace: "ns", Release: "todo", Baseline: b}
	if err := w.WaitCurrent(done, &strings.Builder{}); err != nil {
		t.Fatalf("the wait judged the earlier up's failed Job: %v", err)
	}

	// helm replaced it (before-hook-creation) and this run's Job failed.
	if err := cs.BatchV1().Jobs("ns").Delete(ctx, "todo-migrate", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	now := old.DeepCopy()
	now.UID = "new"
	if _, err := cs.BatchV1().Jobs("ns").Create(ctx, now, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	w = &Watcher{Client: cs, Namespace: "ns", Release: "todo", Baseline: b}
	err = w.WaitCurrent(done, &strings.Builder{})
	var f *Failure
	if err == nil || !asFailure(err, &f) || f.Object != "job/todo-migrate" {
		t.Fatalf("got %v, want this run's failed Job", err)
	}
}

func asFailure(err error, f **Failure) bool {
	x, ok := err.(*Failure)
	*f = x
	return ok
}
