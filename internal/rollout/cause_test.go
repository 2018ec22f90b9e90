package rollout

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func causeEvent(kind, name, reason, msg string) corev1.Event {
	return corev1.Event{Type: corev1.EventTypeWarning, Reason: reason, Message: msg,
		InvolvedObject: corev1.ObjectReference{Kind: kind, Name: name}}
}

// The messages are real: the first two were recorded from the e2e
// control plane's scheduler and PV controller, the others are the texts
// kube-scheduler, the kubelet and the controllers print.
func TestCauses(t *testing.T) {
	unbound := causeEvent("Pod", "todo-postgres-0", "FailedScheduling", "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. not found")
	for _, tc := range []struct {
		name    string
		events  []corev1.Event
		pending []string
		claims  map[string][]string
		want    []string // per cause: substrings of String() then of Fix
	}{
		{
			name:    "unbound claim, named from the pod's volumes",
			events:  []corev1.Event{unbound},
			pending: []string{"todo-postgres"},
			claims:  map[string][]string{"todo-postgres-0": {"data-todo-postgres-0"}},
			want: []string{"pod/todo-postgres-0: FailedScheduling: 0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. not found (PersistentVolumeClaim data-todo-postgres-0)",
				"PersistentVolumeClaim data-todo-postgres-0 is not bound: give the cluster a default StorageClass", "a free PersistentVolume", "DATABASE_URL"},
		},
		{
			name:    "missing StorageClass, on the StatefulSet's claim",
			events:  []corev1.Event{causeEvent("PersistentVolumeClaim", "data-todo-postgres-0", "ProvisioningFailed", `storageclass.storage.k8s.io "fixes-none" not found`)},
			pending: []string{"todo-postgres"},
			want:    []string{"persistentvolumeclaim/data-todo-postgres-0: ProvisioningFailed", "StorageClass fixes-none does not exist"},
		},
		{
			name: "insufficient cpu and memory, one cause for two pods",
			events: []corev1.Event{
				causeEvent("Pod", "todo-backend-5b57fff47f-4v9cn", "FailedScheduling", "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."),
				causeEvent("Pod", "todo-backend-5b57fff47f-x2x7q", "FailedScheduling", "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."),
			},
			pending: []string{"todo-backend"},
			want:    []string{"pod/todo-backend-5b57fff47f-4v9cn, pod/todo-backend-5b57fff47f-x2x7q: FailedScheduling", "no node has the cpu and memory the pod requests free", "resources.requests"},
		},
		{
			name:    "missing Secret",
			events:  []corev1.Event{causeEvent("Pod", "todo-backend-5b57fff47f-4v9cn", "FailedMount", `MountVolume.SetUp failed for volume "secrets" : secret "todo-secrets" not found`)},
			pending: []string{"todo-backend"},
			want:    []string{"FailedMount: MountVolume.SetUp failed", "Secret todo-secrets does not exist in the namespace"},
		},
		{
			name:    "missing ConfigMap",
			events:  []corev1.Event{causeEvent("Pod", "todo-frontend-7d4b9c-abcde", "FailedMount", `MountVolume.SetUp failed for volume "config" : configmap "todo-frontend-config" not found`)},
			pending: []string{"todo-frontend"},
			want:    []string{"FailedMount", "ConfigMap todo-frontend-config does not exist"},
		},
		{
			name:    "quota, on the ReplicaSet",
			events:  []corev1.Event{causeEvent("ReplicaSet", "todo-backend-5b57fff47f", "FailedCreate", `Error creating: pods "todo-backend-5b57fff47f-4v9cn" is forbidden: exceeded quota: small, requested: cpu=250m, used: cpu=0, limited: cpu=100m`)},
			pending: []string{"todo-backend"},
			want:    []string{"replicaset/todo-backend-5b57fff47f: FailedCreate", "ResourceQuota is used up"},
		},
		{
			name:    "readiness probe",
			events:  []corev1.Event{causeEvent("Pod", "todo-backend-5b57fff47f-4v9cn", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503")},
			pending: []string{"todo-backend-5b57fff47f-4v9cn"},
			want:    []string{"Unhealthy: Readiness probe failed", "a probe keeps failing"},
		},
		{
			name:    "an unknown reason is carried, with no fix of its own",
			events:  []corev1.Event{causeEvent("Pod", "todo-backend-5b57fff47f-4v9cn", "SomethingNew", "it broke")},
			pending: []string{"todo-backend"},
			want:    []string{"SomethingNew: it broke", ""},
		},
		{
			name: "a warning a ready workload got over is left out",
			events: []corev1.Event{
				causeEvent("Pod", "todo-frontend-7d4b9c-abcde", "Unhealthy", "Readiness probe failed: connection refused"),
				unbound,
			},
			pending: []string{"todo-postgres"},
			want:    []string{"pod/todo-postgres-0: FailedScheduling", "is not bound"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Causes(tc.events, tc.pending, tc.claims)
			if len(got) != 1 {
				t.Fatalf("%d causes, want 1: %+v", len(got), got)
			}
			line, fix := got[0].String(), got[0].Fix
			if !strings.Contains(line, tc.want[0]) {
				t.Errorf("cause %q lacks %q", line, tc.want[0])
			}
			for _, w := range tc.want[1:] {
				if w == "" && fix != "" || !strings.Contains(fix, w) {
					t.Errorf("fix %q, want it to contain %q", fix, w)
				}
			}
		})
	}
}

func TestOfRelease(t *testing.T) {
	for _, tc := range []struct {
		kind, name string
		want       bool
	}{
		{"Pod", "todo-backend-5b57fff47f-4v9cn", true},
		{"PersistentVolumeClaim", "data-todo-postgres-0", true},
		{"Pod", "data-todo-postgres-0", false},
		{"Pod", "other-backend-1", false},
	} {
		if got := ofRelease(corev1.ObjectReference{Kind: tc.kind, Name: tc.name}, "todo"); got != tc.want {
			t.Errorf("%s %s: %v, want %v", tc.kind, tc.name, got, tc.want)
		}
	}
}
