package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/version"
)

// Both spellings print the version on both binaries.
func TestVersionBothForms(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		var out bytes.Buffer
		cmd := newRootCmd("helm-todo-postrender", strings.NewReader(""), &out, &out)
		cmd.SetArgs(args)
		if err := cmd.Execute(); err != nil || strings.TrimSpace(out.String()) != version.Version {
			t.Errorf("%v: %v, printed %q", args, err, out.String())
		}
	}
}
