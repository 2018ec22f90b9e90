package rollout

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

// Watcher follows one release's workloads in one namespace. Each poll
// observes the cluster (observe.go: client-go, facts only) and hands the
// snapshot to progress (progress.go: what is news, what to print, what is
// still pending), which keeps the state across polls behind one lock.
type Watcher struct {
	Client kubernetes.Interface
	// Connect, when Client is nil, makes the client on first use; when it
	// fails the watcher watches nothing (helm reports an unreachable
	// cluster itself).
	Connect   func() (kubernetes.Interface, error)
	Namespace string
	Release   string
	// Interval between polls; 1s when zero. Polling lists a handful of
	// objects: cheaper to reason about than informers for a short command.
	Interval time.Duration
	// LogLines is how many log lines a failure shows; 20 when zero.
	LogLines int64
	// Baseline, when set, is the release's workloads before the upgrade:
	// those it holds unchanged, and their pods, are neither waited on nor
	// judged (the wait after helm). The watch beside helm has none: a
	// no-change upgrade over crashing pods should fail fast.
	Baseline Baseline

	once sync.Once
	p    *progress

	histMu             sync.Mutex
	history            map[types.UID]bool // Jobs and pods already failing at the first look
	jobsSeen, podsSeen bool
	unchanged          []string // the last whole look's Snapshot.Unchanged
	partial            bool     // the last look's Snapshot.Partial
}

func (w *Watcher) selector() string { return selectorOf(w.Release) }

// Watch prints a line whenever a workload's status changes, and new Warning
// events, until ctx ends. It returns a *Failure as soon as a pod or Job is
// in a state that waiting will not fix; nil when ctx ends first.
func (w *Watcher) Watch(ctx context.Context, out io.Writer) error {
	if w.init(); w.Client == nil {
		return nil
	}
	tick := time.NewTicker(w.interval())
	defer tick.Stop()
	for {
		if f := w.poll(ctx, out); f != nil {
			return f
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// Check takes one snapshot and returns a *Failure when one is visible. It
// explains a helm failure that came before the watcher's next poll: a
// failed hook Job is kept, so its logs are still there.
func (w *Watcher) Check(ctx context.Context, out io.Writer) error {
	if w.init(); w.Client == nil {
		return nil
	}
	if f := w.poll(ctx, out); f != nil {
		return f
	}
	return nil
}

// WaitCurrent polls until every workload of the release is Current, or
// ctx ends, returning an error naming what is not ready.
func (w *Watcher) WaitCurrent(ctx context.Context, out io.Writer) error {
	w.init()
	tick := time.NewTicker(w.interval())
	defer tick.Stop()
	for {
		if f := w.poll(ctx, out); f != nil {
			return f
		}
		pending, n := w.Pending(), w.p.count()
		// Done only by a whole look: one cut short (a failed list, the
		// deadline passing mid-look) would count what it missed as
		// finished and removed.
		if !w.lastPartial() && len(pending) == 0 && (n > 0 || len(w.Unchanged()) > 0) {
			return nil
		}
		select {
		case <-ctx.Done():
			if n == 0 {
				return fmt.Errorf("no workloads of release %s found in namespace %s", w.Release, w.Namespace)
			}
			return fmt.Errorf("not ready: %s", strings.Join(pending, "; "))
		case <-tick.C:
		}
	}
}

func (w *Watcher) init() {
	w.once.Do(func() {
		if w.Client == nil && w.Connect != nil {
			w.Client, _ = w.Connect()
		}
		// Events from earlier runs are history, not this rollout's news.
		w.p = newProgress(w.Release, time.Now().Add(-2*time.Second))
	})
}

func (w *Watcher) interval() time.Duration {
	if w.Interval <= 0 {
		return time.Second
	}
	return w.Interval
}

// Pending lists the workloads last seen not Current, with the reasons of
// their pods that are running but not ready: what a timeout should say.
// It is nil before the first poll.
func (w *Watcher) Pending() []string {
	w.init()
	return w.p.pending()
}

// Causes explains what is still pending from the Warning events seen so
// far, each with its fix: what a timeout's error should carry. It is nil
// before the first poll.
func (w *Watcher) Causes() []Cause {
	w.init()
	return w.p.causes()
}

// Unchanged are the workloads the last look left out as the Baseline
// holds them unchanged.
func (w *Watcher) Unchanged() []string {
	w.histMu.Lock()
	defer w.histMu.Unlock()
	return w.unchanged
}

// Waited is how many workloads the last look judged: those not left out
// as unchanged.
func (w *Watcher) Waited() int {
	w.init()
	return w.p.count()
}

// poll observes once, prints what is news and returns the failure seen.
func (w *Watcher) poll(ctx context.Context, out io.Writer) *Failure {
	s := w.observe(ctx)
	w.histMu.Lock()
	w.partial = s.Partial
	if !s.Partial {
		w.unchanged = s.Unchanged
	}
	w.histMu.Unlock()
	if s.Partial {
		// Progress keeps the last whole look: a workload this one could
		// not list is not gone.
		return s.Failure
	}
	for _, l := range w.p.update(s) {
		fmt.Fprintln(out, l)
	}
	return s.Failure
}

// lastPartial: the last look was cut short (Snapshot.Partial).
func (w *Watcher) lastPartial() bool {
	w.histMu.Lock()
	defer w.histMu.Unlock()
	return w.partial
}
