package image

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/testsupport/standin"
)

// What docker 28's CLI prints when DOCKER_BUILDKIT=1 and the buildx plugin
// is absent (captured from the real client on this machine).
const buildxMissingStderr = `ERROR: BuildKit is enabled but the buildx component is missing or broken.
       Install the buildx component to build images with BuildKit:
       https://docs.docker.com/go/buildx/
`

// checkBuildxError holds the error to the tool, never the app.
func checkBuildxError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("the build succeeded, want the missing-buildx error")
	}
	fix := clierr.FixOf(err)
	if !strings.Contains(err.Error(), "no buildx plugin") || !strings.Contains(err.Error(), "buildx component is missing") {
		t.Errorf("the error does not name the missing buildx plugin: %q", err)
	}
	if !strings.Contains(fix, "install Docker's buildx plugin") || !strings.Contains(fix, "--builder podman") {
		t.Errorf("the fix does not say how to get buildx or another builder: %q", fix)
	}
	if strings.Contains(fix, "fix the error above") || strings.Contains(fix, "Dockerfile") {
		t.Errorf("the fix blames the app for a tool problem: %q", fix)
	}
	if strings.Count(err.Error(), "\n") != 0 {
		t.Errorf("want one line, got %q", err)
	}
}

func TestBuildxMissing(t *testing.T) {
	rig := standin.Install(t, "docker")
	rig.FailBuild(buildxMissingStderr)
	checkBuildxError(t, newStep(t, fixture(t), Builder{Kind: Docker}).Run(context.Background(), new(bytes.Buffer)))

	t.Run("another build failure still points at the app", func(t *testing.T) {
		rig.FailBuild("ERROR: failed to solve: failed to compute cache key: \"/missing\" not found\n")
		err := newStep(t, fixture(t), Builder{Kind: Docker}).Run(context.Background(), new(bytes.Buffer))
		if err == nil || !strings.Contains(clierr.FixOf(err), "fix the error above") {
			t.Fatalf("got %v / fix %q", err, clierr.FixOf(err))
		}
	})
}

// TestBuildxMissingRealClient runs the docker client on PATH when it is one
// without buildx (docker 23+ with no plugin): the CLI refuses before it
// contacts any daemon, so no daemon is needed.
func TestBuildxMissingRealClient(t *testing.T) {
	docker, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("no docker client on PATH")
	}
	if exec.Command(docker, "buildx", "version").Run() == nil {
		t.Skip(docker + " has buildx; this test needs a client without it")
	}
	// No daemon may answer: a build must fail on the client's own check.
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "no-daemon.sock"))
	s := newStep(t, fixture(t), Builder{Kind: Docker})
	s.Force = true // skip the tag lookup, which needs a daemon
	var out bytes.Buffer
	err = s.Run(context.Background(), &out)
	var ce *clierr.Error
	if !errors.As(err, &ce) {
		t.Fatalf("want a clierr.Error, got %v; output: %s", err, out.String())
	}
	if !strings.Contains(out.String(), "buildx") {
		// Docker 20.10 has BuildKit built in: it reaches for the daemon.
		t.Skipf("%s has BuildKit built in (output: %s)", docker, strings.TrimSpace(out.String()))
	}
	checkBuildxError(t, err)
}
