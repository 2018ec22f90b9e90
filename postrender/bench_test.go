package postrender

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	yamlv3 "gopkg.in/yaml.v3"

	"github.com/helm-todo/helm-todo/postrender/corpus"
	"github.com/helm-todo/helm-todo/postrender/policy"
)

var benchSizes = []int{100, 1000, 10000}

// BenchmarkRun measures the pass on a chart-like stream at three sizes.
// Compare it with BenchmarkFloor from the same run: the target is at most
// twice the floor at 10,000 documents, and tenfold growth per step.
// bench/postrender.sh does the same for the binaries, with kustomize.
func BenchmarkRun(b *testing.B) {
	p := policy.Default()
	for _, n := range benchSizes {
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

// BenchmarkFloor is the least a per-document pass costs: split on
// separators, parse each document with yaml.v3 and write it back.
func BenchmarkFloor(b *testing.B) {
	for _, n := range benchSizes {
		in := corpus.Chart(n)
		b.Run(fmt.Sprintf("docs=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if err := floor(in, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func floor(in []byte, out io.Writer) error {
	sp := newSplitter(bytes.NewReader(in))
	for {
		c, err := sp.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if blank(c.body) {
			continue
		}
		var n yamlv3.Node
		if err := yamlv3.Unmarshal(c.body, &n); err != nil {
			return err
		}
		io.WriteString(out, "---\n")
		enc := yamlv3.NewEncoder(out)
		enc.SetIndent(2)
		if err := enc.Encode(&n); err != nil {
			return err
		}
		enc.Close()
	}
}
