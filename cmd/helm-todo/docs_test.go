package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra/doc"

	"github.com/helm-todo/helm-todo/internal/settings"
)

// docsDir holds the command reference, one Markdown page per command,
// generated from the cobra tree. `make docs` rewrites it; this test fails
// when a command, flag or help text changed without regenerating.
var docsDir, _ = filepath.Abs("../../docs/commands")

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/commands/ from the command tree")

// genCommandDocs writes the reference for the tree into dir. The settings
// come from an empty environment, so no default depends on who generates.
func genCommandDocs(t *testing.T, dir string) {
	t.Helper()
	root := newRootCmd(settings.FromEnv(func(string) string { return "" }), strings.NewReader(""), os.Stdout, os.Stderr)
	root.DisableAutoGenTag = true
	if err := doc.GenMarkdownTree(root, dir); err != nil {
		t.Fatalf("generating the command reference: %v", err)
	}
}

func TestCommandDocs(t *testing.T) {
	if *updateDocs {
		old, _ := filepath.Glob(filepath.Join(docsDir, "*.md"))
		for _, f := range old {
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.MkdirAll(docsDir, 0o755); err != nil {
			t.Fatal(err)
		}
		genCommandDocs(t, docsDir)
	}
	fresh := t.TempDir()
	genCommandDocs(t, fresh)
	want, _ := filepath.Glob(filepath.Join(fresh, "*.md"))
	got, _ := filepath.Glob(filepath.Join(docsDir, "*.md"))
	if len(want) == 0 {
		t.Fatal("the generator wrote no page")
	}
	stale := func(format string, args ...any) {
		t.Helper()
		t.Errorf(format+" (regenerate with: make docs)", args...)
	}
	gotNames := map[string]bool{}
	for _, g := range got {
		gotNames[filepath.Base(g)] = true
	}
	for _, w := range want {
		name := filepath.Base(w)
		if !gotNames[name] {
			stale("docs/commands/%s is missing", name)
			continue
		}
		delete(gotNames, name)
		a, _ := os.ReadFile(w)
		b, _ := os.ReadFile(filepath.Join(docsDir, name))
		if string(a) != string(b) {
			stale("docs/commands/%s is stale", name)
		}
	}
	for name := range gotNames {
		stale("docs/commands/%s names no command", name)
	}
}
