package lease

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

// signalWriter closes wrote on the first write.
type signalWriter struct {
	once  sync.Once
	wrote chan struct{}
	mu    sync.Mutex
	b     strings.Builder
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.b.Write(p)
	w.mu.Unlock()
	w.once.Do(func() { close(w.wrote) })
	return len(p), nil
}

func TestSecondWaitsForFirst(t *testing.T) {
	cs := fake.NewClientset()
	ctx := context.Background()
	first := &Lock{Client: cs, Namespace: "ns", Holder: "first"}
	if err := first.Acquire(ctx, &strings.Builder{}); err != nil {
		t.Fatal(err)
	}
	second := &Lock{Client: cs, Namespace: "ns", Holder: "second", Poll: time.Millisecond, Wait: time.Hour}
	out := &signalWriter{wrote: make(chan struct{})}
	got := make(chan error, 1)
	go func() { got <- second.Acquire(ctx, out) }()
	<-out.wrote // it is waiting
	select {
	case err := <-got:
		t.Fatalf("second acquired while the first held the lease: %v", err)
	default:
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.b.String(), Busy+" (lease ns/helm-todo-up held by first); waiting") {
		t.Errorf("output: %q", out.b.String())
	}
	if err := second.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoordinationV1().Leases("ns").Get(ctx, Name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("lease left after release: %v", err)
	}
}

func TestBusyGivesUp(t *testing.T) {
	cs := fake.NewClientset()
	first := &Lock{Client: cs, Namespace: "ns", Holder: "first"}
	if err := first.Acquire(context.Background(), &strings.Builder{}); err != nil {
		t.Fatal(err)
	}
	defer first.Release()
	second := &Lock{Client: cs, Namespace: "ns", Holder: "second", Poll: time.Millisecond, Wait: time.Nanosecond}
	err := second.Acquire(context.Background(), &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), Busy) || clierr.FixOf(err) == "" {
		t.Fatalf("got %v, want %q with a fix", err, Busy)
	}
}

// A lease whose holder stopped renewing (a crashed up) is taken over.
func TestExpiredIsTakenOver(t *testing.T) {
	old := metav1.NewMicroTime(time.Now().Add(-time.Hour))
	secs, holder := int32(30), "crashed"
	cs := fake.NewClientset(&coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: Name, Namespace: "ns"},
		Spec:       coordinationv1.LeaseSpec{HolderIdentity: &holder, LeaseDurationSeconds: &secs, RenewTime: &old},
	})
	l := &Lock{Client: cs, Namespace: "ns", Holder: "me", Wait: time.Nanosecond}
	if err := l.Acquire(context.Background(), &strings.Builder{}); err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	cur, _ := cs.CoordinationV1().Leases("ns").Get(context.Background(), Name, metav1.GetOptions{})
	if *cur.Spec.HolderIdentity != "me" {
		t.Errorf("holder %s", *cur.Spec.HolderIdentity)
	}
}

// Release leaves alone a lease another run took over.
func TestReleaseKeepsAnothersLease(t *testing.T) {
	cs := fake.NewClientset()
	l := &Lock{Client: cs, Namespace: "ns", Holder: "me"}
	if err := l.Acquire(context.Background(), &strings.Builder{}); err != nil {
		t.Fatal(err)
	}
	cur, _ := cs.CoordinationV1().Leases("ns").Get(context.Background(), Name, metav1.GetOptions{})
	other := "other"
	cur.Spec.HolderIdentity = &other
	if _, err := cs.CoordinationV1().Leases("ns").Update(context.Background(), cur, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoordinationV1().Leases("ns").Get(context.Background(), Name, metav1.GetOptions{}); err != nil {
		t.Errorf("another run's lease was deleted: %v", err)
	}
}
