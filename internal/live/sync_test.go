package live

import (
	"errors"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
)

func deployment(init ...corev1.Container) *appsv1.Deployment {
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "todo-backend", Namespace: "ns"}}
	d.Spec.Template.Spec.InitContainers = init
	return d
}

// TestStore: the snapshot goes to the ConfigMap the init container reads,
// made for the image the Deployment runs, labelled for down; a second sync
// replaces it.
func TestStore(t *testing.T) {
	seed := corev1.Container{Name: SeedContainer, Env: []corev1.EnvVar{{Name: BaseEnv, Value: "tag1"}}}
	cs := fake.NewClientset(deployment(seed))
	s := &Syncer{Client: cs, Namespace: "ns", Release: "todo", Remote: "/app/src"}
	for i, snap := range []*Snapshot{{Data: []byte("a"), Sum: "s1"}, {Data: []byte("b"), Sum: "s2"}} {
		r, err := s.Sync(t.Context(), snap) // no pod runs yet: nothing to exec
		if err != nil {
			t.Fatalf("sync %d: %v", i, err)
		}
		if len(r.Pods) != 0 {
			t.Errorf("sync %d reached pods %v, want none", i, r.Pods)
		}
		cm, err := cs.CoreV1().ConfigMaps("ns").Get(t.Context(), "todo-backend-live", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if cm.Data["base"] != "tag1" || cm.Data["sha"] != snap.Sum || string(cm.BinaryData["src.tgz"]) != string(snap.Data) {
			t.Errorf("sync %d: configmap %v %v", i, cm.Data, cm.BinaryData)
		}
		for k, v := range map[string]string{"app.kubernetes.io/instance": "todo", "app.kubernetes.io/name": "todo-app", "app.kubernetes.io/managed-by": "helm-todo"} {
			if cm.Labels[k] != v {
				t.Errorf("label %s = %q, want %q (down removes it by these)", k, cm.Labels[k], v)
			}
		}
	}
	if !s.Active() {
		t.Error("not active after a sync")
	}
	s.Reset()
	if s.Active() {
		t.Error("active after Reset")
	}
	if err := s.Remove(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(t.Context()); err != nil {
		t.Errorf("removing it twice: %v", err)
	}
}

func TestSyncNotLive(t *testing.T) {
	s := &Syncer{Client: fake.NewClientset(deployment()), Namespace: "ns", Release: "todo"}
	if _, err := s.Sync(t.Context(), &Snapshot{Sum: "s"}); !errors.Is(err, ErrNotLive) {
		t.Errorf("a backend without the seed container: %v, want ErrNotLive", err)
	}
}

func pod(uid string, running bool, seededWith string) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p-" + uid, UID: types.UID("u-" + uid)}}
	p.Spec.InitContainers = []corev1.Container{{Name: SeedContainer, Env: []corev1.EnvVar{{Name: BaseEnv, Value: "tag1"}}}}
	st := corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{}}
	if running {
		st = corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	}
	p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: Container, State: st}}
	if seededWith != "" {
		p.Status.InitContainerStatuses = []corev1.ContainerStatus{{Name: SeedContainer,
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Message: "seeded " + seededWith}}}}
	}
	return p
}

// TestReconcileNeedsNothing: the cases where a pod already holds the code
// (Reconcile would exec otherwise, which needs a real API server: the
// node suite covers it).
func TestReconcileNeedsNothing(t *testing.T) {
	s := &Syncer{Client: fake.NewClientset(), Namespace: "ns", Release: "todo"}
	if did, err := s.Reconcile(t.Context(), pod("a", true, "image")); did || err != nil {
		t.Errorf("no snapshot yet: synced %v, %v", did, err)
	}
	s.snap, s.snapFor = &Snapshot{Sum: "s1"}, "tag1"
	newImage := pod("f", true, "image")
	newImage.Spec.InitContainers[0].Env[0].Value = "tag2"
	for name, p := range map[string]*corev1.Pod{
		"not running yet":          pod("b", false, "image"),
		"seeded with the snapshot": pod("c", true, "s1"),
		// its image holds newer code than the snapshot made for tag1
		"a pod of another image": newImage,
	} {
		if did, err := s.Reconcile(t.Context(), p); did || err != nil {
			t.Errorf("%s: synced %v, %v; want nothing done", name, did, err)
		}
	}
	gone := pod("d", true, "image")
	gone.DeletionTimestamp = &metav1.Time{}
	if running(gone) {
		t.Error("a terminating pod counts as running")
	}
	if got := seeded(pod("e", true, "s9")); got != "s9" {
		t.Errorf("seeded = %q, want s9", got)
	}
}

// TestForeignConfigMapLeftAlone: a ConfigMap of the snapshot's name that
// helm-todo did not make is neither overwritten by a sync nor deleted.
func TestForeignConfigMapLeftAlone(t *testing.T) {
	seed := corev1.Container{Name: SeedContainer, Env: []corev1.EnvVar{{Name: BaseEnv, Value: "tag1"}}}
	foreign := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "todo-backend-live", Namespace: "ns"}, Data: map[string]string{"mine": "yes"}}
	cs := fake.NewClientset(deployment(seed), foreign)
	s := &Syncer{Client: cs, Namespace: "ns", Release: "todo", Remote: "/app/src"}
	_, err := s.Sync(t.Context(), &Snapshot{Data: []byte("a"), Sum: "s1"})
	if err == nil || !strings.Contains(err.Error(), "helm-todo did not make it") || !strings.Contains(err.Error(), "--no-live-update") {
		t.Errorf("sync over a foreign configmap: %v, want a refusal naming it with a fix", err)
	}
	if err := s.Remove(t.Context()); err != nil {
		t.Fatal(err)
	}
	cm, err := cs.CoreV1().ConfigMaps("ns").Get(t.Context(), "todo-backend-live", metav1.GetOptions{})
	if err != nil || cm.Data["mine"] != "yes" || len(cm.BinaryData) != 0 {
		t.Errorf("the foreign configmap after sync and remove: %v %v (err %v), want it untouched", cm.Data, cm.BinaryData, err)
	}
}
