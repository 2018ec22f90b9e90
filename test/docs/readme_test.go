package docs_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// maxReadmeLines keeps the README a page a user reads in five minutes; the
// rest belongs in docs/.
const maxReadmeLines = 250

// TestReadmeStartsWithTheTwoCommands: the README is short, its first code
// block is the two commands (set up and run everything; run every test),
// and CI runs that same test command.
func TestReadmeStartsWithTheTwoCommands(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repo, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	if n := strings.Count(readme, "\n"); n > maxReadmeLines {
		t.Errorf("README.md has %d lines, over %d: move the detail into a page under docs/", n, maxReadmeLines)
	}
	_, rest, ok := strings.Cut(readme, "```sh\n")
	first, _, _ := strings.Cut(rest, "```")
	if !ok || !strings.HasPrefix(first, "make demo ") || !strings.Contains(first, "\nmake test-all ") {
		t.Errorf("the README's first code block is %q; it must be `make demo` then `make test-all`", first)
	}
	ci, err := os.ReadFile(filepath.Join(repo, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ci), "\nmake test-all\n") {
		t.Error(".ci/run does not run `make test-all`, the README's test command")
	}
}
