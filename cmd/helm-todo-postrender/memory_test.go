package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"

	"github.com/helm-todo/helm-todo/postrender/corpus"
)

// maxRSSKiB is the post-renderer's budget at 10,000 documents:
// 32 MB peak resident set, for the binary as Helm runs it.
const maxRSSKiB = 32 << 10

// runs is how many times each size is measured: the budget holds the
// minimum, so one run pushed up by the machine's load cannot fail it.
const runs = 3

// TestPeakMemory runs the release build of this binary, as Helm runs it
// (no arguments, manifests on stdin), on the 10,000- and 100,000-document
// streams of bench/postrender.sh and holds it to its memory budget and to
// a flat profile. Resident size is not timing: it barely moves with machine
// load (measured 29.4 and 30.8 MB here).
func TestPeakMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("peak RSS is read from Linux rusage")
	}
	if testing.Short() {
		t.Skip("post-renders 100,000 documents")
	}
	bin := filepath.Join(t.TempDir(), "helm-todo-postrender")
	// The flags of `make build`: stripped, as shipped.
	if out, err := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	at10k := minPeakRSS(t, bin, 10000)
	if at10k > maxRSSKiB {
		t.Errorf("peak RSS %.1f MB at 10,000 documents (least of %d runs), budget %d MB: something heavy got linked in (see TestStaysSmall) or the pass holds more than it should", float64(at10k)/1024, runs, maxRSSKiB>>10)
	}
	at100k := minPeakRSS(t, bin, 100000)
	if at100k > maxRSSKiB {
		t.Errorf("peak RSS %.1f MB at 100,000 documents (least of %d runs), budget %d MB: the pass keeps something per document alive", float64(at100k)/1024, runs, maxRSSKiB>>10)
	}
	t.Logf("peak RSS 100,000 vs 10,000 documents: %.2fx (printed, not asserted)", float64(at100k)/float64(at10k))
}

// minPeakRSS is the least peak of runs post-renders of n documents.
func minPeakRSS(t *testing.T, bin string, n int) int64 {
	t.Helper()
	inPath := filepath.Join(t.TempDir(), "in.yaml")
	inLen := writeCorpus(t, inPath, n)
	least := int64(-1)
	for i := 0; i < runs; i++ {
		if kb := peakRSS(t, bin, inPath, inLen, n); least < 0 || kb < least {
			least = kb
		}
	}
	return least
}

// peakRSS post-renders the n documents at inPath with bin and returns the
// child's peak resident set in KiB. Input and output go through files, so
// this process stays small (see writeCorpus).
func peakRSS(t *testing.T, bin, inPath string, inLen int64, n int) int64 {
	t.Helper()
	outPath := filepath.Join(t.TempDir(), "out.yaml")
	in, err := os.Open(inPath)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	var errOut bytes.Buffer
	cmd := exec.Command(bin)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = in, out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("post-render of %d documents: %v\n%s", n, err, errOut.String())
	}
	fi, err := out.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() < inLen {
		t.Fatalf("wrote %d bytes for %d in: the stream was not post-rendered", fi.Size(), inLen)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Fatal("no rusage for the child")
	}
	t.Logf("peak RSS at %d documents (%d bytes in, %d out): %.1f MB", n, inLen, fi.Size(), float64(ru.Maxrss)/1024)
	return ru.Maxrss
}

// writeCorpus has a child process write corpus.Chart(n) to path: a
// child's peak RSS includes its parent's high-water mark (the pages they
// share until exec), so this process must never hold a large stream.
func writeCorpus(t *testing.T, path string, n int) int64 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestWriteCorpusHelper$")
	cmd.Env = append(os.Environ(), "HELM_TODO_CORPUS_FILE="+path, fmt.Sprintf("HELM_TODO_CORPUS_DOCS=%d", n))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("write corpus: %v\n%s", err, out)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// TestWriteCorpusHelper is writeCorpus's child; it does nothing in a
// normal run.
func TestWriteCorpusHelper(t *testing.T) {
	path := os.Getenv("HELM_TODO_CORPUS_FILE")
	if path == "" {
		t.Skip("only run by writeCorpus")
	}
	n, err := strconv.Atoi(os.Getenv("HELM_TODO_CORPUS_DOCS"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, corpus.Chart(n), 0o600); err != nil {
		t.Fatal(err)
	}
}
