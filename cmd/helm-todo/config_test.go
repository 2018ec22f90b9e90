package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/settings"
	"github.com/helm-todo/helm-todo/internal/testsupport/projectdir"
)

// helm-todo.yaml's build.builder, build.registry and image fields reach the
// commands load would run: the builder that tags and pushes, the registry
// pushed to, and the repository names. A flag still beats the file.
func TestConfigFieldsTakeEffect(t *testing.T) {
	root, plugin := t.TempDir(), t.TempDir()
	projectdir.Write(t, root, plugin, "build:\n  builder: buildah\n  registry: r.example.com/team\nbackend:\n  image: my-api\nfrontend:\n  image: my-web\n")
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
