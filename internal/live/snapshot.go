package live

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/helm-todo/helm-todo/internal/image"
)

// MaxSnapshot is the largest compressed snapshot live update carries: it
// also travels in a ConfigMap (for pods made while dev runs), whose whole
// object must stay under 1 MiB.
const MaxSnapshot = 700 << 10

// Snapshot is the code under a rule's Local as the image would hold it:
// every file the dockerignore lets through, as a tar.gz whose names are
// relative to Local (so it unpacks at Remote).
type Snapshot struct {
	Data  []byte
	Sum   string // hex sha256 of Data: the same code gives the same Sum
	Files int
}

// Take snapshots contextDir's rule.Local through ign. A symlink or a
// snapshot over MaxSnapshot is an error: dev builds instead, and says why.
func Take(contextDir string, r Rule, ign *image.Ignore) (*Snapshot, error) {
	root := filepath.Join(contextDir, filepath.FromSlash(r.Local))
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf) // no name, no time: the same code, the same bytes
	tw := tar.NewWriter(gz)
	files := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(contextDir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if p != root {
			if excluded, err := ign.Excluded(rel); err != nil {
				return err
			} else if excluded {
				if d.IsDir() && ign.SkipDir(rel) {
					return filepath.SkipDir
				}
				return nil
			}
		}
		switch {
		case d.IsDir():
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			return fmt.Errorf("%s is a symlink: live update carries regular files only", rel)
		case !d.Type().IsRegular():
			return nil // sockets and devices never reach an image
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		body, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		name, _ := filepath.Rel(root, p)
		hdr := &tar.Header{Name: filepath.ToSlash(name), Mode: int64(info.Mode().Perm()), Size: int64(len(body)), ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		files++
		_, err = tw.Write(body)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	if buf.Len() > MaxSnapshot {
		return nil, fmt.Errorf("%s/ is %d KiB compressed: live update carries at most %d KiB", r.Local, buf.Len()>>10, MaxSnapshot>>10)
	}
	s := sha256.Sum256(buf.Bytes())
	return &Snapshot{Data: buf.Bytes(), Sum: hex.EncodeToString(s[:8]), Files: files}, nil
}
