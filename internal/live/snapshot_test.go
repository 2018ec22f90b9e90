package live

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/helm-todo/helm-todo/internal/image"
)

// script is the chart's sync program, the one the pods run.
const script = "../../charts/todo-app/files/live-sync.py"

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// tree is every regular file under root with its content.
func tree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func keys(m map[string]string) string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	sort.Strings(k)
	return strings.Join(k, " ")
}

func python(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3: the sync program cannot run here")
	}
	return p
}

func snap(t *testing.T, ctx string) *Snapshot {
	t.Helper()
	ign, err := image.NewIgnore([]byte("**/__pycache__\n**/*.pyc\n"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Take(ctx, Rule{Local: "src", Remote: "/app/src"}, ign)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTake(t *testing.T) {
	ctx := t.TempDir()
	writeFiles(t, ctx, map[string]string{"src/main.py": "x = 1\n", "src/api/v1.py": "y = 2\n",
		"src/__pycache__/main.cpython-311.pyc": "junk", "requirements.txt": "fastapi\n"})
	a := snap(t, ctx)
	if a.Files != 2 {
		t.Errorf("%d files, want 2 (src/ minus the dockerignore)", a.Files)
	}
	// The same code, touched: the same bytes, so nothing is resent.
	now := filepath.Join(ctx, "src/main.py")
	if err := os.Chtimes(now, a0, a0); err != nil {
		t.Fatal(err)
	}
	if b := snap(t, ctx); b.Sum != a.Sum || !bytes.Equal(b.Data, a.Data) {
		t.Error("touching a file changed the snapshot")
	}
	writeFiles(t, ctx, map[string]string{"src/main.py": "x = 2\n"})
	if c := snap(t, ctx); c.Sum == a.Sum {
		t.Error("an edit left the snapshot's sum alone")
	}
	if err := os.Symlink("main.py", filepath.Join(ctx, "src/link.py")); err != nil {
		t.Fatal(err)
	}
	ign, _ := image.NewIgnore(nil)
	if _, err := Take(ctx, Rule{Local: "src", Remote: "/app/src"}, ign); err == nil || !strings.Contains(err.Error(), "src/link.py is a symlink") {
		t.Errorf("a symlink: %v, want an error naming it", err)
	}
}

// TestApply runs the chart's sync program on a snapshot, as the pods do.
func TestApply(t *testing.T) {
	py := python(t)
	ctx, dst := t.TempDir(), t.TempDir()
	writeFiles(t, ctx, map[string]string{"src/main.py": "x = 1\n", "src/api/v1.py": "y = 2\n", "src/data.json": "{}"})
	// the pod's code: the image's, with a file since deleted locally
	writeFiles(t, dst, map[string]string{"main.py": "x = 0\n", "api/v1.py": "y = 2\n", "old.py": "gone = 1\n"})
	unchanged, _ := os.Stat(filepath.Join(dst, "api/v1.py"))
	apply := func(s *Snapshot) (string, error) {
		cmd := exec.Command(py, script, "apply", dst)
		cmd.Stdin = bytes.NewReader(s.Data)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := apply(snap(t, ctx))
	if err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	want := map[string]string{"main.py": "x = 1\n", "api/v1.py": "y = 2\n", "data.json": "{}"}
	if got := tree(t, dst); keys(got) != keys(want) || got["main.py"] != want["main.py"] {
		t.Errorf("after apply: %v, want %v", got, want)
	}
	if !strings.Contains(out, "3 files changed") {
		t.Errorf("apply said %q, want 3 changes (main.py, data.json, old.py removed)", out)
	}
	// an unchanged file is not rewritten: the reloader sees only edits
	if after, _ := os.Stat(filepath.Join(dst, "api/v1.py")); !os.SameFile(unchanged, after) {
		t.Error("api/v1.py was rewritten though unchanged")
	}

	// Code that does not compile: exit 3 with the line, nothing written.
	writeFiles(t, ctx, map[string]string{"src/main.py": "x = 3\n", "src/api/v1.py": "def broken(:\n"})
	out, err = apply(snap(t, ctx))
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 || !strings.Contains(out, "api/v1.py:1: SyntaxError") {
		t.Errorf("a syntax error: %v, %q; want exit 3 naming api/v1.py:1", err, out)
	}
	if got := tree(t, dst)["main.py"]; got != "x = 1\n" {
		t.Errorf("main.py = %q after a refused sync, want the last good code", got)
	}
}

// a0 is a fixed time for touches.
var a0 = mustTime("2020-01-02T03:04:05Z")

func mustTime(s string) (t time.Time) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestSeed runs the init container's half: the image's code, then the
// snapshot only when it was made for this image.
func TestSeed(t *testing.T) {
	py := python(t)
	img, ctx := t.TempDir(), t.TempDir()
	writeFiles(t, img, map[string]string{"main.py": "v = 'image'\n", "old.py": "x = 1\n"})
	writeFiles(t, ctx, map[string]string{"src/main.py": "v = 'synced'\n"})
	s := snap(t, ctx)
	overlay := func(base string, s *Snapshot) string {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"base": base, "sha": s.Sum, "src.tgz": string(s.Data)})
		return dir
	}
	bad := t.TempDir()
	writeFiles(t, bad, map[string]string{"src/main.py": "def broken(:\n"})
	for _, tc := range []struct {
		name, overlay, main, said string
	}{
		{"no snapshot yet", t.TempDir(), "v = 'image'\n", "seeded image"},
		{"a snapshot for this image", overlay("tag1", s), "v = 'synced'\n", "seeded " + s.Sum},
		{"a snapshot for an older image", overlay("tag0", s), "v = 'image'\n", "seeded image"},
		{"a snapshot that does not compile", overlay("tag1", snap(t, bad)), "v = 'image'\n", "synced code refused: main.py:1: SyntaxError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := t.TempDir()
			cmd := exec.Command(py, script, "seed", img, dst, tc.overlay)
			cmd.Env = append(os.Environ(), "LIVE_BASE=tag1")
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), tc.said) {
				t.Fatalf("seed: %v, %q; want it to say %q", err, out, tc.said)
			}
			if got := tree(t, dst)["main.py"]; got != tc.main {
				t.Errorf("main.py = %q, want %q", got, tc.main)
			}
		})
	}
}
