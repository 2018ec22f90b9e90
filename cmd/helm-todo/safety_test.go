package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/settings"
)

// Bad flags are refused with exit 2 before anything else runs.
func TestUpDownRefuseBadFlags(t *testing.T) {
	t.Setenv("HELM_PLUGIN_DIR", "../..")
	for _, args := range [][]string{
		{"up", "--timeout", "0"},
		{"up", "--timeout", "-5m", "--dry-run"},
		{"up", "--release", "Bad Release", "--dry-run"},
		{"up", "-n", "Bad_NS!"},
		{"down", "--timeout", "0"},
		{"down", "--release", "Bad Release"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var out bytes.Buffer
			cmd := newRootCmd(settings.New(), strings.NewReader(""), &out, &out)
			cmd.SetArgs(args)
			err := cmd.ExecuteContext(context.Background())
			if clierr.ExitCode(err) != clierr.ExitUsage || clierr.FixOf(err) == "" {
				t.Fatalf("got exit %d (%v), want 2 with a fix", clierr.ExitCode(err), err)
			}
			if !strings.Contains(err.Error(), "timeout") && !strings.Contains(err.Error(), "is invalid") {
				t.Errorf("error does not name the flag: %v", err)
			}
		})
	}
}

func TestExitCodeInterrupted(t *testing.T) {
	err := errors.New("deploy: interrupted")
	if got := exitCode(err, true); got != 130 {
		t.Errorf("interrupted: %d, want 130", got)
	}
	if got := exitCode(err, false); got != 1 {
		t.Errorf("failed: %d, want 1", got)
	}
	if got := exitCode(nil, true); got != 0 {
		t.Errorf("success after a late signal: %d, want 0", got)
	}
}

func TestUnknownCommandAndVersion(t *testing.T) {
	var out bytes.Buffer
	cmd := newRootCmd(settings.New(), strings.NewReader(""), &out, &out)
	cmd.SetArgs([]string{"upp"})
	err := cmd.ExecuteContext(context.Background())
	if clierr.ExitCode(err) != clierr.ExitUsage || !strings.Contains(clierr.FixOf(err), "did you mean up?") {
		t.Errorf("upp: exit %d, fix %q (%v)", clierr.ExitCode(err), clierr.FixOf(err), err)
	}
	out.Reset()
	cmd = newRootCmd(settings.New(), strings.NewReader(""), &out, &out)
	cmd.SetArgs([]string{"--version"})
	if err := cmd.ExecuteContext(context.Background()); err != nil || strings.TrimSpace(out.String()) == "" {
		t.Errorf("--version: %v, printed %q", err, out.String())
	}
}
