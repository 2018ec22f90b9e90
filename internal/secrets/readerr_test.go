package secrets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

// Each way an env file fails gets an error and a fix that fit it.
func TestLoadErrorsFit(t *testing.T) {
	dir := t.TempDir()
	long := filepath.Join(dir, "long.env")
	if err := os.WriteFile(long, []byte("A=1\nB="+strings.Repeat("x", maxLine+1)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.env")
	if err := os.WriteFile(bad, []byte("A=1\nnot a pair\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		path, want, fix string
	}{
		"directory": {path: dir, want: "is a directory", fix: "pass a dotenv file"},
		"long line": {path: long, want: "long.env:2: line longer than 1048576 bytes", fix: "fix the line named above"},
		"bad line":  {path: bad, want: "bad.env:2: expected KEY=VALUE", fix: "fix the line named above"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Load(tc.path, true, func(string) string { return "" })
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(clierr.FixOf(err), tc.fix) {
				t.Fatalf("got %v / fix %q, want %q / %q", err, clierr.FixOf(err), tc.want, tc.fix)
			}
			if strings.Contains(err.Error(), "token too long") {
				t.Errorf("bufio's message leaked: %v", err)
			}
		})
	}
}
