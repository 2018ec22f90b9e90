package plugin_test

import (
	"bytes"
	"github.com/helm-todo/helm-todo/internal/testsupport/needtool"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// signingKey is a throwaway GPG key: the secret keyring `make dist` signs
// with (Helm reads a binary or armored export, not gpg's own store) and the
// public keyring Helm 4 verifies with.
type signingKey struct {
	name, secring, pubring, passFile string
}

func newSigningKey(t *testing.T, name, passphrase string) signingKey {
	t.Helper()
	needtool.Path(t, "gpg", "gnupg")
	dir := t.TempDir()
	home := filepath.Join(dir, "gnupg")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	gpg := func(out string, args ...string) {
		t.Helper()
		cmd := exec.Command("gpg", append([]string{"--batch", "--homedir", home, "--pinentry-mode", "loopback", "--passphrase", passphrase}, args...)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("gpg %v: %v\n%s", args, err, stderr.String())
		}
		if out != "" {
			if err := os.WriteFile(out, stdout.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	k := signingKey{name: name, secring: filepath.Join(dir, "secring.gpg"), pubring: filepath.Join(dir, "pubring.gpg")}
	gpg("", "--quick-gen-key", name+" <"+strings.ReplaceAll(name, " ", "-")+"@example.invalid>", "rsa2048", "sign", "never")
	gpg(k.secring, "--export-secret-keys")
	gpg(k.pubring, "--export")
	if passphrase != "" {
		k.passFile = filepath.Join(dir, "passphrase")
		if err := os.WriteFile(k.passFile, []byte(passphrase+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// gpg-agent was started for this home; stop it with the test.
	t.Cleanup(func() { _ = exec.Command("gpgconf", "--homedir", home, "--kill", "gpg-agent").Run() })
	return k
}

// release is `make dist` for the host platform, served over HTTP in the
// GitHub releases layout (<url>/v<version>/<file>), which is also where
// install-binary.sh downloads the binaries from.
type release struct {
	version, dir, url string
}

func (r release) archive(name string) string { return r.url + "/v" + r.version + "/" + name }

func makeDist(t *testing.T, key *signingKey) release {
	t.Helper()
	root := repoRoot(t)
	helmBin(t, 4) // dist packages with Helm 4
	r := release{version: pluginVersion(t, root)}
	releases := t.TempDir()
	r.dir = filepath.Join(releases, "v"+r.version)
	srv := httptest.NewServer(http.FileServer(http.Dir(releases)))
	t.Cleanup(srv.Close)
	r.url = srv.URL
	env := cleanEnv("RELEASE_URL=" + r.url + "/v" + r.version)
	if key != nil {
		env = append(env, "HELM_TODO_SIGN_KEY="+key.name, "HELM_TODO_SIGN_KEYRING="+key.secring, "HELM_TODO_SIGN_PASSPHRASE_FILE="+key.passFile)
	}
	res := runMakeDist(t, env, r.dir)
	signed := "Successfully signed"
	if key == nil {
		signed = "the plugin archives are UNSIGNED"
	}
	if !strings.Contains(res.stdout+res.stderr, signed) {
		t.Errorf("make dist does not say %q:\n%s", signed, res)
	}
	return r
}

// distMu keeps `make dist` to one run at a time: the runs share one
// HELM_TODO_DIST_BUILD_DIR, so that only the first links the binaries.
var distMu sync.Mutex

// runMakeDist runs `make dist` for the host platform into dir with env
// (cleanEnv's), under the host's cgo setting, so that dist reuses the
// cache of other builds instead of rebuilding everything static.
func runMakeDist(t *testing.T, env []string, dir string) result {
	t.Helper()
	cgo, err := exec.Command("go", "env", "CGO_ENABLED").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	env = append(env, "CGO_ENABLED="+strings.TrimSpace(string(cgo)), "HELM_TODO_DIST_BUILD_DIR="+filepath.Join(builds.root, "dist"))
	distMu.Lock()
	defer distMu.Unlock()
	res := runCmd(t, repoRoot(t), env, "make", "--no-print-directory", "dist", "PLATFORMS="+runtime.GOOS+"/"+runtime.GOARCH, "DIST="+dir)
	if res.err != nil {
		t.Fatalf("make dist: %v\n%s", res.err, res)
	}
	return res
}

// helm4Home is a Helm 4 home whose install hooks download from rel.
func helm4Home(t *testing.T, rel release) (*helmEnv, []string) {
	return newHelmEnv(t, 4), []string{"HELM_TODO_DOWNLOAD_URL=" + rel.url}
}

// requireNothingInstalled: no plugin listed, nothing left in the plugins dir.
func requireNothingInstalled(t *testing.T, h *helmEnv) {
	t.Helper()
	r := h.mustRun(t, nil, "plugin", "list")
	if strings.Contains(r.stdout, "todo") {
		t.Errorf("a refused install left a plugin listed:\n%s", r.stdout)
	}
	if entries, err := os.ReadDir(h.plugins); err == nil && len(entries) > 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("a refused install left %v in %s", names, h.plugins)
	}
}

func pluginListRow(t *testing.T, h *helmEnv, name string) []string {
	t.Helper()
	r := h.mustRun(t, nil, "plugin", "list")
	for _, l := range strings.Split(r.stdout, "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] == name {
			return f
		}
	}
	t.Fatalf("helm plugin list has no %s:\n%s", name, r.stdout)
	return nil
}

// TestDist is the release as users get it: the signed plugin archives of
// `make dist` installed by the real Helm 4 (verified: HTTP and OCI) and Helm 3
// (HTTP), refusals of a tampered archive, a missing .prov and a wrong key,
// and git installs served by `git daemon`.
func TestDist(t *testing.T) {
	t.Parallel()
	key := newSigningKey(t, "helm-todo test release", "s3cret pass")
	rel := makeDist(t, &key)
	for _, f := range []string{"todo-" + rel.version + ".tgz", "todo-" + rel.version + ".tgz.prov", "helm-todo-" + rel.version + ".tgz", "helm-todo-" + rel.version + ".tgz.prov", "todo-" + rel.version + "-helm3.tar.gz"} {
		if _, err := os.Stat(filepath.Join(rel.dir, f)); err != nil {
			t.Fatalf("make dist did not write %s: %v", f, err)
		}
	}
	t.Run("manifests", func(t *testing.T) { checkDistManifests(t, rel) })

	t.Run("helm 4 installs both archives verified over HTTP", func(t *testing.T) {
		h, env := helm4Home(t, rel)
		r := h.mustRun(t, env, "plugin", "install", rel.archive("todo-"+rel.version+".tgz"), "--keyring", key.pubring)
		for _, want := range []string{"Verifying plugin signature", "Signed by: helm-todo test release", "Plugin Hash Verified: sha256:", "Installed plugin: todo"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("install output lacks %q:\n%s", want, r)
			}
		}
		if got := strings.TrimSpace(h.mustRun(t, env, "todo", "version").stdout); got != rel.version {
			t.Errorf("helm todo version = %q, want %q", got, rel.version)
		}
		checkArchiveInstallRenders(t, h, env)
		// No --from: the release recorded in the todo plugin, verified.
		r = h.mustRun(t, env, "todo", "install-postrenderer", "--keyring", key.pubring)
		for _, want := range []string{"from " + rel.archive("helm-todo-"+rel.version+".tgz"), "verified with the keyring", "Plugin Hash Verified", "installed the helm-todo post-renderer plugin"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("install-postrenderer output lacks %q:\n%s", want, r)
			}
		}
		t.Logf("helm todo install-postrenderer:\n%s", r.stdout)
		for _, p := range []string{"todo", "helm-todo"} {
			if row := pluginListRow(t, h, p); row[4] != "signed" {
				t.Errorf("helm plugin list shows %s with provenance %q, want signed: %v", p, row[4], row)
			}
		}
		t.Logf("helm plugin list:\n%s", h.mustRun(t, nil, "plugin", "list").stdout)
		r = h.mustRun(t, env, "template", "web", filepath.Join(repoRoot(t), "test", "plugin", "testdata", "plain"), "--post-renderer", "helm-todo")
		for _, want := range []string{"runAsNonRoot: true", "readOnlyRootFilesystem: true"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("--post-renderer helm-todo did not harden the chart (no %q):\n%s", want, r.stdout)
			}
		}
		// Helm cannot update an archive install; it says so.
		r = h.run(t, env, "plugin", "update", "todo")
		t.Logf("helm plugin update todo (HTTP archive): err=%v\n%s", r.err, r)
		if r.err == nil || !strings.Contains(r.stderr, "cannot get information about plugin source") {
			t.Errorf("helm plugin update of an archive install: want Helm's refusal naming the source:\n%s", r)
		}
	})

	t.Run("helm 4 refuses", func(t *testing.T) {
		other := newSigningKey(t, "someone else", "")
		archive := "todo-" + rel.version + ".tgz"
		data, err := os.ReadFile(filepath.Join(rel.dir, archive))
		if err != nil {
			t.Fatal(err)
		}
		prov, err := os.ReadFile(filepath.Join(rel.dir, archive+".prov"))
		if err != nil {
			t.Fatal(err)
		}
		tampered := append([]byte{}, data...)
		tampered[len(tampered)/2] ^= 0xff
		tests := map[string]struct {
			archive, prov []byte
			keyring       string
			want          string
		}{
			"a tampered archive": {archive: tampered, prov: prov, keyring: key.pubring, want: "sha256 sum does not match"},
			"a missing .prov":    {archive: data, keyring: key.pubring, want: "no provenance file (.prov) found"},
			"a wrong key":        {archive: data, prov: prov, keyring: other.pubring, want: "plugin verification failed: openpgp: signature made by unknown entity"},
		}
		for name, tc := range tests {
			t.Run(name, func(t *testing.T) {
				dir := filepath.Join(rel.dir, "..", strings.ReplaceAll(name, " ", "-"))
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				must := func(err error) {
					if err != nil {
						t.Fatal(err)
					}
				}
				must(os.WriteFile(filepath.Join(dir, archive), tc.archive, 0o644))
				if tc.prov != nil {
					must(os.WriteFile(filepath.Join(dir, archive+".prov"), tc.prov, 0o644))
				}
				h, env := helm4Home(t, rel)
				r := h.run(t, env, "plugin", "install", rel.url+"/"+filepath.Base(dir)+"/"+archive, "--keyring", tc.keyring)
				if r.err == nil {
					t.Fatalf("Helm 4 installed %s:\n%s", name, r)
				}
				if !strings.Contains(r.stderr, tc.want) {
					t.Errorf("Helm 4's message lacks %q:\n%s", tc.want, r)
				}
				t.Logf("Helm 4 on %s: %s", name, strings.TrimSpace(r.stderr))
				requireNothingInstalled(t, h)
			})
		}
	})

	t.Run("helm 4 installs both from OCI verified", func(t *testing.T) {
		reg := startRegistry(t)
		for _, p := range []string{"todo", "helm-todo"} {
			pushPlugin(t, reg, "helm-todo/"+p, rel.version, filepath.Join(rel.dir, p+"-"+rel.version+".tgz"))
		}
		h, env := helm4Home(t, rel)
		r := h.mustRun(t, env, "plugin", "install", "oci://"+reg+"/helm-todo/todo:"+rel.version, "--plain-http", "--keyring", key.pubring)
		if !strings.Contains(r.stdout, "Plugin Hash Verified") || !strings.Contains(r.stdout, "Installed plugin: todo") {
			t.Errorf("OCI install output:\n%s", r)
		}
		r = h.mustRun(t, env, "todo", "install-postrenderer", "--from", "oci://"+reg+"/helm-todo", "--plain-http", "--keyring", key.pubring)
		if !strings.Contains(r.stdout, "Plugin Hash Verified") || !strings.Contains(r.stdout, "installed the helm-todo post-renderer plugin") {
			t.Errorf("install-postrenderer --from oci:// output:\n%s", r)
		}
		for _, p := range []string{"todo", "helm-todo"} {
			if row := pluginListRow(t, h, p); row[4] != "signed" {
				t.Errorf("helm plugin list shows %s with provenance %q, want signed: %v", p, row[4], row)
			}
		}
		if got := strings.TrimSpace(h.mustRun(t, env, "todo", "version").stdout); got != rel.version {
			t.Errorf("helm todo version = %q, want %q", got, rel.version)
		}
		r = h.mustRun(t, env, "template", "web", filepath.Join(repoRoot(t), "test", "plugin", "testdata", "plain"), "--post-renderer", "helm-todo")
		if !strings.Contains(r.stdout, "runAsNonRoot: true") {
			t.Errorf("--post-renderer helm-todo did not harden the chart:\n%s", r.stdout)
		}
	})

	t.Run("helm 3 installs from the HTTP URL", func(t *testing.T) {
		h := newHelmEnv(t, 3)
		env := []string{"HELM_TODO_DOWNLOAD_URL=" + rel.url}
		r := h.mustRun(t, env, "plugin", "install", rel.archive("todo-"+rel.version+"-helm3.tar.gz"))
		if !strings.Contains(r.stderr+r.stdout, "sha256 verified") {
			t.Errorf("the hook did not verify the binary download:\n%s", r)
		}
		if got := strings.TrimSpace(h.mustRun(t, env, "todo", "version").stdout); got != rel.version {
			t.Errorf("helm todo version = %q, want %q", got, rel.version)
		}
		checkArchiveInstallRenders(t, h, env)
		bin := filepath.Join(h.home, "data", "plugins", "todo", "bin", "helm-todo-postrender")
		r = h.mustRun(t, env, "template", "web", filepath.Join(repoRoot(t), "test", "plugin", "testdata", "plain"), "--post-renderer", bin)
		if !strings.Contains(r.stdout, "runAsNonRoot: true") {
			t.Errorf("--post-renderer %s did not harden the chart:\n%s", bin, r.stdout)
		}
	})

	t.Run("git daemon", func(t *testing.T) {
		url := serveGit(t)
		for _, major := range []int{3, 4} {
			h := newHelmEnv(t, major)
			env := []string{"HELM_TODO_DOWNLOAD_URL=" + rel.url}
			args := []string{"plugin", "install", url}
			if major == 4 {
				r := h.run(t, env, args...)
				if r.err == nil || !strings.Contains(r.stderr, "--verify=false") {
					t.Errorf("Helm 4 installed a git URL with verification on, or did not say why not:\n%s", r)
				}
				args = append(args, "--verify=false")
			}
			h.mustRun(t, env, args...)
			if got := strings.TrimSpace(h.mustRun(t, env, "todo", "version").stdout); got != rel.version {
				t.Errorf("helm %d: helm todo version = %q, want %q", major, got, rel.version)
			}
			r := h.mustRun(t, env, "plugin", "update", "todo")
			if !strings.Contains(r.stdout, "Updated plugin: todo") {
				t.Errorf("helm %d plugin update of a git install:\n%s", major, r)
			}
		}
	})
}

// TestDistUnsigned: without HELM_TODO_SIGN_KEY the archives are written and
// make dist says they are unsigned; Helm 4 refuses them unless --verify=false.
func TestDistUnsigned(t *testing.T) {
	t.Parallel()
	rel := makeDist(t, nil)
	if _, err := os.Stat(filepath.Join(rel.dir, "todo-"+rel.version+".tgz.prov")); err == nil {
		t.Errorf("an unsigned dist wrote a .prov")
	}
	h, env := helm4Home(t, rel)
	src := rel.archive("todo-" + rel.version + ".tgz")
	if r := h.run(t, env, "plugin", "install", src); r.err == nil || !strings.Contains(r.stderr, "no provenance file") {
		t.Errorf("Helm 4 installed an unsigned archive with verification on:\n%s", r)
	}
	h.mustRun(t, env, "plugin", "install", src, "--verify=false")
	if got := strings.TrimSpace(h.mustRun(t, env, "todo", "version").stdout); got != rel.version {
		t.Errorf("helm todo version = %q, want %q", got, rel.version)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitHTTP waits until url answers, or fails after a minute.
func waitTCP(t *testing.T, addr string, exited <-chan struct{}) {
	t.Helper()
	for i := 0; i < 600; i++ {
		select {
		case <-exited:
			t.Fatalf("the server for %s exited", addr)
		default:
		}
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("nothing listens on %s after a minute", addr)
}

// startProcess runs a server for the test's lifetime.
func startProcess(t *testing.T, addr string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	// Its own process group: `git daemon` runs git-daemon as a child, which
	// must go too (and would otherwise hold the output pipe open).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Skipf("%s: %v", name, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
		if t.Failed() {
			t.Logf("%s log:\n%s", name, logs.String())
		}
	})
	waitTCP(t, addr, exited)
}

// startRegistry runs Debian's docker-registry (distribution) on a free
// loopback port with its own config and storage; it returns host:port.
func startRegistry(t *testing.T) string {
	t.Helper()
	bin := needtool.Path(t, "docker-registry", "docker-registry")
	dir := t.TempDir()
	addr := freePort(t)
	config := "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: " + filepath.Join(dir, "data") +
		"\n  delete:\n    enabled: true\nhttp:\n  addr: " + addr + "\n"
	cfg := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfg, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	startProcess(t, addr, bin, "serve", cfg)
	return addr
}

// serveGit commits the plugin's source to a repository served by `git
// daemon` on a free loopback port; it returns the git:// URL.
func serveGit(t *testing.T) string {
	t.Helper()
	src := copyPlugin(t)
	git := func(dir string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "init.defaultBranch=main"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git(src, "init", "-q")
	git(src, "add", "-A")
	git(src, "commit", "-q", "-m", "helm-todo")
	base := t.TempDir()
	git(base, "clone", "-q", "--bare", src, filepath.Join(base, "helm-todo.git"))
	addr := freePort(t)
	host, port, _ := net.SplitHostPort(addr)
	startProcess(t, addr, "git", "daemon", "--reuseaddr", "--export-all", "--base-path="+base, "--listen="+host, "--port="+port, base)
	return "git://" + addr + "/helm-todo.git"
}

// checkArchiveInstallRenders: an archive install carries what helm todo reads
// from its plugin directory. render (no cluster) deploys nothing yet needs
// the chart; in a directory with no app, it names the example apps the
// archive holds. The Dockerfiles are what build and up build with.
func checkArchiveInstallRenders(t *testing.T, h *helmEnv, env []string) {
	t.Helper()
	work := t.TempDir()
	r := runCmd(t, work, append(append([]string{}, h.env...), env...), h.bin, "todo", "render")
	if r.err != nil || !strings.Contains(r.stdout, "kind: Deployment") || !strings.Contains(r.stdout, "readOnlyRootFilesystem: true") {
		t.Errorf("helm todo render from an archive install: %v\n%s", r.err, r)
	}
	for _, f := range []string{"charts/todo-app/Chart.yaml", "docker/backend.Dockerfile", "docker/frontend.dockerignore", "examples/todo-backend/src/main.py"} {
		if _, err := os.Stat(filepath.Join(h.plugins, "todo", f)); err != nil {
			t.Errorf("the archive install lacks %s: %v", f, err)
		}
	}
}
