package plugin_test

import (
	"github.com/helm-todo/helm-todo/internal/testsupport/needtool"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// scriptTools are the programs install-binary.sh uses: linked into a
// directory that becomes the whole PATH, they give a machine without Go.
var scriptTools = []string{"sh", "uname", "tr", "sed", "head", "tail", "mktemp", "rm", "dirname", "curl",
	"awk", "sha256sum", "cut", "tar", "gzip", "mkdir", "cp", "chmod", "mv", "cat"}

func pathWithoutGo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, tool := range scriptTools {
		p := needtool.Path(t, tool, "the one providing "+tool)
		if err := os.Symlink(p, filepath.Join(dir, tool)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// scriptOnly is a plugin directory with no source: only what a release
// archive install needs, so that a fallback to building can't succeed.
func scriptOnly(t *testing.T) string {
	t.Helper()
	root := repoRoot(t)
	dir := filepath.Join(t.TempDir(), "todo")
	copyFile(t, filepath.Join(root, "plugin.yaml"), filepath.Join(dir, "plugin.yaml"), 0o644)
	copyFile(t, filepath.Join(root, "install-binary.sh"), filepath.Join(dir, "install-binary.sh"), 0o755)
	return dir
}

// binaries are what an install puts into bin/.
var binaries = []string{"helm-todo", "helm-todo-postrender"}

// fakeBinaries puts a bin/helm-todo and a bin/helm-todo-postrender that
// report version (as `version` and `--version`); prVersion "" leaves the
// post-renderer out, as an install from before it existed would. It returns
// helm-todo's content, to tell afterwards whether it was replaced.
func fakeBinaries(t *testing.T, dir, version, prVersion string) string {
	t.Helper()
	write := func(name, arg, version string) string {
		p := filepath.Join(dir, "bin", name)
		body := "#!/bin/sh\n# fake\n[ \"$1\" = " + arg + " ] && echo " + version + "\n"
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
		return body
	}
	if prVersion != "" {
		write("helm-todo-postrender", "--version", prVersion)
	}
	return write("helm-todo", "version", version)
}

// requireInstalled checks that both binaries are real builds of version.
func requireInstalled(t *testing.T, dir, version string) {
	t.Helper()
	for _, b := range binaries {
		arg := "version"
		if b == "helm-todo-postrender" {
			arg = "--version"
		}
		if got := runCmd(t, "", nil, filepath.Join(dir, "bin", b), arg); strings.TrimSpace(got.stdout) != version {
			t.Errorf("bin/%s reports %q (%v), want %q", b, got.stdout, got.err, version)
		}
	}
}

func runScript(t *testing.T, dir string, env ...string) result {
	t.Helper()
	return runCmd(t, dir, cleanEnv(env...), "sh", filepath.Join(dir, "install-binary.sh"))
}

func TestInstallBinaryOffline(t *testing.T) {
	t.Parallel()
	version := pluginVersion(t, repoRoot(t))
	noGo := pathWithoutGo(t)

	tests := map[string]struct {
		dir        func(t *testing.T) string
		fake       string // version of a bin/helm-todo already there, "" for none
		fakePR     string // version of a bin/helm-todo-postrender there, "" for none
		path       string // PATH, "" for the test's own
		wantErr    bool
		wantStderr []string
		wantBuilt  bool // both binaries are real builds of version
		wantFake   bool // the fake binary is untouched
	}{
		"binaries of the right version: skips": {
			dir: scriptOnly, fake: version, fakePR: version, path: noGo,
			wantStderr: []string{"already installed"}, wantFake: true,
		},
		"no post-renderer binary yet (an older install): builds both": {
			dir: copyPlugin, fake: version,
			wantStderr: []string{"building from source"}, wantBuilt: true,
		},
		"post-renderer of another version: builds both": {
			dir: copyPlugin, fake: version, fakePR: "0.0.1",
			wantStderr: []string{"building from source"}, wantBuilt: true,
		},
		"no network, Go present: builds": {
			dir:        copyPlugin,
			wantStderr: []string{"download failed", "building from source", "installed bin/helm-todo and bin/helm-todo-postrender " + version},
			wantBuilt:  true,
		},
		"binary of another version, no network, Go present: rebuilds": {
			dir: copyPlugin, fake: "0.0.1",
			wantStderr: []string{"building from source"}, wantBuilt: true,
		},
		"no network, no Go: says what to do": {
			dir: copyPlugin, path: noGo, wantErr: true,
			wantStderr: []string{"error: cannot download helm-todo " + version, "Go is not installed", "fix: ", "install-binary.sh' again"},
		},
		"binary of another version, no network, no Go: fails, keeps it": {
			dir: scriptOnly, fake: "0.0.1", path: noGo, wantErr: true,
			wantStderr: []string{"Go is not installed"}, wantFake: true,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // each case has a directory of its own; most wait on a link
			dir := tc.dir(t)
			var fake string
			if tc.fake != "" {
				fake = fakeBinaries(t, dir, tc.fake, tc.fakePR)
			}
			env := []string{"HELM_TODO_DOWNLOAD_URL=" + unreachable, "GOPROXY=off", "HELM_PLUGIN_DIR=" + dir}
			if tc.path != "" {
				env = append(env, "PATH="+tc.path)
			}
			r := runScript(t, dir, env...)
			if (r.err != nil) != tc.wantErr {
				t.Fatalf("exit error = %v, want error %v\n%s", r.err, tc.wantErr, r)
			}
			for _, w := range tc.wantStderr {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			bin := filepath.Join(dir, "bin", "helm-todo")
			if tc.wantFake {
				if b, _ := os.ReadFile(bin); string(b) != fake {
					t.Errorf("the existing binary was replaced")
				}
			}
			if tc.wantBuilt {
				requireInstalled(t, dir, version)
			}
			if tc.wantErr && tc.fake == "" {
				if _, err := os.Stat(filepath.Join(dir, "bin")); err == nil {
					t.Errorf("a failed install left bin/ behind")
				}
			}
		})
	}
}

// TestInstallBinaryFromDist builds the host's release archive with `make
// dist`, serves it over HTTP in the GitHub releases layout, and installs it;
// a tampered archive is refused even though a build from source would work.
func TestInstallBinaryFromDist(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	version := pluginVersion(t, root)
	releases := t.TempDir()
	dist := filepath.Join(releases, "v"+version)
	runMakeDist(t, cleanEnv(), dist)
	archive := "helm-todo_" + version + "_" + runtime.GOOS + "_" + runtime.GOARCH + ".tar.gz"
	sums, err := os.ReadFile(filepath.Join(dist, "helm-todo_"+version+"_checksums.txt"))
	if err != nil || !strings.Contains(string(sums), "  "+archive+"\n") {
		t.Fatalf("checksums file lacks %s (%v):\n%s", archive, err, sums)
	}
	var fetched []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetched = append(fetched, r.URL.Path)
		http.FileServer(http.Dir(releases)).ServeHTTP(w, r)
	}))
	defer srv.Close()

	t.Run("verified install", func(t *testing.T) {
		dir := scriptOnly(t)
		r := runScript(t, dir, "HELM_TODO_DOWNLOAD_URL="+srv.URL, "HELM_PLUGIN_DIR="+dir)
		if r.err != nil {
			t.Fatalf("install from dist: %v\n%s", r.err, r)
		}
		if !strings.Contains(r.stderr, "sha256 verified") {
			t.Errorf("stderr does not report the verification:\n%s", r.stderr)
		}
		want := []string{"/v" + version + "/" + archive, "/v" + version + "/helm-todo_" + version + "_checksums.txt"}
		if strings.Join(fetched, " ") != strings.Join(want, " ") {
			t.Errorf("fetched %v, want %v", fetched, want)
		}
		requireInstalled(t, dir, version)
	})

	t.Run("tampered archive is refused", func(t *testing.T) {
		f, err := os.OpenFile(filepath.Join(dist, archive), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString("tampered"); err != nil {
			t.Fatal(err)
		}
		f.Close()
		dir := copyPlugin(t) // has source and Go: a silent fallback build would "succeed"
		r := runScript(t, dir, "HELM_TODO_DOWNLOAD_URL="+srv.URL, "HELM_PLUGIN_DIR="+dir, "GOPROXY=off")
		if r.err == nil {
			t.Fatalf("a tampered archive was accepted:\n%s", r)
		}
		if !strings.Contains(r.stderr, "checksum mismatch for "+archive) || strings.Contains(r.stderr, "building from source") {
			t.Errorf("stderr should refuse on the checksum and not fall back to a build:\n%s", r.stderr)
		}
		for _, b := range binaries {
			if _, err := os.Stat(filepath.Join(dir, "bin", b)); err == nil {
				t.Errorf("bin/%s was written from a tampered archive", b)
			}
		}
	})
}
