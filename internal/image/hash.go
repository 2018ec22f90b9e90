// Package image builds the app's images with docker, podman or buildah, and
// tags them by a hash of what goes into them.
//
// A content tag is what makes an unchanged tree cost nothing: the same
// inputs give the same tag, the builder already has that tag, so there is
// no build, no load and no rollout. A changed input gives a
// new tag, so the Deployment changes and pods roll.
package image

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// TagLen is how many hex digits of the hash make the tag: 64 bits, where a
// collision between two builds of one app is not a practical concern.
const TagLen = 16

// Inputs are everything a build depends on.
type Inputs struct {
	Context    string            // build context directory
	Dockerfile []byte            // the Dockerfile's content
	Ignore     []byte            // the .dockerignore's content, may be empty
	Args       map[string]string // build args
}

// entry is one path of the context that the builder would see.
type entry struct {
	rel  string // slash-separated, relative to the context
	kind byte   // 'f' file, 'd' directory, 'l' symlink
	perm fs.FileMode
	sum  [sha256.Size]byte // file content or link target
}

// Hash returns the content tag of in: a hash of the context's files minus
// the ones the dockerignore excludes (names, modes and contents), the
// Dockerfile and the build args.
func Hash(in Inputs) (string, error) {
	m, err := NewIgnore(in.Ignore)
	if err != nil {
		return "", err
	}
	entries, err := walk(in.Context, m)
	if err != nil {
		return "", err
	}
	if err := sumFiles(in.Context, entries); err != nil {
		return "", err
	}

	h := sha256.New()
	// The version prefix lets a future change of this scheme change every tag.
	io.WriteString(h, "helm-todo image inputs v1\n")
	for _, e := range entries {
		fmt.Fprintf(h, "%c %o %s %x\n", e.kind, e.perm, e.rel, e.sum)
	}
	fmt.Fprintf(h, "dockerfile %x\n", sha256.Sum256(in.Dockerfile))
	fmt.Fprintf(h, "dockerignore %x\n", sha256.Sum256(in.Ignore))
	keys := make([]string, 0, len(in.Args))
	for k := range in.Args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "arg %q=%q\n", k, in.Args[k])
	}
	return hex.EncodeToString(h.Sum(nil))[:TagLen], nil
}

// Ignore is a dockerignore as the builder applies it. Hash uses it to
// list the context, and `helm todo dev` to tell which file events matter,
// so a file the image never sees never triggers a build.
type Ignore struct {
	pm *patternmatcher.PatternMatcher
}

// NewIgnore parses a dockerignore's content; empty content ignores nothing.
func NewIgnore(content []byte) (*Ignore, error) {
	patterns, err := ignorefile.ReadAll(bytes.NewReader(content))
	if err != nil {
		return nil, fmt.Errorf("read dockerignore: %w", err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return nil, fmt.Errorf("dockerignore pattern: %w", err)
	}
	return &Ignore{pm: pm}, nil
}

// match decides rel (slash-separated, relative to the context) given its
// parent directory's result, as the builder's own walk does.
func (m *Ignore) match(rel string, parent patternmatcher.MatchInfo) (bool, patternmatcher.MatchInfo, error) {
	return m.pm.MatchesUsingParentResults(rel, parent)
}

// Excluded reports whether rel (slash-separated, relative to the context)
// is left out of the image, deciding each parent directory first exactly
// as Hash's walk does.
func (m *Ignore) Excluded(rel string) (bool, error) {
	rel = path.Clean(rel)
	if rel == "." || rel == "" {
		return false, nil
	}
	parts := strings.Split(rel, "/")
	var info patternmatcher.MatchInfo
	for i := range parts {
		excluded, next, err := m.match(strings.Join(parts[:i+1], "/"), info)
		if err != nil {
			return false, err
		}
		if i == len(parts)-1 {
			return excluded, nil
		}
		// A skipped directory hides everything under it, unless a "!"
		// pattern may bring some of it back.
		if excluded && !m.pm.Exclusions() {
			return true, nil
		}
		info = next
	}
	return false, nil
}

// SkipDir reports whether nothing under the directory rel can reach the
// image, so neither the hash nor a watcher need to look inside.
func (m *Ignore) SkipDir(rel string) bool {
	excluded, err := m.Excluded(rel)
	return err == nil && excluded && !m.pm.Exclusions()
}

// walk lists the context as the builder sees it, in a stable order.
func walk(root string, m *Ignore) ([]entry, error) {
	fi, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", root)
	}
	parents := map[string]patternmatcher.MatchInfo{}
	var entries []entry
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		parentDir := filepath.ToSlash(filepath.Dir(rel))
		excluded, info, err := m.match(rel, parents[parentDir])
		if err != nil {
			return err
		}
		if d.IsDir() {
			// Skipping an excluded directory is only safe when no "!"
			// pattern could bring back something inside it.
			if excluded && !m.pm.Exclusions() {
				return filepath.SkipDir
			}
			parents[rel] = info
		}
		if excluded {
			return nil
		}
		e := entry{rel: rel}
		switch {
		case d.IsDir():
			e.kind = 'd'
		case d.Type()&fs.ModeSymlink != 0:
			e.kind = 'l'
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			e.sum = sha256.Sum256([]byte(target))
		case d.Type().IsRegular():
			e.kind = 'f'
			info, err := d.Info()
			if err != nil {
				return err
			}
			// Only the permission bits reach the image; times do not, and
			// a fresh checkout must give the same tag.
			e.perm = info.Mode().Perm()
		default:
			return nil // sockets and devices never reach an image
		}
		entries = append(entries, e)
		return nil
	})
	return entries, err
}

// sumFiles hashes the regular files' contents, several at a time: reading
// is most of the cost, and a context is many small files.
func sumFiles(root string, entries []entry) error {
	work := make(chan int)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range max(2, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// One hasher and buffer per worker: allocating them per file
			// costs more than hashing a small file.
			h, buf := sha256.New(), make([]byte, 64<<10)
			for i := range work {
				sum, err := sumFile(filepath.Join(root, filepath.FromSlash(entries[i].rel)), h, buf)
				if err != nil {
					select {
					case errs <- err:
					default:
					}
					continue
				}
				entries[i].sum = sum
			}
		}()
	}
	for i := range entries {
		if entries[i].kind == 'f' {
			work <- i
		}
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

func sumFile(name string, h hash.Hash, buf []byte) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	f, err := os.Open(name)
	if err != nil {
		return sum, err
	}
	defer f.Close()
	h.Reset()
	if _, err := io.CopyBuffer(struct{ io.Writer }{h}, struct{ io.Reader }{f}, buf); err != nil {
		return sum, err
	}
	h.Sum(sum[:0])
	return sum, nil
}
