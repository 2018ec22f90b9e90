package postrender

import (
	"errors"
	"io"
	"runtime"
	"testing"

	"github.com/helm-todo/helm-todo/postrender/corpus"
	"github.com/helm-todo/helm-todo/postrender/policy"
)

// The pass keeps nothing per document: the live heap when the whole input
// has been read (every document processed, nothing written yet) is the same
// for 42,768 documents as for 10,000. Live bytes after a collection do not
// move with machine load, so this holds every run; before the output's
// marks, the notices and the moved values were spooled it grew by about
// 3 MB. (The binary's peak resident size is TestPeakMemory's, in
// cmd/helm-todo-postrender.)
func TestLiveHeapFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("post-renders 52,768 documents")
	}
	// The corpus moves one value per four documents, spooled by the chunk
	// of 2,048 (secretstore): sizes four chunks apart hold as many values
	// in memory, and the Bloom filter exists at both.
	const small, large = 10000, 10000 + 4*4*2048
	atSmall, atLarge := liveAtEOF(t, small), liveAtEOF(t, large)
	t.Logf("live heap at the end of the input: %d KiB at %d documents, %d KiB at %d", atSmall>>10, small, atLarge>>10, large)
	// The map of moved values alone was about 1 MB more at the larger
	// size; a few bytes per document would be 100 KB.
	const slack = 64 << 10
	if atLarge > atSmall+slack {
		t.Errorf("live heap %d KiB at %d documents, %d KiB at %d: the pass keeps about %d bytes per document alive", atLarge>>10, large, atSmall>>10, small, (atLarge-atSmall)/(large-small))
	}
}

// liveAtEOF post-renders a chart-like stream of n documents and returns the
// live heap in bytes at the moment the pass reads the end of its input.
func liveAtEOF(t *testing.T, n int) int64 {
	t.Helper()
	r := &eofProbe{r: corpus.ChartReader(n)}
	if err := Run(r, io.Discard, policy.Default(), io.Discard); err != nil {
		t.Fatal(err)
	}
	if r.live == 0 {
		t.Fatal("the pass never read the end of its input")
	}
	return r.live
}

// eofProbe measures the live heap when its reader first returns io.EOF.
type eofProbe struct {
	r    io.Reader
	live int64
}

func (p *eofProbe) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if errors.Is(err, io.EOF) && p.live == 0 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		p.live = int64(m.HeapAlloc)
	}
	return n, err
}
