package textwrap

import "testing"

func TestFill(t *testing.T) {
	tests := map[string]struct {
		text       string
		col, width int
		prefix     string
		want       string
	}{
		"fits":               {"a b c", 0, 10, "", "a b c"},
		"breaks at width":    {"aaa bbb ccc", 0, 7, "", "aaa bbb\nccc"},
		"first line offset":  {"aaa bbb ccc", 4, 10, "  ", "aaa\n  bbb ccc"},
		"prefix counts":      {"aaa bbb ccc ddd", 0, 9, "# ", "aaa bbb\n# ccc ddd"},
		"long word alone":    {"a verylongword b", 0, 5, "", "a\nverylongword\nb"},
		"spaces folded":      {"  a   b  ", 0, 80, "", "a b"},
		"exactly the width":  {"ab cd", 0, 5, "", "ab cd"},
		"one over the width": {"ab cde", 0, 5, "", "ab\ncde"},
	}
	for name, tc := range tests {
		if got := Fill(tc.text, tc.col, tc.width, tc.prefix); got != tc.want {
			t.Errorf("%s: Fill(%q, %d, %d, %q) = %q, want %q", name, tc.text, tc.col, tc.width, tc.prefix, got, tc.want)
		}
	}
}
