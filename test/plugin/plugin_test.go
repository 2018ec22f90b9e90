package plugin_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestPluginHelm3(t *testing.T) { t.Parallel(); testPlugin(t, 3) }
func TestPluginHelm4(t *testing.T) { t.Parallel(); testPlugin(t, 4) }

// testPlugin walks a user's whole life with the plugin under one Helm
// major: install, use, post-render, uninstall. Later steps need the earlier
// ones, so they run in order as subtests of one test.
func testPlugin(t *testing.T, major int) {
	h := newHelmEnv(t, major)
	src := copyPlugin(t)
	version := pluginVersion(t, src)
	// Helm names the install after the directory: a clone is "helm-todo",
	// which the Helm 4 post-renderer plugin must not collide with.
	installed := filepath.Join(h.plugins, filepath.Base(src))
	// What Helm runs as the post-renderer: the small binary, never helm-todo.
	prBin := filepath.Join(installed, "bin", "helm-todo-postrender")

	// The hook finds no release to download (no network) and builds.
	r := h.mustRun(t, nil, "plugin", "install", src)
	if out := r.stdout + r.stderr; !strings.Contains(out, "built from source") {
		t.Fatalf("the install hook did not build the binaries:\n%s", r)
	}
	requireInstalled(t, installed, version)

	t.Run("list", func(t *testing.T) {
		r := h.mustRun(t, nil, "plugin", "list")
		if !regexp.MustCompile(`(?m)^todo\s+` + regexp.QuoteMeta(version) + `\s`).MatchString(r.stdout) {
			t.Errorf("plugin list lacks todo %s:\n%s", version, r.stdout)
		}
	})

	t.Run("version", func(t *testing.T) {
		if r := h.mustRun(t, nil, "todo", "version"); strings.TrimSpace(r.stdout) != version {
			t.Errorf("helm todo version = %q, want %q (plugin.yaml)", r.stdout, version)
		}
	})

	// `helm todo <TAB>`: Helm runs the plugin's plugin.complete.
	t.Run("completion", func(t *testing.T) {
		for args, want := range map[string][]string{
			"":          {"up\t", "down\t", "render\t", "doctor\t"},
			"up --ti":   {"--timeout\t"},
			"down --de": {"--delete-namespace\t"},
		} {
			words := append([]string{"__complete", "todo"}, strings.Fields(args)...)
			if args == "" || !strings.HasSuffix(args, " ") && len(strings.Fields(args)) < 2 {
				words = append(words, "")
			}
			r := h.mustRun(t, nil, words...)
			for _, w := range want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("helm %s lacks %q:\n%s", strings.Join(words, " "), w, r.stdout)
				}
			}
			if strings.Contains(r.stdout, "Completion ended") {
				t.Errorf("cobra's debug line became a completion:\n%s", r.stdout)
			}
		}
	})

	t.Run("help", func(t *testing.T) {
		r := h.mustRun(t, nil, "todo", "--help")
		for _, want := range []string{"install-postrenderer", "render", "post-render", "--namespace", "--kube-context"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("helm todo --help lacks %q:\n%s", want, r.stdout)
			}
		}
	})

	t.Run("environment from helm", func(t *testing.T) { testEnvironment(t, h, installed) })

	t.Run("post-renderer", func(t *testing.T) {
		if _, err := os.Stat(filepath.Join(src, "charts", "todo-app", "Chart.yaml")); err != nil {
			t.Fatalf("charts/todo-app/Chart.yaml missing: %v", err)
		}
		if major == 3 {
			testPostRendererHelm3(t, h, src, prBin)
		} else {
			testPostRendererHelm4(t, h, src)
		}
	})

	t.Run("broken policy", func(t *testing.T) { testBrokenPolicy(t, h, major, src, prBin) })

	t.Run("uninstall", func(t *testing.T) {
		if major == 4 && strings.Contains(h.mustRun(t, nil, "plugin", "list").stdout, "helm-todo") {
			h.mustRun(t, nil, "plugin", "uninstall", "helm-todo")
		}
		h.mustRun(t, nil, "plugin", "uninstall", "todo")
		if r := h.mustRun(t, nil, "plugin", "list"); regexp.MustCompile(`(?m)^(todo|helm-todo)\s`).MatchString(r.stdout) {
			t.Errorf("plugin list still shows the plugin:\n%s", r.stdout)
		}
		entries, err := os.ReadDir(h.plugins)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, e := range entries {
			t.Errorf("left behind in HELM_PLUGINS: %s", e.Name())
		}
		// A local install is a symlink: uninstalling must not delete the
		// user's checkout.
		if _, err := os.Stat(filepath.Join(src, "plugin.yaml")); err != nil {
			t.Errorf("uninstall removed the source directory: %v", err)
		}
	})
}

