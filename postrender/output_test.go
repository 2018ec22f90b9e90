package postrender

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"

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

// The placeholder is replaced wherever it falls, across the copy's block
// boundaries included, and nothing else changes.
func TestCopyReplacing(t *testing.T) {
	const name = "rel-env-abc123"
	for _, gap := range []int{0, 1, 7, 64<<10 - len(placeholder) + 3, 64<<10 - 1, 64 << 10, 3 * 64 << 10} {
		in := strings.Repeat("y", gap) + placeholder + "\n" + strings.Repeat("z", gap) + placeholder + placeholder[:5]
		want := strings.ReplaceAll(in, placeholder, name)
		for _, r := range []io.Reader{strings.NewReader(in), iotest.OneByteReader(strings.NewReader(in)), iotest.HalfReader(strings.NewReader(in))} {
			var got bytes.Buffer
			n, err := copyReplacing(&got, r, []byte(placeholder), []byte(name))
			if err != nil || n != int64(len(in)) || got.String() != want {
				t.Fatalf("gap %d: read %d of %d, err %v, output equal %v", gap, n, len(in), err, got.String() == want)
			}
		}
	}
}
