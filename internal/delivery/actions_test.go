package delivery

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/settings"
	"github.com/helm-todo/helm-todo/internal/testsupport/projectdir"
)

// recorder runs nothing and remembers every command.
type recorder struct{ ran []string }

func (r *recorder) Run(_ context.Context, c command.Cmd) (command.Result, error) {
	r.ran = append(r.ran, c.String())
	return command.Result{}, nil
}

func options(t *testing.T, env map[string]string, config string) (Options, *bytes.Buffer) {
	root, plugin := t.TempDir(), t.TempDir()
	projectdir.Write(t, root, plugin, config)
	env["HELM_PLUGIN_DIR"] = plugin
	var out bytes.Buffer
	return Options{Settings: settings.FromEnv(func(k string) string { return env[k] }), Dir: root, Out: &out}, &out
}

// build --dry-run prints the builds the flags, env and helm-todo.yaml make,
// and runs nothing.
func TestBuildDryRun(t *testing.T) {
	o, out := options(t, map[string]string{"HELM_TODO_BUILDER": "buildah", "HELM_TODO_BUILDER_GLOBAL_ARGS": "--storage-driver=vfs"}, "build:\n  builder: podman\n")
	rec := &recorder{}
	o.DryRun, o.Probe, o.BuilderArgs, o.BuilderArgsSet = true, rec, []string{"--isolation=chroot"}, true
	r, err := (&Build{Options: o}).Run(context.Background())
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(rec.ran) != 0 || len(r.Lines) != 0 || len(r.Planned.Builds) != 2 {
		t.Errorf("dry run ran %q, result lines %q, %d builds", rec.ran, r.Lines, len(r.Planned.Builds))
	}
	// env beats helm-todo.yaml, a flag beats env
	if !strings.Contains(out.String(), "buildah --storage-driver=vfs bud") && !strings.Contains(out.String(), "buildah --storage-driver=vfs build") {
		t.Errorf("HELM_TODO_BUILDER(_GLOBAL_ARGS) did not win over helm-todo.yaml:\n%s", out)
	}
	if !strings.Contains(out.String(), "--isolation=chroot") {
		t.Errorf("--builder-arg lost:\n%s", out)
	}
}

// load asks through the injected runner; a registry that has both tags
// gets nothing pushed, and the result says where each image is.
func TestLoadResult(t *testing.T) {
	o, out := options(t, map[string]string{}, "build:\n  builder: docker\n  registry: r.example.com/me\n")
	rec := &recorder{}
	o.Probe, o.Runner = rec, rec
	r, err := (&Load{Options: o}).Run(context.Background())
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(r.Lines) != 2 || !strings.HasPrefix(r.Lines[0], "backend image in cluster: r.example.com/me/todo-backend:") {
		t.Errorf("result lines %q", r.Lines)
	}
	joined := strings.Join(rec.ran, "\n")
	if strings.Contains(joined, "push") {
		t.Errorf("pushed what the registry has:\n%s", joined)
	}
	for _, want := range []string{"docker manifest inspect r.example.com/me/todo-backend:", "docker manifest inspect r.example.com/me/todo-frontend:"} {
		if !strings.Contains(joined, want) {
			t.Errorf("load ran no %q:\n%s", want, joined)
		}
	}
}

func TestBadPullPolicy(t *testing.T) {
	o, _ := options(t, map[string]string{}, "build:\n  builder: docker\n")
	o.Pull = "sometimes"
	if _, err := (&Build{Options: o}).Run(context.Background()); err == nil || !strings.Contains(err.Error(), `"sometimes"`) {
		t.Errorf("error %v, want the policy named", err)
	}
}

// sized answers every command, with a size for a size query.
type sized struct{ ran []string }

func (r *sized) Run(_ context.Context, c command.Cmd) (command.Result, error) {
	r.ran = append(r.ran, c.String())
	if len(c.Args) > 0 && c.Args[0] == "images" {
		return command.Result{Stdout: []byte("226 MB\n")}, nil
	}
	return command.Result{}, nil
}

// build's report gives an up-to-date image's size, which the build step
// itself no longer asks for (up and dev print none).
func TestBuildReportSizesUpToDate(t *testing.T) {
	o, out := options(t, map[string]string{}, "build:\n  builder: buildah\n")
	rec := &sized{}
	o.Probe, o.Runner = rec, rec
	r, err := (&Build{Options: o}).Run(context.Background())
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(r.Lines) != 2 {
		t.Fatalf("lines %q, want one per image", r.Lines)
	}
	for _, l := range r.Lines {
		if !strings.Contains(l, "(up to date, 226 MB)") {
			t.Errorf("%q: want the up-to-date image's size; ran %q", l, rec.ran)
		}
	}
}
