package up

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/helm-todo/helm-todo/internal/rollout"
)

// The wait after helm, with the baseline the deploy step takes before it:
// a migration Job an earlier up left failed (kept for its log) used to
// hold the wait for its whole --timeout, and then fail the up. Now it is
// history, like the Deployment this upgrade did not change; a Deployment
// it did change is still waited on.
func TestWaitStepSkipsWhatTheUpgradeDidNotChange(t *testing.T) {
	mine := map[string]string{"app.kubernetes.io/instance": "todo"}
	one := int32(1)
	ready := appsv1.DeploymentStatus{ObservedGeneration: 2, Replicas: 1, UpdatedReplicas: 1, ReadyReplicas: 1, AvailableReplicas: 1,
		Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue}}}
	dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "todo-backend", Namespace: "todo-app", Labels: mine, UID: "d", Generation: 2},
		Spec: appsv1.DeploymentSpec{Replicas: &one}, Status: ready}
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "todo-migrate", Namespace: "todo-app", Labels: mine, UID: "j", Generation: 1},
		Status: batchv1.JobStatus{Failed: 1, Conditions: []batchv1.JobCondition{{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded"}}}}

	tests := map[string]struct {
		// upgrade is what helm did between the baseline and the wait.
		upgrade  func(ctx context.Context, cs kubernetes.Interface) error
		wantErr  string
		wantLine string
	}{
		"no change": {
			wantLine: "no workload changed in this upgrade, none waited on (deployment/todo-backend, job/todo-migrate)",
		},
		"the backend rolled out and is ready": {
			upgrade: func(ctx context.Context, cs kubernetes.Interface) error {
				d := dep.DeepCopy()
				d.Generation, d.Status.ObservedGeneration = 3, 3
				_, err := cs.AppsV1().Deployments("todo-app").Update(ctx, d, metav1.UpdateOptions{})
				return err
			},
			wantLine: "the workloads this upgrade changed are Current (1); unchanged, not waited on: job/todo-migrate",
		},
		"the backend's new generation is not ready": {
			upgrade: func(ctx context.Context, cs kubernetes.Interface) error {
				d := dep.DeepCopy()
				d.Generation, d.Status = 3, appsv1.DeploymentStatus{ObservedGeneration: 3, Replicas: 1, UpdatedReplicas: 1}
				_, err := cs.AppsV1().Deployments("todo-app").Update(ctx, d, metav1.UpdateOptions{})
				return err
			},
			wantErr: "deployment/todo-backend: InProgress",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			cs := fake.NewClientset(dep.DeepCopy(), job.DeepCopy())
			o := opts(map[string]string{"OPENROUTER_API_KEY": "x"})
			o.Client = func() (kubernetes.Interface, error) { return cs, nil }
			// A deadline already past: the wait gets one look, and what is
			// pending then fails it (before the baseline, the failed Job
			// failed every case here).
			o.WaitTimeout = time.Nanosecond
			before := takeBaseline(ctx, o)
			if len(before) != 2 {
				t.Fatalf("baseline %v, want the Deployment and the Job", before)
			}
			if tc.upgrade != nil {
				if err := tc.upgrade(ctx, cs); err != nil {
					t.Fatal(err)
				}
			}
			var out bytes.Buffer
			err := waitStep(o, &before).Run(ctx, &out)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "job/") {
					t.Fatalf("got %v, want an error naming %q and not the earlier Job", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v, want no wait", err)
			}
			if got := strings.TrimSpace(out.String()); got != tc.wantLine {
				t.Errorf("said %q, want %q", got, tc.wantLine)
			}
		})
	}
}

// Without a baseline (the list before helm failed) the wait judges every
// workload, as it did before baselines.
func TestWaitStepWithoutBaselineWaitsOnAll(t *testing.T) {
	mine := map[string]string{"app.kubernetes.io/instance": "todo"}
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "todo-migrate", Namespace: "todo-app", Labels: mine, UID: "j"},
		Status: batchv1.JobStatus{Conditions: []batchv1.JobCondition{{Type: batchv1.JobFailed, Status: corev1.ConditionTrue}}}}
	cs := fake.NewClientset(job)
	o := opts(map[string]string{"OPENROUTER_API_KEY": "x"})
	o.Client = func() (kubernetes.Interface, error) { return cs, nil }
	o.WaitTimeout = time.Nanosecond
	var none rollout.Baseline
	if err := waitStep(o, &none).Run(context.Background(), &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "job/todo-migrate") {
		t.Fatalf("got %v, want the failed Job named", err)
	}
}
