package lease

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	clocktesting "k8s.io/utils/clock/testing"

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

// A lease whose holder stopped renewing (a crashed up) is taken over once
// its record has stayed unchanged for the lease duration on this process's
// clock, whatever time the holder's clock wrote into it: an hour behind
// (skew) does not make it expired, and an hour ahead does not keep it.
func TestExpiryByOwnClock(t *testing.T) {
	ctx := context.Background()
	for name, skew := range map[string]time.Duration{"holder behind": -time.Hour, "holder ahead": time.Hour, "no skew": 0} {
		t.Run(name, func(t *testing.T) {
			renewed := metav1.NewMicroTime(time.Now().Add(skew))
			secs, holder := int32(30), "other"
			cs := fake.NewClientset(&coordinationv1.Lease{
				ObjectMeta: metav1.ObjectMeta{Name: Name, Namespace: "ns"},
				Spec:       coordinationv1.LeaseSpec{HolderIdentity: &holder, LeaseDurationSeconds: &secs, RenewTime: &renewed},
			})
			clk := clocktesting.NewFakePassiveClock(time.Now())
			l := &Lock{Client: cs, Namespace: "ns", Holder: "me", Clock: clk}
			l.defaults()
			step := func(d time.Duration, want string) {
				t.Helper()
				clk.SetTime(clk.Now().Add(d))
				got, err := l.try(ctx)
				if err != nil || got != want {
					t.Fatalf("after %s: holder %q (err %v), want %q", d, got, err, want)
				}
			}
			step(0, "other")
			step(20*time.Second, "other")
			// the holder renews: its record changed, so it is alive
			cur, _ := cs.CoordinationV1().Leases("ns").Get(ctx, Name, metav1.GetOptions{})
			again := metav1.NewMicroTime(renewed.Add(10 * time.Second))
			cur.Spec.RenewTime = &again
			if _, err := cs.CoordinationV1().Leases("ns").Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
				t.Fatal(err)
			}
			step(15*time.Second, "other")
			step(20*time.Second, "other") // 35s since the first look, 20s since the change
			step(10*time.Second, "")      // 30s unchanged: taken over
			cur, _ = cs.CoordinationV1().Leases("ns").Get(ctx, Name, metav1.GetOptions{})
			if *cur.Spec.HolderIdentity != "me" {
				t.Errorf("holder %s", *cur.Spec.HolderIdentity)
			}
		})
	}
}

// A renewal that fails is said once per streak, not dropped.
func TestRenewFailureReported(t *testing.T) {
	cs := fake.NewClientset()
	var out strings.Builder
	l := &Lock{Client: cs, Namespace: "ns", Holder: "me"}
	if err := l.Acquire(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	close(l.stop) // no background renewals: the test drives them
	<-l.done
	l.stop = nil
	fail := true
	cs.PrependReactor("update", "leases", func(k8stesting.Action) (bool, runtime.Object, error) {
		if fail {
			return true, nil, errors.New("connection refused")
		}
		return false, nil, nil
	})
	l.renewOnce()
	l.renewOnce()
	fail = false
	l.renewOnce()
	got := out.String()
	if strings.Count(got, "could not renew lease ns/helm-todo-up (connection refused)") != 1 || !strings.Contains(got, "renewed again") {
		t.Errorf("output:\n%s", got)
	}
}

// A lease that carries a mark stays when released, free, so the next up
// reads the mark; a lease without one is deleted.
func TestMarkOutlivesRelease(t *testing.T) {
	ctx := context.Background()
	cs := fake.NewClientset()
	first := &Lock{Client: cs, Namespace: "ns", Holder: "first"}
	if err := first.Acquire(ctx, &strings.Builder{}); err != nil {
		t.Fatal(err)
	}
	if err := first.SetMark(ctx, Mark{Release: "todo", Revision: 4}); err != nil {
		t.Fatal(err)
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	second := &Lock{Client: cs, Namespace: "ns", Holder: "second", Wait: time.Nanosecond}
	if err := second.Acquire(ctx, &strings.Builder{}); err != nil {
		t.Fatalf("a released marked lease is not free: %v", err)
	}
	if got := second.Previous(); got != (Mark{Release: "todo", Revision: 4}) {
		t.Errorf("previous mark %+v", got)
	}
	if err := second.SetMark(ctx, Mark{}); err != nil {
		t.Fatal(err)
	}
	if err := second.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoordinationV1().Leases("ns").Get(ctx, Name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("unmarked lease left after release: %v", err)
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
