package docs_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// outsideRef matches a pointer to a document the reader of the repository
// does not have: a tracker's issue number, a numbered section or item of a
// design text, a requirement number. A rule is named by what it is instead.
var outsideRef = regexp.MustCompile(`(?i)\bissue \d+|§ ?\d|\bitem \d+\b|\bdesign\.md\b|\bdesign R\d|\bR[1-8](?:'s)? (?:keys|settings)\b|\(R[1-8](?:, R[1-8])*\)|\bthe seed's\b`)

// TestNoOutsideReferences walks every file git tracks (this package's
// pattern aside) for such pointers.
func TestNoOutsideReferences(t *testing.T) {
	out, err := exec.Command("git", "-C", repo, "ls-files").Output()
	if err != nil {
		t.Skipf("no git checkout here: %v", err)
	}
	files := strings.Fields(string(out))
	if len(files) < 100 {
		t.Fatalf("git lists %d files; the walk is broken", len(files))
	}
	for _, f := range files {
		if strings.HasPrefix(f, "test/docs/") || strings.HasSuffix(f, ".sum") || strings.HasPrefix(f, "CHANGELOG.md") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(repo, f))
		if err != nil || strings.ContainsRune(string(b[:min(len(b), 8000)]), 0) {
			continue // removed in the work tree, or binary
		}
		for i, line := range strings.Split(string(b), "\n") {
			if m := outsideRef.FindString(line); m != "" {
				t.Errorf("%s:%d: %q points at a document the reader does not have; name the rule or decision itself", f, i+1, m)
			}
		}
	}
}
