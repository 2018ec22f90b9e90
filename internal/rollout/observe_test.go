package rollout

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

// observe alone against client-go's fake clientset: the release's
// workloads with their kstatus, its running pods that are not ready, a
// failed Job with its pod's evidence, and every Warning event; another
// release's objects are not there.
func TestObserve(t *testing.T) {
	mine := map[string]string{"app.kubernetes.io/instance": "todo"}
	theirs := map[string]string{"app.kubernetes.io/instance": "other"}
	one := int32(1)
	dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "todo-backend", Namespace: "ns", Labels: mine, Generation: 1},
		Spec: appsv1.DeploymentSpec{Replicas: &one}, Status: appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 1, UpdatedReplicas: 1}}
	otherDep := dep.DeepCopy()
	otherDep.Name, otherDep.Labels = "other-backend", theirs
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "todo-migrate", Namespace: "ns", Labels: mine, Generation: 1},
		Status: batchv1.JobStatus{Failed: 1, Conditions: []batchv1.JobCondition{{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded", Message: "Job has reached the specified backoff limit"}}}}
	jobPod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "todo-migrate-abc", Namespace: "ns", Labels: map[string]string{"job-name": "todo-migrate"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "migrate"}}}, Status: corev1.PodStatus{Phase: corev1.PodFailed}}
	unready := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "todo-backend-x", Namespace: "ns", Labels: mine},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{Name: "backend"}}}}
	evt := &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "e1", Namespace: "ns"}, Type: "Warning", Reason: "BackoffLimitExceeded",
		Message: "Job has reached the specified backoff limit", InvolvedObject: corev1.ObjectReference{Kind: "Job", Name: "todo-migrate"}}

	w := &Watcher{Client: fake.NewClientset(dep, otherDep, job, jobPod, unready, evt), Namespace: "ns", Release: "todo"}
	s := w.observe(context.Background())

	if len(s.Workloads) != 2 || s.Workloads["deployment/todo-backend"].Status != status.InProgressStatus || s.Workloads["job/todo-migrate"].Status != status.FailedStatus {
		t.Errorf("workloads %+v, want this release's Deployment (InProgress) and Job (Failed)", s.Workloads)
	}
	if got := s.NotReady["pod/todo-backend-x"]; !strings.Contains(got, "backend not ready") || len(s.NotReady) != 1 {
		t.Errorf("not ready %q", s.NotReady)
	}
	f := s.Failure
	if f == nil || f.Object != "job/todo-migrate" || f.Reason != "JobFailed" || f.Container != "migrate" || len(f.Logs) == 0 {
		t.Fatalf("failure %+v, want the Job with its pod's container and log", f)
	}
	// The fake clientset ignores field selectors, so the event may come
	// back for the pod too: check the text, not the count.
	if len(f.Events) == 0 || f.Events[len(f.Events)-1] != "BackoffLimitExceeded: Job has reached the specified backoff limit" {
		t.Errorf("failure events %q", f.Events)
	}
	if len(s.Warnings) != 1 || s.Warnings[0].Name != "e1" {
		t.Errorf("warnings %v", s.Warnings)
	}
}

// A watcher that cannot connect watches nothing and returns at once: helm,
// running beside it, reports the unreachable cluster.
func TestWatcherWithoutCluster(t *testing.T) {
	w := &Watcher{Connect: func() (kubernetes.Interface, error) { return nil, errors.New("no cluster") }, Namespace: "ns", Release: "todo"}
	ctx := context.Background() // never canceled: Watch must not loop
	if err := w.Watch(ctx, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := w.Check(ctx, io.Discard); err != nil || w.Pending() != nil {
		t.Fatalf("check %v, pending %q", err, w.Pending())
	}
}
