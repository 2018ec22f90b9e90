package standin

import (
	"strings"
	"testing"
)

// The stand-ins must find the subcommand behind global flags the way the
// real programs do, or a test would pass on a misread call.
func TestSplit(t *testing.T) {
	tests := map[string]struct {
		args []string
		sub  string
		rest string
	}{
		"plain":              {[]string{"build", "-t", "a", "."}, "build", "-t a ."},
		"global with value":  {[]string{"--storage-driver", "vfs", "inspect", "x"}, "inspect", "x"},
		"global with equals": {[]string{"--storage-driver=vfs", "push", "a", "b"}, "push", "a b"},
		"minikube profile":   {[]string{"-p", "dev", "image", "ls"}, "image", "ls"},
		"nothing":            {[]string{"--version"}, "", ""},
	}
	for name, tc := range tests {
		sub, rest := split(tc.args)
		if sub != tc.sub || strings.Join(rest, " ") != tc.rest {
			t.Errorf("%s: got %q %q", name, sub, rest)
		}
	}
	if got := flag([]string{"build", "-f", "D", "--ignorefile=I"}, "--ignorefile"); got != "I" {
		t.Errorf("flag = %q", got)
	}
	if !sameRef("todo:1", "docker.io/library/todo:1") || sameRef("localhost/todo:1", "todo:1") {
		t.Error("sameRef")
	}
}