// testEnvironment checks that what Helm hands a CLI plugin reaches
// helm-todo's settings, and that a flag beats its variable. The render
// fails on a missing chart, after --debug printed the resolved settings.
func testEnvironment(t *testing.T, h *helmEnv, pluginDir string) {
	kubeconfig := filepath.Join(h.home, "kubeconfig")
	noChart := filepath.Join(h.home, "no-such-chart")
	env := []string{"HELM_NAMESPACE=ns-from-env", "HELM_KUBECONTEXT=ctx-from-env", "KUBECONFIG=" + kubeconfig, "HELM_DEBUG=true"}
	tests := map[string]struct {
		args []string
		want []string
	}{
		"env only": {
			args: []string{"todo", "render", "--chart", noChart},
			want: []string{"helm-bin=" + h.bin + " ", "namespace=ns-from-env ", "kube-context=ctx-from-env ",
				"kubeconfig=" + kubeconfig + " ", "plugin-dir=" + pluginDir + " "},
		},
		"flags beat env": {
			args: []string{"todo", "render", "--chart", noChart, "-n", "ns-from-flag", "--kube-context", "ctx-from-flag"},
			want: []string{"namespace=ns-from-flag ", "kube-context=ctx-from-flag "},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := h.run(t, env, tc.args...)
			if r.err == nil {
				t.Fatalf("render of a missing chart succeeded:\n%s", r)
			}
			line := regexp.MustCompile(`(?m)^debug: helm-bin=.*$`).FindString(r.stderr)
			if line == "" {
				t.Fatalf("no debug line with the settings (HELM_DEBUG=true):\n%s", r)
			}
			for _, w := range tc.want {
				if !strings.Contains(line+" ", w) {
					t.Errorf("debug line %q lacks %q", line, w)
				}
			}
			if !strings.Contains(r.stderr, noChart) {
				t.Errorf("the error does not name the missing chart %s:\n%s", noChart, r.stderr)
			}
		})
	}
}

// testPostRendererHelm3: Helm 3 resolves --post-renderer on PATH, so
// install-postrenderer links the post-renderer binary (bin) into a bin dir as
// helm-todo; an absolute path works with no setup. Helm 3 never post-renders
// hooks.
func testPostRendererHelm3(t *testing.T, h *helmEnv, src, bin string) {
	binDir := filepath.Join(h.home, "bin")
	r := h.mustRun(t, nil, "todo", "install-postrenderer", "--bin-dir", binDir)
	if !strings.Contains(r.stdout, `export PATH="`+binDir+`:$PATH"`) {
		t.Errorf("install-postrenderer does not print the PATH line for %s:\n%s", binDir, r)
	}
	if got, err := os.Readlink(filepath.Join(binDir, "helm-todo")); err != nil || got != bin {
		t.Fatalf("%s/helm-todo -> %q (%v), want -> %s", binDir, got, err, bin)
	}
	if r := h.mustRun(t, nil, "todo", "install-postrenderer", "--bin-dir", binDir); !strings.Contains(r.stdout, "already links") {
		t.Errorf("a second install-postrenderer did not report the existing link:\n%s", r)
	}
	onPath := []string{"PATH=" + binDir + string(os.PathListSeparator) + os.Getenv("PATH")}
	plain, _ := filepath.Abs("testdata/plain")

	t.Run("unhardened chart fails restricted without the post-renderer", func(t *testing.T) {
		r := h.mustRun(t, nil, "template", "rel", plain)
		if len(psaFailures(t, r.stdout)) == 0 {
			t.Fatal("testdata/plain passes restricted on its own; the post-renderer tests below would prove nothing")
		}
	})
	for name, pr := range map[string]struct {
		env []string
		arg string
	}{
		"by name on PATH":  {env: onPath, arg: "helm-todo"},
		"by absolute path": {arg: bin},
	} {
		t.Run(name, func(t *testing.T) {
			r := h.mustRun(t, pr.env, "template", "rel", plain, "--post-renderer", pr.arg)
			docs := parseStream(t, r.stdout)
			assertHardened(t, hooksOut(r.stdout), docs, [2]string{"Deployment", "rel-web"})
			if gaps := hardeningGaps(find(t, docs, "Job", "rel-migrate")); len(gaps) == 0 {
				t.Errorf("Helm 3 post-rendered the hook Job; Helm 3 never post-renders hooks, so the chart must harden its hooks")
			}
			r = h.mustRun(t, pr.env, "template", "todo", filepath.Join(src, "charts", "todo-app"), "-n", "todo-app", "--post-renderer", pr.arg)
			docs = parseStream(t, r.stdout)
			assertHardened(t, r.stdout, docs, [2]string{"Deployment", "todo-backend"}, [2]string{"Deployment", "todo-frontend"},
				[2]string{"Job", "todo-migrate"})
		})
	}
	t.Run("name not on PATH is a clear error", func(t *testing.T) {
		if p, err := exec.LookPath("helm-todo"); err == nil {
			t.Skipf("the developer's PATH already has %s", p)
		}
		r := h.run(t, nil, "template", "rel", plain, "--post-renderer", "helm-todo")
		if r.err == nil || !strings.Contains(r.stderr, "helm-todo") {
			t.Errorf("helm 3 with helm-todo off PATH: err %v\n%s", r.err, r)
		}
	})
}

