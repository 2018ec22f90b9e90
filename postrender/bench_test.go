package postrender

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/helm-todo/helm-todo/postrender/corpus"
	"github.com/helm-todo/helm-todo/postrender/policy"
)

// BenchmarkRun measures the pass on a chart-like stream at three sizes;
// bench/postrender.sh compares the whole binary with kustomize and a
// yaml.v3 floor. ns/op should grow tenfold per step, not a hundredfold.
func BenchmarkRun(b *testing.B) {
	p := policy.Default()
	for _, n := range []int{100, 1000, 10000} {
		in := corpus.Chart(n)
		b.Run(fmt.Sprintf("docs=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if err := Run(bytes.NewReader(in), io.Discard, p, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
