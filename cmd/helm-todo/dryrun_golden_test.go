package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/settings"
	"github.com/helm-todo/helm-todo/internal/testsupport/needtool"
	"github.com/helm-todo/helm-todo/internal/testsupport/projectdir"
)

// --dry-run of build, load and up on a fixed project: the exact commands
// and objects a user is shown. helm-todo.yaml names the builder and the
// registry, so nothing is probed or detected; only up learns helm's major
// (from the build information of the repo's pinned Helm 3). Temp paths print as $APP and $PLUGIN.
func TestDryRunGolden(t *testing.T) {
	helm := needtool.Built(t, "../../.tools/helm3/helm")
	root, plugin := t.TempDir(), t.TempDir()
	projectdir.Write(t, root, plugin, "release: shop\nbuild:\n  builder: buildah\n  registry: localhost:5000/me\n")
	// Migration inputs: up prints their hash and whether the Job runs.
	for name, body := range map[string]string{"alembic.ini": "[alembic]\nscript_location = migrations\n", "migrations/env.py": "from alembic import context\n"} {
		p := filepath.Join(root, "backend", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Helm 3 runs the post-renderer binary by path; up checks it is there.
	if err := os.MkdirAll(filepath.Join(plugin, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(plugin, "bin", "helm-todo-postrender"), nil, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
	env := map[string]string{
		"HELM_PLUGIN_DIR": plugin, "HELM_BIN": helm, "HELM_NAMESPACE": "shop-ns",
		"KUBECONFIG":         filepath.Join(root, "no-kubeconfig"),
		"OPENROUTER_API_KEY": "k", "BETTER_AUTH_SECRET": "s", "VAPID_PRIVATE_KEY": "p", "VAPID_PUBLIC_KEY": "q",
	}
	for name, args := range map[string][]string{
		"build-dry-run": {"build"}, "load-dry-run": {"load"}, "up-dry-run": {"up"},
		"up-skip-build-dry-run": {"up", "--skip-build", "--backend-tag", "pinned"},
	} {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			cmd := newRootCmd(settings.FromEnv(func(k string) string { return env[k] }), strings.NewReader(""), &out, &out)
			cmd.SetArgs(append(args, "--dry-run"))
			if err := cmd.Execute(); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			golden(t, name, strings.NewReplacer(root, "$APP", plugin, "$PLUGIN", helm, "$HELM").Replace(out.String()))
		})
	}
}

// build --dry-run and up --dry-run on a machine with no docker, podman or
// buildah on PATH: the plan for the default builder, and a warning that
// none is installed, instead of a failure.
func TestDryRunNoBuilder(t *testing.T) {
	helm := needtool.Built(t, "../../.tools/helm3/helm")
	root, plugin := t.TempDir(), t.TempDir()
	projectdir.Write(t, root, plugin, "build:\n  registry: localhost:5000/me\n")
	if err := os.MkdirAll(filepath.Join(plugin, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(plugin, "bin", "helm-todo-postrender"), nil, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
	t.Setenv("PATH", t.TempDir()) // no builder anywhere
	env := map[string]string{
		"HELM_PLUGIN_DIR": plugin, "HELM_BIN": helm,
		"KUBECONFIG":         filepath.Join(root, "no-kubeconfig"),
		"OPENROUTER_API_KEY": "k", "BETTER_AUTH_SECRET": "s", "VAPID_PRIVATE_KEY": "p", "VAPID_PUBLIC_KEY": "q",
	}
	for _, args := range [][]string{{"build"}, {"up"}} {
		t.Run(args[0], func(t *testing.T) {
			var out bytes.Buffer
			cmd := newRootCmd(settings.FromEnv(func(k string) string { return env[k] }), strings.NewReader(""), &out, &out)
			cmd.SetArgs(append(args, "--dry-run"))
			if err := cmd.Execute(); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			wants := []string{
				"warning: no image builder is installed or running (docker not found; podman not found; buildah not found)",
				"docker build -f ", "-t todo-backend:", "-t todo-frontend:",
			}
			if args[0] == "build" {
				wants = append(wants, "builder: docker (the default; none is installed or running)")
			}
			for _, want := range wants {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, out.String())
				}
			}
		})
	}
}
