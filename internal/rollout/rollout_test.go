package rollout

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

func waiting(name, reason, msg string) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: msg}}}
}

func TestPodProblem(t *testing.T) {
	tests := map[string]struct {
		pod        corev1.PodStatus
		wantReason string
		wantCont   string
		previous   bool
	}{
		"healthy": {pod: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{Name: "a", Ready: true}}}},
		"creating is not fatal": {
			pod: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{waiting("a", "ContainerCreating", "")}},
		},
		"crash loop": {
			pod:        corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{waiting("backend", "CrashLoopBackOff", "back-off 10s")}},
			wantReason: "CrashLoopBackOff", wantCont: "backend", previous: true,
		},
		"image pull": {
			pod:        corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{Name: "a", Ready: true}, waiting("b", "ImagePullBackOff", "")}},
			wantReason: "ImagePullBackOff", wantCont: "b",
		},
		"err image pull": {
			pod:        corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{waiting("b", "ErrImagePull", "")}},
			wantReason: "ErrImagePull", wantCont: "b",
		},
		"missing secret key, init first": {
			pod: corev1.PodStatus{
				InitContainerStatuses: []corev1.ContainerStatus{waiting("init", "CreateContainerConfigError", `couldn't find key X in Secret ns/todo-secrets`)},
				ContainerStatuses:     []corev1.ContainerStatus{waiting("main", "PodInitializing", "")},
			},
			wantReason: "CreateContainerConfigError", wantCont: "init",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := PodProblem(&corev1.Pod{Status: tc.pod})
			if tc.wantReason == "" {
				if got != nil {
					t.Fatalf("got %+v, want none", got)
				}
				return
			}
			if got == nil || got.Reason != tc.wantReason || got.Container != tc.wantCont || got.Previous != tc.previous {
				t.Fatalf("got %+v", got)
			}
		})
	}
}

func TestJobFailureAndCompute(t *testing.T) {
	j := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "todo-migrate", Generation: 1}}
	if failed, _ := JobFailure(j); failed {
		t.Fatal("new job reported failed")
	}
	j.Status.Conditions = []batchv1.JobCondition{{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded", Message: "Job has reached the specified backoff limit"}}
	failed, why := JobFailure(j)
	if !failed || !strings.HasPrefix(why, "BackoffLimitExceeded") {
		t.Fatalf("got %v %q", failed, why)
	}
	wl, err := Compute(j)
	if err != nil || wl.Status != status.FailedStatus || wl.Ref != "job/todo-migrate" {
		t.Fatalf("kstatus of a failed job: %+v %v", wl, err)
	}

	one := int32(1)
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "todo-backend", Generation: 2},
		Spec:   appsv1.DeploymentSpec{Replicas: &one},
		Status: appsv1.DeploymentStatus{ObservedGeneration: 2, Replicas: 1, UpdatedReplicas: 1}}
	if wl, _ := Compute(d); wl.Status != status.InProgressStatus {
		t.Fatalf("unavailable deployment: %+v", wl)
	}
	d.Status.ReadyReplicas, d.Status.AvailableReplicas = 1, 1
	d.Status.Conditions = []appsv1.DeploymentCondition{{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue}}
	if wl, _ := Compute(d); wl.Status != status.CurrentStatus {
		t.Fatalf("available deployment: %+v", wl)
	}
}

func TestNotReadyReason(t *testing.T) {
	p := &corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{Name: "a", Ready: true}, {Name: "b"}}}}
	if got := NotReadyReason(p); got != "container b not ready" {
		t.Errorf("got %q", got)
	}
	p.Status.ContainerStatuses[1].Ready = true
	if got := NotReadyReason(p); got != "" {
		t.Errorf("got %q", got)
	}
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "ReadinessProbeFailed", Message: "probe failing"}}
	if got := NotReadyReason(p); got != "not ready: ReadinessProbeFailed: probe failing" {
		t.Errorf("got %q", got)
	}
}

