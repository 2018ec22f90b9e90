package plugin_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/postrendersetup"
)

// TestHelm3AndHelm4ShareOnePluginDir: a machine with Helm 3.22.0 on PATH
// and Helm 4.3.1 in use, both on Helm's one default plugin directory. Helm
// 3 loads no plugin at all once a v1 (Helm 4) manifest is in a directory it
// scans, so installing the post-renderer for Helm 4 (install-postrenderer,
// and up's own path) must leave Helm 3 listing todo with no load error,
// while Helm 4 still finds `--post-renderer helm-todo`.
func TestHelm3AndHelm4ShareOnePluginDir(t *testing.T) {
	t.Parallel()
	h4 := newHelmEnv(t, 4)
	h3bin := helmBin(t, 3)
	// The Helm 3 on PATH, by the name users give a second major.
	pathDir := filepath.Join(h4.home, "path")
	if err := os.MkdirAll(pathDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(h3bin, filepath.Join(pathDir, "helm3")); err != nil {
		t.Fatal(err)
	}
	h4.env = prependPath(h4.env, pathDir)
	h3 := &helmEnv{bin: h3bin, home: h4.home, plugins: h4.plugins, env: h4.env} // one shared home

	src := buildPlugin(t, pluginVersion(t, repoRoot(t)))
	h4.mustRun(t, nil, "plugin", "install", src)
	helm3Clean := func(t *testing.T, when string) {
		t.Helper()
		r := h3.run(t, nil, "plugin", "list")
		if r.err != nil || strings.Contains(r.stderr, "failed to load") || !regexp.MustCompile(`(?m)^todo\s`).MatchString(r.stdout) {
			t.Fatalf("%s, Helm 3 lost its plugins (err %v):\n%s", when, r.err, r)
		}
	}
	helm3Clean(t, "after installing todo with Helm 4")
	plain, _ := filepath.Abs("testdata/plain")
	hardenedBy := func(t *testing.T, helmPlugins string) {
		t.Helper()
		r := h4.mustRun(t, []string{"HELM_PLUGINS=" + helmPlugins}, "template", "rel", plain, "--post-renderer", "helm-todo")
		assertHardened(t, r.stdout, parseStream(t, r.stdout), [2]string{"Deployment", "rel-web"}, [2]string{"Job", "rel-migrate"})
	}
	dataHome := filepath.Join(h4.home, "data")
	own := filepath.Join(dataHome, postrendersetup.OwnHomeName, "plugins")

	t.Run("install-postrenderer", func(t *testing.T) {
		r := h4.mustRun(t, nil, "todo", "install-postrenderer")
		helm3Clean(t, "after helm todo install-postrenderer on Helm 4")
		if !strings.Contains(r.stdout, filepath.Join(pathDir, "helm3")+" (Helm v3.") || !strings.Contains(r.stdout, "into "+own) {
			t.Errorf("install-postrenderer does not say which Helm 3 shares the directory and where it installed instead:\n%s", r)
		}
		// The line it prints for the user's own Helm 4 commands, as printed.
		m := regexp.MustCompile(`(?m)^  HELM_PLUGINS=(\S+) \S+ install web ./chart --post-renderer helm-todo$`).FindStringSubmatch(r.stdout)
		if m == nil {
			t.Fatalf("install-postrenderer prints no HELM_PLUGINS line for Helm 4:\n%s", r)
		}
		hardenedBy(t, m[1])
		if r := h4.mustRun(t, nil, "todo", "install-postrenderer"); !strings.Contains(r.stdout, "already installed in "+own) {
			t.Errorf("a second install-postrenderer did not find the plugin where it put it:\n%s", r)
		}
		helm3Clean(t, "after a second install-postrenderer")
	})

	// up on Helm 4 installs into helm-todo's own directory and runs helm with
	// it first in HELM_PLUGINS, with or without a Helm 3 around.
	t.Run("up's path", func(t *testing.T) {
		if err := os.RemoveAll(filepath.Join(dataHome, postrendersetup.OwnHomeName)); err != nil {
			t.Fatal(err)
		}
		dirs := postrendersetup.Dirs{DataHome: dataHome, Plugins: h4.plugins}
		var out bytes.Buffer
		err := postrendersetup.Run(context.Background(), postrendersetup.Options{
			HelmBin: h4.bin, PluginDir: filepath.Join(h4.plugins, filepath.Base(src)), Major: 4, Own: true,
			DataHome: dirs.DataHome, Plugins: dirs.Plugins, Runner: envRunner{env: h4.env}, Out: &out,
		})
		if err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
		helm3Clean(t, "after up's post-renderer setup on Helm 4")
		hardenedBy(t, dirs.WithOwn())
	})

	t.Run("doctor", func(t *testing.T) {
		r := h4.run(t, nil, "todo", "doctor", "--skip-build")
		if !regexp.MustCompile(`\[ok\s*\] helm 3 plugins .*helm3 \(v3\.`).MatchString(r.stdout) {
			t.Errorf("doctor does not check the Helm 3 on PATH:\n%s", r)
		}
	})
}

// TestDoctorFindsHelm3Broken: the breakage as main left it (the Helm 4
// post-renderer plugin in the shared directory). doctor names it and the
// fix, and the fix as printed gives Helm 3 its plugins back.
func TestDoctorFindsHelm3Broken(t *testing.T) {
	t.Parallel()
	h4 := newHelmEnv(t, 4)
	pathDir := filepath.Join(h4.home, "path")
	if err := os.MkdirAll(pathDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(helmBin(t, 3), filepath.Join(pathDir, "helm3")); err != nil {
		t.Fatal(err)
	}
	h4.env = prependPath(h4.env, pathDir)
	h3 := &helmEnv{bin: helmBin(t, 3), home: h4.home, plugins: h4.plugins, env: h4.env}
	src := buildPlugin(t, pluginVersion(t, repoRoot(t)))
	h4.mustRun(t, nil, "plugin", "install", src)
	h4.mustRun(t, nil, "plugin", "install", filepath.Join(src, "plugins", postrendersetup.PluginSubdir)) // as main did
	if r := h3.run(t, nil, "plugin", "list"); r.err == nil && !strings.Contains(r.stderr, "failed to load") {
		t.Fatalf("Helm 3 still loads its plugins beside a v1 manifest; this test proves nothing:\n%s", r)
	}

	r := h4.run(t, nil, "todo", "doctor", "--skip-build")
	line := regexp.MustCompile(`(?m)^\[warn\] helm 3 plugins .*$`).FindString(r.stdout)
	if !strings.Contains(line, "loads no plugin at all") || !strings.Contains(line, filepath.Join(h4.plugins, postrendersetup.PluginSubdir, "plugin.yaml")) {
		t.Fatalf("doctor does not name the manifest that breaks Helm 3:\n%s", r)
	}
	fix := regexp.MustCompile("fix: with Helm 4, `([^`]+)`, then `helm todo install-postrenderer`").FindStringSubmatch(r.stdout)
	if fix == nil {
		t.Fatalf("doctor names no fix:\n%s", r)
	}
	args := strings.Fields(fix[1])
	if args[0] != h4.bin {
		t.Fatalf("the fix runs %s, want the Helm 4 %s", args[0], h4.bin)
	}
	h4.mustRun(t, nil, args[1:]...)
	h4.mustRun(t, nil, "todo", "install-postrenderer")
	if r := h3.run(t, nil, "plugin", "list"); r.err != nil || strings.Contains(r.stderr, "failed to load") || !strings.Contains(r.stdout, "todo") {
		t.Fatalf("after doctor's fix, Helm 3 still loads no plugin:\n%s", r)
	}
}

// TestInstallPostRendererReplacesAnotherVersion: a post-renderer plugin of
// another version than the todo plugin (an upgrade of todo) is replaced,
// not reported as "already installed".
func TestInstallPostRendererReplacesAnotherVersion(t *testing.T) {
	t.Parallel()
	h := newHelmEnv(t, 4)
	version := pluginVersion(t, repoRoot(t))
	src := buildPlugin(t, version)
	old := filepath.Join(h.home, "old", postrendersetup.PluginSubdir)
	manifest, err := os.ReadFile(filepath.Join(src, "plugins", postrendersetup.PluginSubdir, "plugin.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(old, 0o755); err != nil {
		t.Fatal(err)
	}
	oldManifest := regexp.MustCompile(`(?m)^version: .*$`).ReplaceAll(manifest, []byte(`version: "0.0.1"`))
	// The old copy's binary and hook are the todo plugin's, wherever this one lives.
	oldManifest = bytes.ReplaceAll(oldManifest, []byte("$HELM_PLUGIN_DIR/../../"), []byte(src+"/"))
	if err := os.WriteFile(filepath.Join(old, "plugin.yaml"), oldManifest, 0o644); err != nil {
		t.Fatal(err)
	}
	h.mustRun(t, nil, "plugin", "install", src)
	h.mustRun(t, nil, "todo", "install-postrenderer", "--from", old)
	listed := func() string {
		m := regexp.MustCompile(`(?m)^helm-todo\s+(\S+)\s+postrenderer/v1`).FindStringSubmatch(h.mustRun(t, nil, "plugin", "list").stdout)
		if m == nil {
			t.Fatal("plugin list lacks the helm-todo post-renderer plugin")
		}
		return m[1]
	}
	if v := listed(); v != "0.0.1" {
		t.Fatalf("set-up: helm-todo %s installed, want 0.0.1", v)
	}
	r := h.mustRun(t, nil, "todo", "install-postrenderer")
	if !strings.Contains(r.stdout, "is version 0.0.1, this todo plugin is "+version+": replacing it") {
		t.Errorf("install-postrenderer does not say it replaces 0.0.1:\n%s", r)
	}
	if v := listed(); v != version {
		t.Errorf("after install-postrenderer helm-todo is %s, want %s", v, version)
	}
	plain, _ := filepath.Abs("testdata/plain")
	r = h.mustRun(t, nil, "template", "rel", plain, "--post-renderer", "helm-todo")
	assertHardened(t, r.stdout, parseStream(t, r.stdout), [2]string{"Deployment", "rel-web"})
}

// buildPlugin is a copy of the plugin with both binaries built at version,
// so that its install hook has nothing to do.
func buildPlugin(t *testing.T, version string) string {
	t.Helper()
	src := copyPlugin(t)
	for _, cmd := range binaries {
		copyFile(t, builtBinary(t, version, cmd), filepath.Join(src, "bin", cmd), 0o755)
	}
	return src
}

// envRunner runs commands in env instead of the test's own environment.
type envRunner struct{ env []string }

func (e envRunner) Run(ctx context.Context, c command.Cmd) (command.Result, error) {
	cmd := exec.CommandContext(ctx, c.Name, c.Args...)
	cmd.Env = append(append([]string{}, e.env...), c.Env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		err = fmt.Errorf("%s: %w: %s", command.ShellLine(c), err, errb.String())
	}
	return command.Result{Stdout: out.Bytes(), Stderr: errb.Bytes()}, err
}
