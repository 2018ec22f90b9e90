package rollout

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

func warning(uid, kind, name, reason string, at time.Time) corev1.Event {
	return corev1.Event{ObjectMeta: metav1.ObjectMeta{UID: types.UID("u-" + uid)}, Type: "Warning", Reason: reason, Message: "msg\nsecond line",
		LastTimestamp: metav1.NewTime(at), InvolvedObject: corev1.ObjectReference{Kind: kind, Name: name}}
}

// progress alone, snapshot by snapshot, with no cluster.
func TestProgress(t *testing.T) {
	now := time.Now()
	p := newProgress("todo", now.Add(-2*time.Second))
	dep := Workload{Ref: "deployment/todo-backend", Status: status.InProgressStatus, Message: "0 of 1 ready"}
	job := Workload{Ref: "job/todo-migrate", Status: status.CurrentStatus}
	stuck := Workload{Ref: "job/todo-other", Status: status.InProgressStatus}
	evt := warning("1", "Pod", "todo-backend-x", "FailedScheduling", now)

	steps := []struct {
		name    string
		snap    Snapshot
		want    []string // lines, exactly
		pending []string // exactly
	}{
		{name: "first look: every workload, new warnings of this release only",
			snap: Snapshot{
				Workloads: map[string]Workload{dep.Ref: dep, job.Ref: job, stuck.Ref: stuck},
				NotReady:  map[string]string{"pod/todo-backend-x": "container backend not ready"},
				Warnings: []corev1.Event{evt,
					warning("2", "Pod", "other-x", "BackOff", now),                  // another release
					warning("3", "Pod", "todo-old", "BackOff", now.Add(-time.Hour)), // history
				}},
			want: []string{"   " + dep.String(), "   " + job.String(), "   " + stuck.String(),
				"   warning: pod/todo-backend-x: FailedScheduling: msg second line"},
			pending: []string{dep.String(), stuck.String(), "pod/todo-backend-x: container backend not ready"},
		},
		{name: "nothing changed: nothing printed, a warning is printed once",
			snap: Snapshot{Workloads: map[string]Workload{dep.Ref: dep, job.Ref: job, stuck.Ref: stuck},
				NotReady: map[string]string{"pod/todo-backend-x": "container backend not ready"}, Warnings: []corev1.Event{evt}},
			pending: []string{dep.String(), stuck.String(), "pod/todo-backend-x: container backend not ready"},
		},
		{name: "helm removes the done hook Job and the stuck one: only the done one is reported, neither is pending",
			snap:    Snapshot{Workloads: map[string]Workload{dep.Ref: dep}},
			want:    []string{"   job/todo-migrate: done and removed by helm"},
			pending: []string{dep.String()},
		},
		{name: "a rollback deletes everything: the last picture stays pending, the failure is printed",
			snap:    Snapshot{Failure: &Failure{Object: "pod/todo-backend-x", Container: "backend", Reason: "CrashLoopBackOff", Logs: []string{"boom"}}},
			want:    []string{"   !! pod/todo-backend-x container backend: CrashLoopBackOff", "      last 1 log lines of backend:", "        | boom"},
			pending: []string{dep.String()},
		},
	}
	for _, st := range steps {
		got := p.update(st.snap)
		if strings.Join(got, "\n") != strings.Join(st.want, "\n") {
			t.Errorf("%s:\n got %q\nwant %q", st.name, got, st.want)
		}
		if strings.Join(p.pending(), "|") != strings.Join(st.pending, "|") {
			t.Errorf("%s: pending\n got %q\nwant %q", st.name, p.pending(), st.pending)
		}
	}
}

// progress keeps the Warning events it printed and each pod's claims, so
// causes explains a StatefulSet's unbound claim by name after a rollback
// deleted everything; events of a workload that became ready do not count.
func TestProgressCauses(t *testing.T) {
	now := time.Now()
	p := newProgress("todo", now.Add(-2*time.Second))
	pg := Workload{Ref: "statefulset/todo-postgres", Status: status.InProgressStatus, Message: "Ready: 0/1"}
	be := Workload{Ref: "deployment/todo-backend", Status: status.CurrentStatus}
	unbound := warning("1", "Pod", "todo-postgres-0", "FailedScheduling", now)
	unbound.Message = "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. not found"
	noClass := warning("2", "PersistentVolumeClaim", "data-todo-postgres-0", "ProvisioningFailed", now)
	noClass.Message = `storageclass.storage.k8s.io "none" not found`
	over := warning("3", "Pod", "todo-backend-x", "Unhealthy", now)
	p.update(Snapshot{Workloads: map[string]Workload{pg.Ref: pg, be.Ref: be}, Warnings: []corev1.Event{unbound, noClass, over},
		Claims: map[string][]string{"todo-postgres-0": {"data-todo-postgres-0"}}})
	p.update(Snapshot{}) // rolled back
	var got []string
	for _, c := range p.causes() {
		got = append(got, c.String()+" => "+c.Fix)
	}
	want := []string{
		"pod/todo-postgres-0: FailedScheduling: " + unbound.Message + " (PersistentVolumeClaim data-todo-postgres-0) => PersistentVolumeClaim data-todo-postgres-0 is not bound",
		"persistentvolumeclaim/data-todo-postgres-0: ProvisioningFailed: " + noClass.Message + " => StorageClass none does not exist",
	}
	if len(got) != len(want) {
		t.Fatalf("causes\n got %q\nwant %q", got, want)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("cause %d\n got %q\nwant %q...", i, got[i], want[i])
		}
	}
}