// hooksOut drops Helm 3's un-post-rendered hooks from a stream, for the
// restricted check of what the post-renderer did see.
func hooksOut(stream string) string {
	var keep []string
	for _, part := range separator.Split(stream, -1) {
		if !strings.Contains(part, "helm.sh/hook:") {
			keep = append(keep, part)
		}
	}
	return strings.Join(keep, "\n---\n")
}

// testPostRendererHelm4: Helm 4 resolves --post-renderer to a plugin, which
// install-postrenderer installs; hooks go through it too.
func testPostRendererHelm4(t *testing.T, h *helmEnv, src string) {
	r := h.mustRun(t, nil, "todo", "install-postrenderer")
	if !strings.Contains(r.stdout, "installed the helm-todo post-renderer plugin") {
		t.Errorf("install-postrenderer output:\n%s", r)
	}
	if r := h.mustRun(t, nil, "plugin", "list"); !regexp.MustCompile(`(?m)^helm-todo\s+\S+\s+postrenderer/v1\s`).MatchString(r.stdout) {
		t.Fatalf("plugin list lacks the helm-todo postrenderer/v1 plugin:\n%s", r.stdout)
	}
	if r := h.mustRun(t, nil, "todo", "install-postrenderer"); !strings.Contains(r.stdout, "already installed") {
		t.Errorf("a second install-postrenderer did not report the installed plugin:\n%s", r)
	}
	plain, _ := filepath.Abs("testdata/plain")

	t.Run("unhardened chart, hook included", func(t *testing.T) {
		if r := h.mustRun(t, nil, "template", "rel", plain); len(psaFailures(t, r.stdout)) == 0 {
			t.Fatal("testdata/plain passes restricted on its own; this test would prove nothing")
		}
		r := h.mustRun(t, nil, "template", "rel", plain, "--post-renderer", "helm-todo")
		assertHardened(t, r.stdout, parseStream(t, r.stdout), [2]string{"Deployment", "rel-web"}, [2]string{"Job", "rel-migrate"})
	})
	t.Run("todo-app, migration Job included", func(t *testing.T) {
		r := h.mustRun(t, nil, "template", "todo", filepath.Join(src, "charts", "todo-app"), "-n", "todo-app", "--post-renderer", "helm-todo")
		docs := parseStream(t, r.stdout)
		assertHardened(t, r.stdout, docs, [2]string{"Deployment", "todo-backend"}, [2]string{"Deployment", "todo-frontend"},
			[2]string{"Job", "todo-migrate"})
		job := find(t, docs, "Job", "todo-migrate")
		if get(job.Obj, "metadata", "annotations", "helm.sh/hook") == nil {
			t.Errorf("the migration Job lost its helm.sh/hook annotation in post-rendering")
		}
	})
}

// testBrokenPolicy: a policy that does not parse makes `helm template` fail
// under both majors, and `helm todo render` shows the real error (Helm 4
// swallows the post-renderer's stderr).
func testBrokenPolicy(t *testing.T, h *helmEnv, major int, src, bin string) {
	chartDir := filepath.Join(src, "charts", "todo-app")
	if _, err := os.Stat(filepath.Join(chartDir, "Chart.yaml")); err != nil {
		t.Fatalf("charts/todo-app/Chart.yaml missing: %v", err)
	}
	policy, _ := filepath.Abs("testdata/broken-policy.yaml")
	pr := bin
	if major == 4 {
		pr = "helm-todo" // installed by the post-renderer subtest
	}
	r := h.run(t, nil, "template", "todo", chartDir, "--post-renderer", pr, "--post-renderer-args", "--config="+policy)
	if r.err == nil {
		t.Fatalf("helm template with a broken policy succeeded:\n%s", r)
	}
	if strings.Contains(r.stdout, "kind: Deployment") {
		t.Errorf("helm template printed manifests although the post-renderer failed")
	}
	if major == 3 && !strings.Contains(r.stderr, "broken-policy.yaml") {
		t.Errorf("helm 3 shows the post-renderer's stderr, which should name the policy file:\n%s", r.stderr)
	}

	r = h.run(t, nil, "todo", "render", "--chart", chartDir, "--config", policy)
	if r.err == nil {
		t.Fatalf("helm todo render with a broken policy succeeded:\n%s", r)
	}
	if r.stdout != "" {
		t.Errorf("helm todo render wrote output although it failed:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "error:") || !strings.Contains(r.stderr, "broken-policy.yaml") {
		t.Errorf("helm todo render does not show the real error naming the policy file:\n%s", r.stderr)
	}
}

// The version lives once, in plugin.yaml; the post-renderer plugin's copy
// (Helm 4 requires one) must follow it.
func TestPostRendererPluginVersionFollowsRoot(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	if got, want := pluginVersion(t, filepath.Join(root, "plugins", "helm-todo-postrenderer")), pluginVersion(t, root); got != want {
		t.Errorf("plugins/helm-todo-postrenderer/plugin.yaml has version %s, plugin.yaml %s: make them equal", got, want)
	}
}
