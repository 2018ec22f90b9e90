// Package helmbin knows the differences between the Helm majors helm-todo
// drives: the user's own helm may be v3 or v4, and a few flags differ.
package helmbin

import (
	"context"
	"debug/buildinfo"
	"fmt"
	"os/exec"
	"strings"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/command"
)

// Major runs `helm version` and returns the major version, 3 or 4.
func Major(ctx context.Context, r command.Runner, helmBin string) (int, error) {
	res, err := r.Run(ctx, command.Cmd{Name: helmBin, Args: []string{"version", "--template", "{{.Version}}"}})
	if err != nil {
		return 0, clierr.New("run "+helmBin+" version", "install Helm 3.18+ or Helm 4, or point --helm-bin/HELM_BIN at it", err)
	}
	return ParseMajor(string(res.Stdout))
}

// FromBuildInfo reads the major from the Go build information a helm
// binary carries, its main module helm.sh/helm/v3 or helm.sh/helm/v4:
// a file read where `helm version` is a process start, which loads all of
// Helm (about 0.1 s on every up). ok is false when helmBin is not found or
// is not a Go build of Helm (a wrapper script): ask Major then.
func FromBuildInfo(helmBin string) (major int, ok bool) {
	path, err := exec.LookPath(helmBin)
	if err != nil {
		return 0, false
	}
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return 0, false
	}
	switch info.Main.Path {
	case "helm.sh/helm/v3":
		return 3, true
	case "helm.sh/helm/v4":
		return 4, true
	}
	return 0, false
}

// ParseMajor reads the major out of a version like "v3.22.0" or "v4.3.1+g12ab".
func ParseMajor(v string) (int, error) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "v")
	switch {
	case strings.HasPrefix(v, "3."):
		return 3, nil
	case strings.HasPrefix(v, "4."):
		return 4, nil
	}
	return 0, clierr.New(fmt.Sprintf("unsupported helm version %q", v), "install Helm 3.18+ or Helm 4", nil)
}

// AtomicFlag is the flag that rolls a failed upgrade back: Helm 4 renamed
// --atomic to --rollback-on-failure.
func AtomicFlag(major int) string {
	if major >= 4 {
		return "--rollback-on-failure"
	}
	return "--atomic"
}
