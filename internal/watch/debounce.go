package watch

import (
	"sort"
	"sync"
	"time"

	"k8s.io/utils/clock"
)

// Change is what changed since the last one was taken: target name →
// changed paths (relative to a directory target, absolute for a file).
type Change map[string][]string

// Names are the targets that changed, sorted.
func (c Change) Names() []string {
	names := make([]string, 0, len(c))
	for n := range c {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (c Change) add(name, path string) {
	for _, p := range c[name] {
		if p == path {
			return
		}
	}
	c[name] = append(c[name], path)
	sort.Strings(c[name])
}

func (c Change) merge(o Change) {
	for n, paths := range o {
		for _, p := range paths {
			c.add(n, p)
		}
	}
}

// debouncer turns a burst of events (an editor's save, a git checkout)
// into one Change: the Change is ready once no event came for a window.
// Changes that are ready but not yet taken (a cycle is running) merge, so
// whatever happened during a cycle makes exactly one next cycle.
type debouncer struct {
	clk    clock.WithDelayedExecution
	window time.Duration

	mu      sync.Mutex
	pending Change
	ready   Change
	gen     int // which timer is the latest; an older one that fires is stale
	timer   clock.Timer
	notify  chan struct{} // has a value while ready is non-empty
}

func newDebouncer(clk clock.WithDelayedExecution, window time.Duration) *debouncer {
	return &debouncer{clk: clk, window: window, pending: Change{}, ready: Change{}, notify: make(chan struct{}, 1)}
}

// add records an event and restarts the quiet window.
func (d *debouncer) add(name, path string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pending.add(name, path)
	d.gen++
	gen := d.gen
	if d.timer != nil {
		d.timer.Stop()
	}
	d.timer = d.clk.AfterFunc(d.window, func() { d.fire(gen) })
}

func (d *debouncer) fire(gen int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if gen != d.gen || len(d.pending) == 0 {
		return
	}
	d.ready.merge(d.pending)
	d.pending = Change{}
	select {
	case d.notify <- struct{}{}:
	default:
	}
}

// take returns the ready Change and clears it; ok is false when none is.
func (d *debouncer) take() (Change, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.ready) == 0 {
		return nil, false
	}
	c := d.ready
	d.ready = Change{}
	return c, true
}

func (d *debouncer) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer != nil {
		d.timer.Stop()
	}
	d.gen++
}
