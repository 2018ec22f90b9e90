package watch

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"
)

func TestDebounce(t *testing.T) {
	const window = 500 * time.Millisecond
	tests := map[string]struct {
		events func(d *debouncer, fc *clocktesting.FakeClock) // ends before the final quiet window
		want   []Change                                       // one per take after each quiet window
	}{
		"ten saves within the window are one change": {
			events: func(d *debouncer, fc *clocktesting.FakeClock) {
				for i := range 10 {
					d.add("backend", fmt.Sprintf("src/f%d.py", i%3))
					fc.Step(window / 5)
				}
			},
			want: []Change{{"backend": {"src/f0.py", "src/f1.py", "src/f2.py"}}},
		},
		"two components in one burst": {
			events: func(d *debouncer, fc *clocktesting.FakeClock) {
				d.add("backend", "src/main.py")
				fc.Step(window / 2)
				d.add("frontend", "app/page.tsx")
			},
			want: []Change{{"backend": {"src/main.py"}, "frontend": {"app/page.tsx"}}},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			fc := clocktesting.NewFakeClock(time.Unix(0, 0))
			d := newDebouncer(fc, window)
			tt.events(d, fc)
			if c, ok := d.take(); ok {
				t.Fatalf("a change was ready before the quiet window passed: %v", c)
			}
			fc.Step(window)
			for _, want := range tt.want {
				got, ok := d.take()
				if !ok || !reflect.DeepEqual(got, want) {
					t.Errorf("take = %v, %v; want %v", got, ok, want)
				}
			}
			if c, ok := d.take(); ok {
				t.Errorf("a second change %v; want exactly one", c)
			}
		})
	}
}

// TestDebounceMergesUntilTaken: changes ready while a cycle runs are
// merged into one, so they make exactly one next cycle.
func TestDebounceMergesUntilTaken(t *testing.T) {
	fc := clocktesting.NewFakeClock(time.Unix(0, 0))
	d := newDebouncer(fc, time.Second)
	d.add("backend", "a.py")
	fc.Step(time.Second)
	d.add("values", "/p/values.yaml")
	fc.Step(time.Second)
	got, ok := d.take()
	want := Change{"backend": {"a.py"}, "values": {"/p/values.yaml"}}
	if !ok || !reflect.DeepEqual(got, want) {
		t.Errorf("take = %v, %v; want %v", got, ok, want)
	}
	if len(d.notify) != 1 {
		t.Errorf("notify holds %d signals, want 1 (a reader wakes once and finds nothing left, which is fine)", len(d.notify))
	}
}
