package postrender

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/helm-todo/helm-todo/internal/testsupport/psa"
	"github.com/helm-todo/helm-todo/postrender/corpus"
	"github.com/helm-todo/helm-todo/postrender/policy"
)

// id is what the contract keeps: (apiVersion, kind, namespace, name).
type id struct{ APIVersion, Kind, Namespace, Name string }

func (i id) String() string {
	return fmt.Sprintf("%s %s %s/%s", i.APIVersion, i.Kind, i.Namespace, i.Name)
}

// ids lists a stream's resources with Kubernetes' own YAML reader, so the
// check does not share the pass's splitter.
func ids(t testing.TB, stream []byte) []id {
	t.Helper()
	out, err := readIDs(stream)
	if err != nil {
		t.Fatalf("%v\n%s", err, stream)
	}
	return out
}

func readIDs(stream []byte) ([]id, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(stream)))
	var out []id
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := yaml.Unmarshal(doc, &m); err != nil {
			return nil, err
		}
		if m == nil {
			continue // comments only
		}
		meta, _ := m["metadata"].(map[string]any)
		out = append(out, id{str(m["apiVersion"]), str(m["kind"]), str(meta["namespace"]), str(meta["name"])})
	}
}

// str renders any scalar, so that odd fuzz input (kind: 1) still compares.
func str(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

var generatedSecret = regexp.MustCompile(`^[a-z0-9.-]+-env-[a-z0-9]{10}$`)

// checkInvariants asserts the contract on one successful pass: the same
// resources in the same order plus at most the generated Secret, and
// running again changes nothing.
func checkInvariants(t testing.TB, p *policy.Policy, in, out []byte) {
	t.Helper()
	checkIdentity(t, in, out)
	checkIdempotent(t, p, out)
}

func checkIdentity(t testing.TB, in, out []byte) {
	t.Helper()
	before, after := ids(t, in), ids(t, out)
	if len(after) < len(before) || len(after) > len(before)+1 {
		t.Fatalf("%d resources in, %d out", len(before), len(after))
	}
	for i := range before {
		if before[i] != after[i] {
			t.Fatalf("resource %d: %s in, %s out", i+1, before[i], after[i])
		}
	}
	if len(after) == len(before)+1 {
		extra := after[len(after)-1]
		if extra.APIVersion != "v1" || extra.Kind != "Secret" || !generatedSecret.MatchString(extra.Name) {
			t.Fatalf("the only resource the pass may add is its generated Secret, got %s", extra)
		}
	}
	if len(bytes.TrimSpace(in)) > 0 && len(out) == 0 {
		t.Fatal("empty output for non-empty input (Helm 4 fails on it)")
	}
}

func checkIdempotent(t testing.TB, p *policy.Policy, out []byte) {
	t.Helper()
	var again bytes.Buffer
	if err := Run(bytes.NewReader(out), &again, p, io.Discard); err != nil {
		t.Fatalf("second pass failed: %v", err)
	}
	if !bytes.Equal(again.Bytes(), out) {
		t.Fatalf("second pass differs from the first:\n--- first\n%s\n--- second\n%s", out, again.Bytes())
	}
}

func TestPropertiesOverGeneratedWorkloads(t *testing.T) {
	p := policy.Default()
	checked, refused := 0, 0
	for seed := uint64(1); seed <= 40; seed++ {
		s := corpus.Workloads(seed, 40)
		var out, notices bytes.Buffer
		if err := Run(bytes.NewReader(s.YAML), &out, p, &notices); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		checkInvariants(t, p, s.YAML, out.Bytes())
		for _, v := range s.SecretValues {
			if bytes.Contains(out.Bytes(), []byte(v)) || bytes.Contains(notices.Bytes(), []byte(v)) {
				t.Fatalf("seed %d: a secret-looking literal is still in plain text", seed)
			}
		}
		results, err := psa.CheckStream(out.Bytes())
		if err != nil {
			t.Fatalf("seed %d: psa: %v", seed, err)
		}
		for _, r := range results {
			// psa matches kinds by name; the example.com "Deployment"
			// custom resources are deliberately left alone by the pass.
			if strings.HasPrefix(r.Name, "cr-") {
				continue
			}
			if s.Conflicting[r.Name] {
				if !r.Allowed {
					refused++
				}
				continue
			}
			checked++
			if !r.Allowed {
				t.Errorf("seed %d: %s", seed, r)
			}
		}
	}
	// Guard the oracle: both outcomes must have occurred.
	if checked < 100 || refused == 0 {
		t.Errorf("checked %d hardened pods and saw %d refusals of explicit conflicts; the corpus no longer exercises both", checked, refused)
	}
}
