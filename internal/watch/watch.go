// Package watch tells `helm todo dev` what changed: the build contexts
// (through the same dockerignore matcher the content tag uses, so an
// ignored file never triggers anything), the env file and the values
// files, with bursts of events debounced into one Change.
package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
	"k8s.io/utils/clock"

	"github.com/helm-todo/helm-todo/internal/image"
)

// Target is one thing to watch: a directory tree (Dir, minus what Ignore
// excludes) or single files (Files; their directories are watched, since
// editors replace a file by renaming a new one over it).
type Target struct {
	Name   string
	Dir    string
	Ignore *image.Ignore // for Dir; nil excludes nothing
	Files  []string
}

// Watcher watches Targets until Close.
type Watcher struct {
	targets []Target
	fsw     *fsnotify.Watcher
	deb     *debouncer
	mu      sync.Mutex
	dirs    map[string]bool // watched directories
	// Errors receives the watcher's own errors (e.g. an inotify limit).
	errs chan error
	done chan struct{}
	wg   sync.WaitGroup
}

// New starts watching targets. window is the quiet time that ends a burst.
func New(targets []Target, window time.Duration, clk clock.WithDelayedExecution) (*Watcher, error) {
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("start the file watcher: %w", err)
	}
	w := &Watcher{fsw: fsw, deb: newDebouncer(clk, window), dirs: map[string]bool{}, errs: make(chan error, 16), done: make(chan struct{})}
	for _, t := range targets {
		if t.Dir != "" {
			if t.Dir, err = filepath.Abs(t.Dir); err != nil {
				fsw.Close()
				return nil, err
			}
		}
		for i, f := range t.Files {
			if t.Files[i], err = filepath.Abs(f); err != nil {
				fsw.Close()
				return nil, err
			}
		}
		w.targets = append(w.targets, t)
	}
	for _, t := range w.targets {
		if t.Dir != "" {
			if err := w.addTree(t, t.Dir, false); err != nil {
				fsw.Close()
				return nil, fmt.Errorf("watch %s: %w", t.Dir, err)
			}
		}
		for _, f := range t.Files {
			if err := w.addDir(filepath.Dir(f)); err != nil {
				fsw.Close()
				return nil, fmt.Errorf("watch %s: %w", f, err)
			}
		}
	}
	w.wg.Add(1)
	go w.loop()
	return w, nil
}

// Next blocks until a debounced Change is ready, or ctx ends.
func (w *Watcher) Next(ctx context.Context) (Change, error) {
	for {
		if c, ok := w.deb.take(); ok {
			return c, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-w.deb.notify:
		}
	}
}

// Errors are the watcher's own failures, for the caller to print.
func (w *Watcher) Errors() <-chan error { return w.errs }

// Close stops watching and waits for the event loop to end.
func (w *Watcher) Close() error {
	close(w.done)
	err := w.fsw.Close()
	w.wg.Wait()
	w.deb.stop()
	return err
}

func (w *Watcher) loop() {
	defer w.wg.Done()
	for {
		select {
		case <-w.done:
			return
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			w.handle(ev)
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			select {
			case w.errs <- err:
			default:
			}
		}
	}
}

func (w *Watcher) handle(ev fsnotify.Event) {
	p := filepath.Clean(ev.Name)
	isDir := false
	if ev.Has(fsnotify.Create) {
		if fi, err := os.Lstat(p); err == nil && fi.IsDir() {
			isDir = true
		}
	}
	for _, t := range w.targets {
		for _, f := range t.Files {
			if p == f {
				w.deb.add(t.Name, f)
			}
		}
		if t.Dir == "" || !within(t.Dir, p) || p == t.Dir {
			continue
		}
		rel := filepath.ToSlash(mustRel(t.Dir, p))
		if excluded(t, rel) {
			continue
		}
		if isDir {
			// A new directory (mkdir -p, git checkout): watch it, and count
			// the files already in it, whose events came before the watch.
			_ = w.addTree(t, p, true)
			continue
		}
		w.deb.add(t.Name, rel)
	}
}

// addTree watches dir and every directory under it that can reach the
// image; with report, it also records the files found as changes.
func (w *Watcher) addTree(t Target, dir string, report bool) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // gone again already
			}
			return err
		}
		rel := filepath.ToSlash(mustRel(t.Dir, p))
		if d.IsDir() {
			if rel != "." && t.Ignore != nil && t.Ignore.SkipDir(rel) {
				return filepath.SkipDir
			}
			return w.addDir(p)
		}
		if report && !excluded(t, rel) {
			w.deb.add(t.Name, rel)
		}
		return nil
	})
}

func (w *Watcher) addDir(dir string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.dirs[dir] {
		return nil
	}
	if err := w.fsw.Add(dir); err != nil {
		return err
	}
	w.dirs[dir] = true
	return nil
}

// Dirs are the watched directories, sorted (for tests and --debug).
func (w *Watcher) Dirs() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	dirs := make([]string, 0, len(w.dirs))
	for d := range w.dirs {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	return dirs
}

func excluded(t Target, rel string) bool {
	if t.Ignore == nil {
		return false
	}
	ex, err := t.Ignore.Excluded(rel)
	return err == nil && ex
}

func within(root, p string) bool {
	return p == root || strings.HasPrefix(p, root+string(filepath.Separator))
}

func mustRel(root, p string) string {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return p
	}
	return rel
}
