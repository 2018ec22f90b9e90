package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/settings"
)

// go test ./cmd/helm-todo -run Golden -update rewrites the files; review
// their diff like code, since it is what users read.
var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// testdata is absolute: a test may chdir elsewhere.
var testdata, _ = filepath.Abs("testdata")

func runCLI(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	root := newRootCmd(settings.FromEnv(func(string) string { return "" }), strings.NewReader(""), &out, &out)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		t.Fatalf("helm-todo %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(testdata, name+".golden")
	if *update {
		if err := os.MkdirAll(testdata, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (run with -update and review the diff):\n%s", name, path, got)
	}
}

func TestHelpGolden(t *testing.T) {
	for _, cmd := range []string{"up", "dev", "down", "build", "load", "render"} {
		t.Run(cmd, func(t *testing.T) { golden(t, cmd+"-help", runCLI(t, cmd, "--help")) })
	}
}

// down needs no project, builder or cluster to plan, so its --dry-run is
// fixed text; it runs in an empty directory so no helm-todo.yaml is found.
func TestDownDryRunGolden(t *testing.T) {
	t.Chdir(t.TempDir())
	golden(t, "down-dry-run", runCLI(t, "down", "--dry-run", "--delete-namespace"))
}
