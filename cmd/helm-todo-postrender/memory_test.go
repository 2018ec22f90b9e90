package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"github.com/helm-todo/helm-todo/postrender/corpus"
)

// maxRSSKiB is the post-renderer's budget at 10,000 documents (issue 3):
// 64 MB peak resident set, for the binary as Helm runs it.
const maxRSSKiB = 64 << 10

// TestPeakMemory runs the release build of this binary, as Helm runs it
// (no arguments, manifests on stdin), on the 10,000-document stream of
// bench/postrender.sh and holds it to its memory budget. Resident size is
// not timing: it barely moves with machine load (measured 51.9 MB here,
// against 92 MB for the same pass inside the full helm-todo CLI).
func TestPeakMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("peak RSS is read from Linux rusage")
	}
	bin := filepath.Join(t.TempDir(), "helm-todo-postrender")
	// The flags of `make build`: stripped, as shipped.
	if out, err := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	in := corpus.Chart(10000)
	var out, errOut bytes.Buffer
	cmd := exec.Command(bin)
	cmd.Stdin = bytes.NewReader(in)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("post-render of 10,000 documents: %v\n%s", err, errOut.String())
	}
	if out.Len() < len(in) {
		t.Fatalf("wrote %d bytes for %d in: the stream was not post-rendered", out.Len(), len(in))
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Fatal("no rusage for the child")
	}
	t.Logf("peak RSS at 10,000 documents (%d bytes in, %d out): %.1f MB", len(in), out.Len(), float64(ru.Maxrss)/1024)
	if ru.Maxrss > maxRSSKiB {
		t.Errorf("peak RSS %.1f MB, budget %d MB: something heavy got linked in (see TestStaysSmall) or the pass holds more than the output", float64(ru.Maxrss)/1024, maxRSSKiB>>10)
	}
}
