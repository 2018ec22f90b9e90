// Package plugin_test drives the real helm v3.22.0 and v4.3.1 binaries from
// .tools/ against this repository as a plugin: install (with the hook
// building the binary offline), the post-renderer under both majors, the
// environment Helm hands a plugin, and install-binary.sh on its own.
//
// Every Helm runs in a throwaway HELM_DATA_HOME/HELM_CONFIG_HOME/
// HELM_CACHE_HOME, with HELM_PLUGINS inside HELM_DATA_HOME: Helm 4's local
// installer writes to $HELM_DATA_HOME/plugins whatever HELM_PLUGINS says.
package plugin_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// unreachable is a download base URL that refuses connections at once, the
// "no network" of these tests.
const unreachable = "http://127.0.0.1:1"

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// pluginVersion is plugin.yaml's version: the one source of truth.
func pluginVersion(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "plugin.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^version:\s*"?([^"\s]+)"?\s*$`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no version in %s/plugin.yaml", dir)
	}
	return string(m[1])
}

// helmBin returns the path of .tools/helmN/helm, skipping when it is absent.
func helmBin(t *testing.T, major int) string {
	t.Helper()
	p := filepath.Join(repoRoot(t), ".tools", map[int]string{3: "helm3", 4: "helm4"}[major], "helm")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s not built; run make tools", p)
	}
	return p
}

// copyPlugin copies the plugin's source tree (what git tracks, or would,
// minus ignored files such as bin/) into a fresh directory, so that
// installing it starts with no bin/helm-todo and never touches the checkout.
// Tests and dot-directories stay out: a plugin needs neither.
func copyPlugin(t *testing.T) string {
	t.Helper()
	root := repoRoot(t)
	out, err := exec.Command("git", "-C", root, "ls-files", "-co", "--exclude-standard", "-z").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	dst := filepath.Join(t.TempDir(), "helm-todo")
	for _, f := range strings.Split(string(out), "\x00") {
		if f == "" || strings.HasPrefix(f, ".") || strings.HasPrefix(f, "test/") {
			continue
		}
		src := filepath.Join(root, f)
		info, err := os.Lstat(src)
		if err != nil || !info.Mode().IsRegular() {
			continue // deleted in the working tree, or not a file
		}
		copyFile(t, src, filepath.Join(dst, f), info.Mode().Perm())
	}
	return dst
}

func copyFile(t *testing.T, src, dst string, perm os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// helmEnv is one throwaway Helm home.
type helmEnv struct {
	bin     string // the helm binary
	home    string
	plugins string // HELM_PLUGINS
	env     []string
}

func newHelmEnv(t *testing.T, major int) *helmEnv {
	t.Helper()
	h := &helmEnv{bin: helmBin(t, major), home: t.TempDir()}
	h.plugins = filepath.Join(h.home, "data", "plugins")
	h.env = cleanEnv(
		"HELM_DATA_HOME="+filepath.Join(h.home, "data"),
		"HELM_PLUGINS="+h.plugins,
		"HELM_CONFIG_HOME="+filepath.Join(h.home, "config"),
		"HELM_CACHE_HOME="+filepath.Join(h.home, "cache"),
		// No network: the install hook must fall back to building, and the
		// build must use only the module cache.
		"HELM_TODO_DOWNLOAD_URL="+unreachable,
		"GOPROXY=off",
	)
	return h
}

// cleanEnv is the test's environment without anything Helm or helm-todo
// would read from the developer's shell, plus extra.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "HELM_") || k == "KUBECONFIG" || k == "GOFLAGS" || k == "GOPROXY" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

type result struct {
	stdout, stderr string
	err            error
}

func (r result) String() string {
	return "stdout:\n" + r.stdout + "\nstderr:\n" + r.stderr
}

// run runs helm with args; extra env entries override the home's.
func (h *helmEnv) run(t *testing.T, extraEnv []string, args ...string) result {
	t.Helper()
	return runCmd(t, "", append(append([]string{}, h.env...), extraEnv...), h.bin, args...)
}

// mustRun is run that fails the test on a non-zero exit.
func (h *helmEnv) mustRun(t *testing.T, extraEnv []string, args ...string) result {
	t.Helper()
	r := h.run(t, extraEnv, args...)
	if r.err != nil {
		t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), r.err, r)
	}
	return r
}

func runCmd(t *testing.T, dir string, env []string, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return result{stdout: out.String(), stderr: errb.String(), err: err}
}

// prependPath returns env with dir first on PATH.
func prependPath(env []string, dir string) []string {
	out := make([]string, 0, len(env)+1)
	path := os.Getenv("PATH")
	for _, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			path = strings.TrimPrefix(kv, "PATH=")
			continue
		}
		out = append(out, kv)
	}
	return append(out, "PATH="+dir+string(os.PathListSeparator)+path)
}

// builds holds the binaries built once per version for the whole test
// binary: linking helm-todo is most of a plugin test's CPU, and the tests
// that are not about install-binary.sh's build path only need a build at
// plugin.yaml's version to be there.
var builds struct {
	mu   sync.Mutex
	root string // removed by TestMain
	dirs map[string]*builtBins
}

type builtBins struct {
	once sync.Once
	dir  string // holds helm-todo and helm-todo-postrender
	err  error
}

func TestMain(m *testing.M) {
	root, err := os.MkdirTemp("", "helm-todo-plugin-test-bins.")
	if err != nil {
		panic(err)
	}
	builds.root = root
	code := m.Run()
	os.RemoveAll(root)
	os.Exit(code)
}

// builtBinary is the path of cmd/name built with version injected (as
// install-binary.sh builds it), linked at most once per version per run.
func builtBinary(t *testing.T, version, name string) string {
	t.Helper()
	builds.mu.Lock()
	if builds.dirs == nil {
		builds.dirs = map[string]*builtBins{}
	}
	b := builds.dirs[version]
	if b == nil {
		b = &builtBins{dir: filepath.Join(builds.root, version)}
		builds.dirs[version] = b
	}
	builds.mu.Unlock()
	b.once.Do(func() {
		ldflags := "-s -w -X github.com/helm-todo/helm-todo/internal/version.Version=" + version
		for _, cmd := range binaries {
			c := exec.Command("go", "build", "-trimpath", "-ldflags", ldflags, "-o", filepath.Join(b.dir, cmd), "./cmd/"+cmd)
			c.Dir = repoRoot(t)
			if out, err := c.CombinedOutput(); err != nil {
				b.err = fmt.Errorf("go build %s: %v\n%s", cmd, err, out)
				return
			}
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return filepath.Join(b.dir, name)
}