// The watch loop against client-go's fake clientset: a crash-looping pod
// stops it with the cause, its log lines and its Warning events.
func TestWatchFailsFastOnCrashLoop(t *testing.T) {
	labels := map[string]string{"app.kubernetes.io/instance": "todo"}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "todo-backend-abc", Namespace: "ns", Labels: labels},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "backend"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning,
			ContainerStatuses: []corev1.ContainerStatus{waiting("backend", "CrashLoopBackOff", "back-off 20s restarting failed container")}},
	}
	other := pod.DeepCopy()
	other.Name, other.Labels = "unrelated", map[string]string{"app.kubernetes.io/instance": "other"}
	other.Status.ContainerStatuses[0].Name = "x"
	evt := &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "e1", Namespace: "ns", CreationTimestamp: metav1.Now()}, Type: "Warning",
		Reason: "BackOff", Message: "Back-off restarting failed container", LastTimestamp: metav1.Now(),
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "todo-backend-abc"}}
	w := &Watcher{Client: fake.NewClientset(pod, other, evt), Namespace: "ns", Release: "todo"}
	var out bytes.Buffer
	err := w.Watch(context.Background(), &out)
	var f *Failure
	if !errors.As(err, &f) {
		t.Fatalf("got %v, want a Failure", err)
	}
	if f.Object != "pod/todo-backend-abc" || f.Container != "backend" || f.Reason != "CrashLoopBackOff" || f.Fix == "" {
		t.Errorf("failure = %+v", f)
	}
	if len(f.Logs) == 0 || len(f.Events) == 0 {
		t.Errorf("no evidence: logs %q events %q", f.Logs, f.Events)
	}
	for _, want := range []string{"!! pod/todo-backend-abc container backend: CrashLoopBackOff", "log lines of backend", "BackOff: Back-off restarting"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestWaitCurrentNamesWhatIsNotReady(t *testing.T) {
	labels := map[string]string{"app.kubernetes.io/instance": "todo"}
	one := int32(1)
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "todo-frontend", Namespace: "ns", Labels: labels, Generation: 1},
		Spec: appsv1.DeploymentSpec{Replicas: &one}, Status: appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 1, UpdatedReplicas: 1}}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "todo-frontend-x", Namespace: "ns", Labels: labels},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{Name: "frontend"}}}}
	w := &Watcher{Client: fake.NewClientset(d, pod), Namespace: "ns", Release: "todo"}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // one poll, then the deadline
	err := w.WaitCurrent(ctx, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "deployment/todo-frontend: InProgress") || !strings.Contains(err.Error(), "pod/todo-frontend-x: container frontend not ready") {
		t.Fatalf("got %v", err)
	}
}

// Poll by poll: Pending names what is not Current, a Warning event is
// printed once, and a done hook Job that helm deletes is reported as such
// rather than forgotten or left pending.
func TestPollPendingWarningsAndRemovedJob(t *testing.T) {
	labels := map[string]string{"app.kubernetes.io/instance": "todo"}
	one := int32(1)
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "todo-backend", Namespace: "ns", Labels: labels, Generation: 1},
		Spec: appsv1.DeploymentSpec{Replicas: &one}, Status: appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 1, UpdatedReplicas: 1}}
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "todo-migrate", Namespace: "ns", Labels: labels, Generation: 1},
		Status: batchv1.JobStatus{Succeeded: 1, Conditions: []batchv1.JobCondition{{Type: batchv1.JobComplete, Status: corev1.ConditionTrue}}}}
	evt := &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: "e1", Namespace: "ns", UID: "u1", CreationTimestamp: metav1.Now()}, Type: "Warning",
		Reason: "FailedScheduling", Message: "0/1 nodes are available", LastTimestamp: metav1.Now(),
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "todo-backend-x"}}
	cs := fake.NewClientset(d, job, evt)
	w := &Watcher{Client: cs, Namespace: "ns", Release: "todo"}
	w.init()
	ctx := context.Background()

	var first bytes.Buffer
	if f := w.poll(ctx, &first); f != nil {
		t.Fatal(f)
	}
	if p := strings.Join(w.Pending(), "|"); !strings.Contains(p, "deployment/todo-backend: InProgress") || strings.Contains(p, "job/") {
		t.Errorf("pending %q, want the Deployment only", p)
	}
	if !strings.Contains(first.String(), "warning: pod/todo-backend-x: FailedScheduling: 0/1 nodes are available") {
		t.Errorf("first poll lacks the warning:\n%s", first.String())
	}

	if err := cs.BatchV1().Jobs("ns").Delete(ctx, "todo-migrate", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	var second bytes.Buffer
	if f := w.poll(ctx, &second); f != nil {
		t.Fatal(f)
	}
	if strings.Contains(second.String(), "FailedScheduling") {
		t.Errorf("the same warning printed twice:\n%s", second.String())
	}
	if !strings.Contains(second.String(), "job/todo-migrate: done and removed by helm") {
		t.Errorf("second poll lacks the removed Job:\n%s", second.String())
	}
	if p := strings.Join(w.Pending(), "|"); strings.Contains(p, "job/") {
		t.Errorf("a removed Job is still pending: %q", p)
	}
}

// TestWaitCurrentNotDoneByACutLook: a look whose Job list failed (the
// deadline passing mid-look, an API error) saw no Job; the Job pending in
// the look before is not thereby done and removed, and the wait does not
// end as if all were ready.
func TestWaitCurrentNotDoneByACutLook(t *testing.T) {
	labels := map[string]string{"app.kubernetes.io/instance": "todo"}
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "todo-migrate", Namespace: "ns", Labels: labels, Generation: 1},
		Status: batchv1.JobStatus{Active: 1}}
	cs := fake.NewClientset(job)
	lists := 0
	cs.PrependReactor("list", "jobs", func(k8stesting.Action) (bool, runtime.Object, error) {
		if lists++; lists > 1 {
			return true, nil, errors.New("context deadline exceeded")
		}
		return false, nil, nil
	})
	w := &Watcher{Client: cs, Namespace: "ns", Release: "todo", Interval: time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := w.WaitCurrent(ctx, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "job/todo-migrate") {
		t.Fatalf("got %v, want not ready naming job/todo-migrate", err)
	}
}
