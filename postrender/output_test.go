package postrender

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/postrender/corpus"
	"github.com/helm-todo/helm-todo/postrender/policy"
)

// The output is spooled to a temporary file that never outlives the pass,
// on success or failure, and the in-memory fallback gives the same bytes.
func TestSpoolLeavesNothingBehind(t *testing.T) {
	in := corpus.Chart(200)
	var want bytes.Buffer
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	if err := Run(bytes.NewReader(in), &want, policy.Default(), nil); err != nil {
		t.Fatal(err)
	}
	bad := append(append([]byte{}, in...), "---\napiVersion: v1\nkind: [\n"...)
	var out bytes.Buffer
	if err := Run(bytes.NewReader(bad), &out, policy.Default(), nil); err == nil || out.Len() != 0 {
		t.Fatalf("a bad last document: err %v, %d bytes written", err, out.Len())
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("left in TMPDIR: %v", left)
	}
	// No usable temporary directory: the same output, held in memory.
	t.Setenv("TMPDIR", tmp+"/missing")
	var got bytes.Buffer
	if err := Run(bytes.NewReader(in), &got, policy.Default(), nil); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) || !strings.Contains(got.String(), "-env-") {
		t.Errorf("the in-memory output differs from the spooled one")
	}
}
