package build_test

import (
	"github.com/helm-todo/helm-todo/internal/testsupport/needtool"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRealBuildah runs the real buildah (Debian's, as on this machine) on
// scratch-based Dockerfiles, in a storage root of its own: a build, a
// skipped rebuild, and a COPY of a missing path surfaced as buildah's own
// one-line message. It skips where buildah cannot build.
func TestRealBuildah(t *testing.T) {
	needtool.Path(t, "buildah", "buildah")
	store := t.TempDir()
	env := []string{
		"HELM_TODO_BUILDER_GLOBAL_ARGS=--storage-driver=vfs --root=" + filepath.Join(store, "root") + " --runroot=" + filepath.Join(store, "run"),
		"HELM_TODO_BUILDER_ARGS=--isolation=chroot",
	}
	if out, err := exec.Command("buildah", "--storage-driver=vfs", "--root="+filepath.Join(store, "root"), "--runroot="+filepath.Join(store, "run"), "images").CombinedOutput(); err != nil {
		needtool.Missing(t, "buildah cannot run here: %v %s", err, out)
	}
	t.Cleanup(func() {
		// vfs layers may be owned by other uids; let buildah remove them.
		exec.Command("buildah", "--storage-driver=vfs", "--root="+filepath.Join(store, "root"), "--runroot="+filepath.Join(store, "run"), "rmi", "--all", "--force").Run()
	})

	plugin := t.TempDir()
	app := t.TempDir()
	files := map[string]string{
		filepath.Join(plugin, "docker/backend.Dockerfile"):    "FROM scratch\nCOPY requirements.txt /app/\n",
		filepath.Join(plugin, "docker/backend.dockerignore"):  "",
		filepath.Join(plugin, "docker/frontend.Dockerfile"):   "FROM scratch\nCOPY package.json /app/\n",
		filepath.Join(plugin, "docker/frontend.dockerignore"): "node_modules\n",
		filepath.Join(app, "backend/requirements.txt"):        "fastapi\n",
		filepath.Join(app, "frontend/package.json"):           "{}\n",
		filepath.Join(app, "frontend/next.config.mjs"):        "export default { output: \"standalone\" }\n",
	}
	for p, c := range files {
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env = append(env, "HELM_PLUGIN_DIR="+plugin)

	r := helmTodoEnv(t, app, "", env, "build", "--builder", "buildah", "--pull", "never")
	if r.code != 0 || strings.Count(r.out, ": built docker.io/library/todo-") != 2 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.out, r.err)
	}
	r = helmTodoEnv(t, app, "", env, "build", "--builder", "buildah", "--pull", "never")
	if r.code != 0 || strings.Count(r.out, "build skipped") != 2 {
		t.Fatalf("unchanged rebuild: exit %d\n%s\n%s", r.code, r.out, r.err)
	}

	// A broken Dockerfile: buildah's own error, on one line, plus a fix.
	os.WriteFile(filepath.Join(plugin, "docker/backend.Dockerfile"), []byte("FROM scratch\nCOPY missing-file /app/\n"), 0o644)
	r = helmTodoEnv(t, app, "", env, "build", "--builder", "buildah", "--pull", "never")
	lines := strings.Split(strings.TrimSpace(r.err), "\n")
	if r.code != 1 || len(lines) != 2 || !strings.Contains(lines[0], `building at STEP "COPY missing-file /app/"`) || !strings.HasPrefix(lines[1], "fix: ") {
		t.Fatalf("broken Dockerfile: exit %d, stderr:\n%s", r.code, r.err)
	}
	t.Logf("surfaced: %s", lines[0])
}
