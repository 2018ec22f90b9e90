package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/settings"
)

// helm-todo.yaml's build.builder, build.registry and image fields reach the
// commands load would run: the builder that tags and pushes, the registry
// pushed to, and the repository names. A flag still beats the file.
func TestConfigFieldsTakeEffect(t *testing.T) {
	root, plugin := t.TempDir(), t.TempDir()
	files := map[string]string{
		filepath.Join(root, "helm-todo.yaml"):               "build:\n  builder: buildah\n  registry: r.example.com/team\nbackend:\n  image: my-api\nfrontend:\n  image: my-web\n",
		filepath.Join(root, "backend/requirements.txt"):     "fastapi\n",
		filepath.Join(root, "frontend/package.json"):        "{}\n",
		filepath.Join(root, "frontend/next.config.mjs"):     "export default { output: \"standalone\" }\n",
		filepath.Join(plugin, "docker/backend.Dockerfile"):  "FROM python:3.11-slim\n",
		filepath.Join(plugin, "docker/frontend.Dockerfile"): "FROM node:20-alpine\n",
	}
	for p, c := range files {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(root)
	run := func(args ...string) string {
		t.Helper()
		env := map[string]string{"HELM_PLUGIN_DIR": plugin, "KUBECONFIG": filepath.Join(root, "no-kubeconfig")}
		var out bytes.Buffer
		cmd := newRootCmd(settings.FromEnv(func(k string) string { return env[k] }), strings.NewReader(""), &out, &out)
		cmd.SetArgs(args)
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
		return out.String()
	}
	got := run("load", "--dry-run")
	for _, want := range []string{"buildah push r.example.com/team/my-api:", "buildah push r.example.com/team/my-web:", "buildah tag docker.io/library/my-api:"} {
		if !strings.Contains(got, want) {
			t.Errorf("load --dry-run lacks %q:\n%s", want, got)
		}
	}
	got = run("load", "--dry-run", "--builder", "podman", "--registry", "flag.example.com/me")
	if !strings.Contains(got, "podman push flag.example.com/me/my-api:") {
		t.Errorf("flags do not beat helm-todo.yaml:\n%s", got)
	}
}
