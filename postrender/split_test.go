package postrender

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestSplitterKeepsEveryByte(t *testing.T) {
	tests := map[string]struct {
		in     string
		bodies []string
	}{
		"empty":                    {"", nil},
		"one document, no newline": {"a: 1", []string{"a: 1"}},
		"leading separator":        {"---\na: 1\n", []string{"", "a: 1\n"}},
		"separator with a comment": {"a: 1\n--- # two\nb: 2\n", []string{"a: 1\n", "b: 2\n"}},
		"trailing separator":       {"a: 1\n---\n", []string{"a: 1\n", ""}},
		"CRLF":                     {"a: 1\r\n---\r\nb: 2\r\n", []string{"a: 1\r\n", "b: 2\r\n"}},
		"not separators":           {"a: |\n  ---\n----\n--- x\n", []string{"a: |\n  ---\n----\n--- x\n"}},
		"a line longer than the read buffer": {"a: " + strings.Repeat("x", 70<<10) + "\n---\nb: 1\n",
			[]string{"a: " + strings.Repeat("x", 70<<10) + "\n", "b: 1\n"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			sp := newSplitter(strings.NewReader(tc.in))
			var rebuilt strings.Builder
			var bodies []string
			for {
				c, err := sp.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				rebuilt.Write(c.sep)
				rebuilt.Write(c.body)
				bodies = append(bodies, string(c.body))
			}
			if rebuilt.String() != tc.in {
				t.Errorf("chunks rebuild %q, want %q", rebuilt.String(), tc.in)
			}
			if strings.Join(bodies, "|") != strings.Join(tc.bodies, "|") || len(bodies) != len(tc.bodies) {
				t.Errorf("bodies %q, want %q", bodies, tc.bodies)
			}
		})
	}
}
