package image

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// writeTree creates files (path -> content) under a new temp dir.
func writeTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func hashOf(t *testing.T, in Inputs) string {
	t.Helper()
	tag, err := Hash(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(tag) != TagLen {
		t.Fatalf("tag %q has %d characters, want %d", tag, len(tag), TagLen)
	}
	return tag
}

func TestHash(t *testing.T) {
	base := map[string]string{
		"src/main.py":             "print('hi')\n",
		"requirements.txt":        "fastapi>=0.100\n",
		"node_modules/x/index.js": "module.exports = 1\n",
		".git/HEAD":               "ref: refs/heads/main\n",
		"docs/keep.md":            "kept by an exception\n",
		"docs/drop.md":            "dropped\n",
		"__pycache__/main.pyc":    "bytecode",
	}
	ignore := []byte("# comment\nnode_modules\n.git\n**/__pycache__\ndocs\n!docs/keep.md\n")
	df := []byte("FROM python:3.11-slim\n")
	args := map[string]string{"NEXT_PUBLIC_API_URL": "http://localhost:7860"}
	ref := hashOf(t, Inputs{Context: writeTree(t, base), Dockerfile: df, Ignore: ignore, Args: args})

	tests := map[string]struct {
		change func(files map[string]string) // edits a copy of base
		in     func(in *Inputs)
		same   bool
	}{
		"identical tree in another dir": {same: true},
		"one source file changed":       {change: func(f map[string]string) { f["src/main.py"] = "print('bye')\n" }},
		"file added":                    {change: func(f map[string]string) { f["src/new.py"] = "" }},
		"file renamed":                  {change: func(f map[string]string) { f["src/app.py"] = f["src/main.py"]; delete(f, "src/main.py") }},
		"ignored dir changed":           {change: func(f map[string]string) { f["node_modules/x/index.js"] = "changed" }, same: true},
		"ignored nested pattern":        {change: func(f map[string]string) { f["__pycache__/other.pyc"] = "x" }, same: true},
		"excluded file changed":         {change: func(f map[string]string) { f["docs/drop.md"] = "changed" }, same: true},
		"exception file changed":        {change: func(f map[string]string) { f["docs/keep.md"] = "changed" }},
		"dockerfile changed":            {in: func(in *Inputs) { in.Dockerfile = []byte("FROM python:3.12-slim\n") }},
		"build arg changed":             {in: func(in *Inputs) { in.Args = map[string]string{"NEXT_PUBLIC_API_URL": "http://other"} }},
		"build arg added":               {in: func(in *Inputs) { in.Args = map[string]string{"NEXT_PUBLIC_API_URL": "http://localhost:7860", "X": ""} }},
		"dockerignore changed":          {in: func(in *Inputs) { in.Ignore = append(in.Ignore, []byte("\n# another comment\n")...) }},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range base {
				files[k] = v
			}
			if tc.change != nil {
				tc.change(files)
			}
			in := Inputs{Context: writeTree(t, files), Dockerfile: df, Ignore: ignore, Args: args}
			if tc.in != nil {
				tc.in(&in)
			}
			got := hashOf(t, in)
			if (got == ref) != tc.same {
				t.Errorf("tag %s vs reference %s: same=%v, want same=%v", got, ref, got == ref, tc.same)
			}
		})
	}
}

func TestHashModeAndTimes(t *testing.T) {
	dir := writeTree(t, map[string]string{"run.sh": "#!/bin/sh\n"})
	in := Inputs{Context: dir}
	before := hashOf(t, in)
	// A fresh checkout has new times: they must not change the tag.
	if err := os.Chtimes(filepath.Join(dir, "run.sh"), time0, time0); err != nil {
		t.Fatal(err)
	}
	if got := hashOf(t, in); got != before {
		t.Errorf("mtime changed the tag: %s -> %s", before, got)
	}
	if err := os.Chmod(filepath.Join(dir, "run.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := hashOf(t, in); got == before {
		t.Errorf("the executable bit reaches the image but did not change the tag %s", got)
	}
}

func TestHashErrors(t *testing.T) {
	if _, err := Hash(Inputs{Context: filepath.Join(t.TempDir(), "missing")}); err == nil {
		t.Error("missing context: want an error")
	}
	if _, err := Hash(Inputs{Context: t.TempDir(), Ignore: []byte("!\n")}); err == nil {
		t.Error("a lone ! in the dockerignore: want an error")
	}
}

// tenThousand makes a context of 10,000 files of 1 KiB in 100 directories,
// about the size of a real app without its node_modules.
func tenThousand(b *testing.B) string {
	dir := b.TempDir()
	buf := make([]byte, 1024)
	for d := range 100 {
		sub := filepath.Join(dir, fmt.Sprintf("pkg%03d", d))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			b.Fatal(err)
		}
		for f := range 100 {
			buf[0], buf[1] = byte(d), byte(f)
			if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%03d.py", f)), buf, 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	return dir
}

// BenchmarkHash10k is the cost of deciding whether to build. Compare it
// with BenchmarkReadOnly10k, a plain sequential read of the same files.
func BenchmarkHash10k(b *testing.B) {
	dir := tenThousand(b)
	in := Inputs{Context: dir, Dockerfile: []byte("FROM x\n"), Ignore: []byte("node_modules\n")}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Hash(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadOnly10k(b *testing.B) {
	dir := tenThousand(b)
	b.ResetTimer()
	for b.Loop() {
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = io.Copy(io.Discard, f)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

var time0 = time.Unix(1_000_000, 0)
