package logs

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func stamp(sec, nsec int) string {
	return time.Unix(int64(sec), int64(nsec)).UTC().Format(time.RFC3339Nano)
}

// TestCursorResume: a stream cut in the middle and opened again from the
// whole second before (what sinceTime allows) shows every line once, in
// order, including lines that share a stamp.
func TestCursorResume(t *testing.T) {
	all := []string{
		stamp(100, 0) + " before dev started",
		stamp(200, 1) + " a",
		stamp(200, 5) + " b",
		stamp(200, 5) + " c (same stamp as b)",
		stamp(201, 0) + " d",
		"no stamp at all",
		stamp(202, 7) + " e",
	}
	tests := map[string]struct {
		cuts []int // a stream ends after this many lines of all
		want []string
	}{
		"one stream":                 {nil, []string{"a", "b", "c (same stamp as b)", "d", "no stamp at all", "e"}},
		"cut between equal stamps":   {[]int{3}, []string{"a", "b", "c (same stamp as b)", "d", "no stamp at all", "e"}},
		"cut after the equal stamps": {[]int{4, 5}, []string{"a", "b", "c (same stamp as b)", "d", "no stamp at all", "e"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			c := &cursor{since: time.Unix(150, 0)}
			var got []string
			emit := func(s string) { got = append(got, s) }
			for _, cut := range append(tt.cuts, len(all)) {
				since := c.resume()
				// The server sends every line from the whole second since.
				var stream []string
				for _, l := range all {
					if ts, err := time.Parse(time.RFC3339Nano, strings.SplitN(l, " ", 2)[0]); err == nil && ts.Before(since) {
						continue
					}
					stream = append(stream, l)
				}
				// ...and the connection drops after line `cut` of all.
				var sent []string
				for _, l := range stream {
					if indexOf(all, l) >= cut {
						break
					}
					sent = append(sent, l)
				}
				if err := copyLines(strings.NewReader(strings.Join(sent, "\n")+"\n"), c, emit); err != nil {
					t.Fatal(err)
				}
			}
			// A line without a stamp cannot be deduplicated; a resume
			// from before it shows it again, so count the stamped lines.
			var stamped []string
			for _, g := range got {
				if g != "no stamp at all" {
					stamped = append(stamped, g)
				}
			}
			var want []string
			for _, w := range tt.want {
				if w != "no stamp at all" {
					want = append(want, w)
				}
			}
			if strings.Join(stamped, "|") != strings.Join(want, "|") {
				t.Errorf("shown %q; want %q", stamped, want)
			}
		})
	}
}

func indexOf(lines []string, l string) int {
	for i, x := range lines {
		if x == l {
			return i
		}
	}
	return -1
}

func TestPrefix(t *testing.T) {
	tests := []struct {
		component, pod string
		colour         bool
		want           string
	}{
		{"backend", "todo-backend-5d8f7c9b4-x7k2p", false, "backend/x7k2p  |"},
		{"migration", "todo-migrate-q8rtv", false, "migration/q8rtv|"},
		{"frontend", "todo-frontend-66b9d-abcde", true, "\x1b[35mfrontend/abcde |\x1b[0m"},
	}
	for _, tt := range tests {
		if got := prefix(tt.component, tt.pod, tt.colour); got != tt.want {
			t.Errorf("prefix(%s, %s, %v) = %q; want %q", tt.component, tt.pod, tt.colour, got, tt.want)
		}
	}
}

// TestLinesKeepsLinesWhole: a partial line from one writer waits for its
// newline; another writer's whole line goes out first, not inside it.
func TestLinesKeepsLinesWhole(t *testing.T) {
	var buf bytes.Buffer
	l := NewLines(&buf)
	w := l.Writer()
	w.Write([]byte("backend: buil"))
	l.Line("backend/x7k2p  | GET /health 200")
	w.Write([]byte("ding\nrest"))
	w.Flush()
	want := "backend/x7k2p  | GET /health 200\nbackend: building\nrest\n"
	if buf.String() != want {
		t.Errorf("got %q; want %q", buf.String(), want)
	}
}
