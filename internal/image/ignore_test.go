package image

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestIgnoreExcludedAgreesWithHash: every path Excluded says reaches the
// image is what Hash's walk lists, and nothing else, on a tree that has
// excluded directories, a "!" re-include and nested files.
func TestIgnoreExcludedAgreesWithHash(t *testing.T) {
	for name, ignore := range map[string]string{
		"plain":      "**/__pycache__\n.venv\n*.env\ntests\n",
		"reinclude":  "docs\n!docs/keep.md\n*.log\n",
		"empty":      "",
		"shipped-fe": "node_modules\n.next\n.env\n.env.*\n",
	} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			files := []string{"src/main.py", "src/__pycache__/main.pyc", ".venv/bin/python", "prod.env", "tests/test_a.py",
				"docs/a.md", "docs/keep.md", "app.log", "node_modules/x/index.js", ".next/cache/a", ".env.local", "README"}
			for _, f := range files {
				p := filepath.Join(root, filepath.FromSlash(f))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(f), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			m, err := NewIgnore([]byte(ignore))
			if err != nil {
				t.Fatal(err)
			}
			entries, err := walk(root, m)
			if err != nil {
				t.Fatal(err)
			}
			var listed []string
			for _, e := range entries {
				if e.kind == 'f' {
					listed = append(listed, e.rel)
				}
			}
			for _, f := range files {
				excluded, err := m.Excluded(f)
				if err != nil {
					t.Fatal(err)
				}
				if in := slices.Contains(listed, f); in == excluded {
					t.Errorf("%s: Excluded=%v but the hash's walk lists it=%v", f, excluded, in)
				}
			}
		})
	}
}

func TestIgnoreSkipDir(t *testing.T) {
	m, _ := NewIgnore([]byte("node_modules\n.next\n"))
	if !m.SkipDir("node_modules") || m.SkipDir("app") {
		t.Errorf("SkipDir(node_modules)=%v SkipDir(app)=%v; want true, false", m.SkipDir("node_modules"), m.SkipDir("app"))
	}
	re, _ := NewIgnore([]byte("docs\n!docs/keep.md\n"))
	if re.SkipDir("docs") {
		t.Error("a directory a ! pattern may re-include must be looked into")
	}
}
