package plugin_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHelm4PluginsDirElsewhere: Helm 4.3.1 installs a local plugin into
// $HELM_DATA_HOME/plugins but loads plugins from HELM_PLUGINS, so a user with
// HELM_PLUGINS set elsewhere got an install that "succeeded" and a deploy
// that failed with "plugin not found". install-postrenderer must say so and
// how to fix it, and the fix it prints must work.
func TestHelm4PluginsDirElsewhere(t *testing.T) {
	t.Parallel()
	h := newHelmEnv(t, 4)
	src := buildPlugin(t, pluginVersion(t, repoRoot(t)))
	elsewhere := filepath.Join(h.home, "elsewhere")
	if err := os.MkdirAll(elsewhere, 0o755); err != nil {
		t.Fatal(err)
	}
	env := append(append([]string{}, h.env...), "HELM_PLUGINS="+elsewhere, "HELM_PLUGIN_DIR="+src)
	setup := func() result {
		return runCmd(t, "", env, filepath.Join(src, "bin", "helm-todo"), "install-postrenderer", "--helm-bin", h.bin)
	}

	r := setup()
	if r.err == nil {
		t.Fatalf("install-postrenderer succeeded although helm cannot see the plugin:\n%s", r)
	}
	installedAt := filepath.Join(h.plugins, "helm-todo-postrenderer") // HELM_DATA_HOME/plugins
	for _, want := range []string{"does not show helm-todo", "unset HELM_PLUGINS or set it to " + h.plugins, "ln -s " + installedAt + " " + elsewhere + "/"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r := setup(); r.err == nil || !strings.Contains(r.stderr, "ln -s ") {
		t.Errorf("a second run (helm: plugin already exists) should give the same fix:\n%s", r)
	}

	// The fix as printed.
	if err := os.Symlink(installedAt, filepath.Join(elsewhere, "helm-todo-postrenderer")); err != nil {
		t.Fatal(err)
	}
	if r := setup(); r.err != nil || !strings.Contains(r.stdout, "already installed") {
		t.Fatalf("after the printed fix, install-postrenderer: %v\n%s", r.err, r)
	}
	plain, _ := filepath.Abs("testdata/plain")
	r = runCmd(t, "", env, h.bin, "template", "rel", plain, "--post-renderer", "helm-todo")
	if r.err != nil {
		t.Fatalf("helm template --post-renderer helm-todo after the fix: %v\n%s", r.err, r)
	}
	assertHardened(t, r.stdout, parseStream(t, r.stdout), [2]string{"Deployment", "rel-web"})
}
