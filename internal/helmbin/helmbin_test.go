package helmbin

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/testsupport/needtool"
)

func TestParseMajor(t *testing.T) {
	tests := map[string]struct {
		in      string
		want    int
		wantErr bool
	}{
		"v3":       {in: "v3.22.0", want: 3},
		"v4 build": {in: "v4.3.1+g1234abc\n", want: 4},
		"no v":     {in: "3.18.0", want: 3},
		"v2":       {in: "v2.17.0", wantErr: true},
		"garbage":  {in: "oops", wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := ParseMajor(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("got %d, %v", got, err)
			}
		})
	}
}

func TestAtomicFlag(t *testing.T) {
	if AtomicFlag(3) != "--atomic" || AtomicFlag(4) != "--rollback-on-failure" {
		t.Fatal("wrong flags")
	}
}

// The real binaries from `make tools`, when present.
func TestMajorOfRealHelm(t *testing.T) {
	root, _ := filepath.Abs("../..")
	for want, bin := range map[int]string{3: ".tools/helm3/helm", 4: ".tools/helm4/helm"} {
		path := filepath.Join(root, bin)
		if _, err := os.Stat(path); err != nil {
			needtool.Missing(t, "%s not built; run make tools", bin)
		}
		got, err := Major(context.Background(), command.Exec{}, path)
		if err != nil || got != want {
			t.Errorf("%s: got %d, %v; want %d", bin, got, err, want)
		}
	}
}

// The build information of the real binaries names their major; anything
// else (this test binary, a script, a missing file) is no answer, and up
// asks `helm version` instead.
func TestFromBuildInfo(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "helm")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho v4.3.1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for name, bin := range map[string]string{"a script": script, "a Go binary of another module": self, "missing": filepath.Join(dir, "none")} {
		if major, ok := FromBuildInfo(bin); ok {
			t.Errorf("%s: major %d, want no answer", name, major)
		}
	}
	root, _ := filepath.Abs("../..")
	for want, bin := range map[int]string{3: ".tools/helm3/helm", 4: ".tools/helm4/helm"} {
		path := filepath.Join(root, bin)
		if _, err := os.Stat(path); err != nil {
			needtool.Missing(t, "%s not built; run make tools", bin)
		}
		if got, ok := FromBuildInfo(path); !ok || got != want {
			t.Errorf("%s: got %d, %v; want %d", bin, got, ok, want)
		}
	}
}
