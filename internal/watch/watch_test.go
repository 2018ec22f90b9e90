package watch

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"k8s.io/utils/clock"

	"github.com/helm-todo/helm-todo/internal/image"
)

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// next waits for a change; a watcher that never reports fails the test
// at its deadline instead of hanging.
func next(t *testing.T, w *Watcher) Change {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	c, err := w.Next(ctx)
	if err != nil {
		t.Fatalf("no change reported: %v", err)
	}
	return c
}

// TestWatcher drives real files through fsnotify: an ignored file and a
// file under an ignored directory are not reported, the next real edit is,
// alone; a new directory's files count; the env file is reported by its
// own name; an unwatched file beside it is not.
func TestWatcher(t *testing.T) {
	root := t.TempDir()
	backend := filepath.Join(root, "backend")
	write(t, filepath.Join(backend, "src/main.py"), "v1")
	write(t, filepath.Join(backend, "node_modules/x/a.js"), "x")
	env := filepath.Join(root, ".env")
	write(t, env, "A=1")
	ign, err := image.NewIgnore([]byte("node_modules\n**/__pycache__\n*.log\n"))
	if err != nil {
		t.Fatal(err)
	}
	w, err := New([]Target{{Name: "backend", Dir: backend, Ignore: ign}, {Name: "env", Files: []string{env}}}, 50*time.Millisecond, clock.RealClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, d := range w.Dirs() {
		if filepath.Base(d) == "node_modules" || filepath.Base(filepath.Dir(d)) == "node_modules" {
			t.Errorf("watches %s, which the dockerignore excludes", d)
		}
	}

	write(t, filepath.Join(backend, "debug.log"), "ignored")
	write(t, filepath.Join(backend, "src/__pycache__/main.pyc"), "ignored")
	write(t, filepath.Join(backend, "node_modules/x/a.js"), "ignored")
	write(t, filepath.Join(root, "notes.txt"), "not watched")
	write(t, filepath.Join(backend, "src/main.py"), "v2")
	if c := next(t, w); !reflect.DeepEqual(c, Change{"backend": {"src/main.py"}}) {
		t.Errorf("change = %v; want only backend src/main.py", c)
	}

	write(t, filepath.Join(backend, "src/pkg/sub/new.py"), "new")
	c := next(t, w)
	if !slices.Contains(c["backend"], "src/pkg/sub/new.py") {
		// The file may be seen by the new directory's walk or by its own event.
		t.Errorf("change = %v; want src/pkg/sub/new.py", c)
	}

	// An editor's save: write a temp file, rename it over the original.
	tmp := filepath.Join(root, ".env.tmp")
	write(t, tmp, "A=2")
	if err := os.Rename(tmp, env); err != nil {
		t.Fatal(err)
	}
	if c := next(t, w); !reflect.DeepEqual(c["env"], []string{env}) || len(c["backend"]) != 0 {
		t.Errorf("change = %v; want env %s only", c, env)
	}
}

// waitFor waits until a reported change holds rel for target name; earlier
// changes (the removal of a tree, say) are skipped.
func waitFor(t *testing.T, w *Watcher, name, rel string) {
	t.Helper()
	for {
		if c := next(t, w); slices.Contains(c[name], rel) {
			return
		}
	}
}

// TestWatcherDirectoryMadeAgain: a directory removed (rm -rf, a branch
// switch) or renamed away, then made again at the same path, is watched
// again. inotify delivers one watcher's events in order, so once the marker
// written after the mkdir is reported, the new directory's watch is in
// place and the edit inside it must be seen.
func TestWatcherDirectoryMadeAgain(t *testing.T) {
	for name, remove := range map[string]func(dir string) error{
		"rm -rf":  os.RemoveAll,
		"mv away": func(dir string) error { return os.Rename(dir, dir+".old") },
	} {
		t.Run(name, func(t *testing.T) {
			backend := filepath.Join(t.TempDir(), "backend")
			src := filepath.Join(backend, "src")
			write(t, filepath.Join(src, "main.py"), "v1")
			w, err := New([]Target{{Name: "backend", Dir: backend}}, 50*time.Millisecond, clock.RealClock{})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()

			if err := remove(src); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(src, 0o755); err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(backend, "marker"), "x")
			waitFor(t, w, "backend", "marker")

			write(t, filepath.Join(src, "main.py"), "v2")
			waitFor(t, w, "backend", "src/main.py")
		})
	}
}
