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
	claimant := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "todo-postgres-0", Namespace: "ns", Labels: mine},
		Spec:   corev1.PodSpec{Volumes: []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "data-todo-postgres-0"}}}}},
		Status: corev1.PodStatus{Phase: corev1.PodPending}}
	evt := &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "e1", Namespace: "ns"}, Type: "Warning", Reason: "BackoffLimitExceeded",
		Message: "Job has reached the specified backoff limit", InvolvedObject: corev1.ObjectReference{Kind: "Job", Name: "todo-migrate"}}

	// The Job fails while the watcher watches (a Job already failed at its
	// first look is history: TestObserveIgnoresEarlierFailedJob).
	running := job.DeepCopy()
	running.Status = batchv1.JobStatus{Active: 1}
	cs := fake.NewClientset(dep, otherDep, running, jobPod, unready, claimant, evt)
	w := &Watcher{Client: cs, Namespace: "ns", Release: "todo"}
	if s := w.observe(context.Background()); s.Failure != nil {
		t.Fatalf("a running Job judged failed: %+v", s.Failure)
	}
	if _, err := cs.BatchV1().Jobs("ns").UpdateStatus(context.Background(), job, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
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
	if got := s.Claims["todo-postgres-0"]; len(s.Claims) != 1 || len(got) != 1 || got[0] != "data-todo-postgres-0" {
		t.Errorf("claims %q, want the StatefulSet pod's data-todo-postgres-0 only", s.Claims)
	}
}

// A failed hook Job kept from an earlier up is not this rollout's failure:
// judging it stopped every later up at once (seen on the real node). The
// Job helm makes for this run (a new UID) is judged.
func TestObserveIgnoresEarlierFailedJob(t *testing.T) {
	mine := map[string]string{"app.kubernetes.io/instance": "todo"}
	failed := batchv1.JobStatus{Failed: 1, Conditions: []batchv1.JobCondition{{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded", Message: "Job has reached the specified backoff limit"}}}
	old := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "todo-migrate", Namespace: "ns", Labels: mine, UID: "old"}, Status: failed}
	cs := fake.NewClientset(old)
	w := &Watcher{Client: cs, Namespace: "ns", Release: "todo"}
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if s := w.observe(ctx); s.Failure != nil {
			t.Fatalf("look %d: the earlier up's failed Job stopped this one: %+v", i+1, s.Failure)
		}
	}
	// helm replaces it (before-hook-creation) and this run's Job fails too.
	if err := cs.BatchV1().Jobs("ns").Delete(ctx, "todo-migrate", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	now := old.DeepCopy()
	now.UID = "new"
	if _, err := cs.BatchV1().Jobs("ns").Create(ctx, now, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if s := w.observe(ctx); s.Failure == nil || s.Failure.Object != "job/todo-migrate" {
		t.Fatalf("this run's failed Job was not judged: %+v", s.Failure)
	}

	// The same for a pod: one stuck in ImagePullBackOff from the earlier
	// up is history; a new pod crashing is this run's failure, even when
	// the first look found no pods at all.
	pull := corev1.ContainerStatus{Name: "migrate", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: "Back-off pulling image"}}}
	jobPod := map[string]string{"app.kubernetes.io/instance": "todo", "job-name": "todo-migrate"}
	stuck := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "todo-migrate-old", Namespace: "ns", Labels: jobPod, UID: "pod-old"},
		Status: corev1.PodStatus{Phase: corev1.PodPending, ContainerStatuses: []corev1.ContainerStatus{pull}}}
	w = &Watcher{Client: fake.NewClientset(stuck), Namespace: "ns", Release: "todo"}
	if s := w.observe(ctx); s.Failure != nil {
		t.Fatalf("the earlier up's stuck pod stopped this one: %+v", s.Failure)
	}
	cs = fake.NewClientset()
	w = &Watcher{Client: cs, Namespace: "ns", Release: "todo"}
	w.observe(ctx) // no pods yet
	fresh := stuck.DeepCopy()
	fresh.Name, fresh.UID = "todo-migrate-new", "pod-new"
	if _, err := cs.CoreV1().Pods("ns").Create(ctx, fresh, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if s := w.observe(ctx); s.Failure == nil || s.Failure.Object != "pod/todo-migrate-new" {
		t.Fatalf("this run's stuck pod was not judged: %+v", s.Failure)
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

// TestJobFailureEvidenceOutlivesHelm: helm may exit on the very failure the
// watcher is looking at, which cancels the watcher's context; the failed
// Job's log must still be fetched (it is what the user needs to read).
func TestJobFailureEvidenceOutlivesHelm(t *testing.T) {
	mine := map[string]string{"app.kubernetes.io/instance": "todo"}
	failed := batchv1.JobStatus{Failed: 1, Conditions: []batchv1.JobCondition{{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded"}}}
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "todo-migrate", Namespace: "ns", Labels: mine, UID: "j"}, Status: failed}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "todo-migrate-x", Namespace: "ns", UID: "p",
		Labels: map[string]string{"app.kubernetes.io/instance": "todo", "job-name": "todo-migrate"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "migrate"}}}}
	w := &Watcher{Client: fake.NewClientset(), Namespace: "ns", Release: "todo"}
	w.observe(context.Background()) // the first look: nothing failed yet
	w.Client = fake.NewClientset(job, pod)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // helm has just exited
	s := w.observe(ctx)
	if s.Failure == nil || s.Failure.Object != "job/todo-migrate" {
		t.Fatalf("failure: %+v, want job/todo-migrate", s.Failure)
	}
	if strings.Join(s.Failure.Logs, "\n") != "fake logs" {
		t.Errorf("logs of the failed Job's pod: %q, want the container's log", s.Failure.Logs)
	}
}
