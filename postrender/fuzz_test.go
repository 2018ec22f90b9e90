package postrender

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/postrender/corpus"
	"github.com/helm-todo/helm-todo/postrender/policy"
)

// FuzzRun feeds arbitrary streams to the pass: it must never panic, and
// whenever it succeeds the contract holds (same resources in order plus at
// most the generated Secret, idempotent, and every pod passes Pod Security
// restricted unless the input explicitly set a conflicting field). Seeds are in testdata/fuzz/FuzzRun
// and below; `make fuzz` runs it briefly in CI.
func FuzzRun(f *testing.F) {
	f.Add([]byte(helm4Stream))
	f.Add(corpus.Workloads(7, 6).YAML)
	f.Add(corpus.Chart(8))
	f.Add([]byte("---\n# only a comment\n---\n"))
	p := policy.Default()
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		if err := Run(bytes.NewReader(in), &out, p, io.Discard); err != nil {
			if out.Len() != 0 {
				t.Fatalf("wrote %d bytes before failing: %v", out.Len(), err)
			}
			return
		}
		if len(bytes.TrimSpace(in)) > 0 && out.Len() == 0 {
			t.Fatal("empty output for non-empty input (Helm 4 fails on it)")
		}
		// The identity oracle reads YAML with Kubernetes' reader and
		// sigs.k8s.io/yaml; input they cannot read is only held to
		// idempotence.
		if _, err := readIDs(in); err == nil {
			checkIdentity(t, in, out.Bytes())
			// No pod fails Pod Security restricted unless the input set a
			// conflicting field explicitly (and, duplicates being refused,
			// uniquely).
			if f, ok := restrictedFailures(in, out.Bytes()); ok && len(f) > 0 {
				t.Fatalf("Pod Security restricted:\n  %s", strings.Join(f, "\n  "))
			}
		}
		checkIdempotent(t, p, out.Bytes())
	})
}
