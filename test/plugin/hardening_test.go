package plugin_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/helm-todo/helm-todo/internal/testsupport/psa"
)

// doc is one resource of a rendered stream.
type doc struct {
	Kind string
	Name string
	Obj  map[string]any
}

var separator = regexp.MustCompile(`(?m)^---\s*$`)

func parseStream(t *testing.T, stream string) []doc {
	t.Helper()
	var docs []doc
	for i, part := range separator.Split(stream, -1) {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(part), &obj); err != nil {
			t.Fatalf("document %d of the output is not YAML: %v\n%s", i, err, part)
		}
		if len(obj) == 0 {
			continue
		}
		kind, _ := obj["kind"].(string)
		name, _ := get(obj, "metadata", "name").(string)
		docs = append(docs, doc{Kind: kind, Name: name, Obj: obj})
	}
	return docs
}

func find(t *testing.T, docs []doc, kind, name string) doc {
	t.Helper()
	for _, d := range docs {
		if d.Kind == kind && d.Name == name {
			return d
		}
	}
	var have []string
	for _, d := range docs {
		have = append(have, d.Kind+"/"+d.Name)
	}
	t.Fatalf("no %s/%s in the output; it has %v", kind, name, have)
	return doc{}
}

func get(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// podSpec returns a workload's pod template spec.
func podSpec(d doc) map[string]any {
	var spec any
	switch d.Kind {
	case "Pod":
		spec = get(d.Obj, "spec")
	case "CronJob":
		spec = get(d.Obj, "spec", "jobTemplate", "spec", "template", "spec")
	default:
		spec = get(d.Obj, "spec", "template", "spec")
	}
	m, _ := spec.(map[string]any)
	return m
}

// hardeningGaps lists which of the post-renderer's injections
// a workload lacks; empty means it carries them all.
func hardeningGaps(d doc) []string {
	spec := podSpec(d)
	var gaps []string
	want := func(ok bool, what string) {
		if !ok {
			gaps = append(gaps, what)
		}
	}
	want(get(spec, "securityContext", "runAsNonRoot") == true, "pod securityContext.runAsNonRoot: true")
	want(get(spec, "securityContext", "seccompProfile", "type") == "RuntimeDefault", "pod securityContext.seccompProfile RuntimeDefault")
	containers, _ := spec["containers"].([]any)
	want(len(containers) > 0, "containers")
	for _, c := range containers {
		name, _ := get(c, "name").(string)
		sc := get(c, "securityContext")
		want(get(sc, "allowPrivilegeEscalation") == false, name+": allowPrivilegeEscalation: false")
		want(get(sc, "readOnlyRootFilesystem") == true, name+": readOnlyRootFilesystem: true")
		drop, _ := get(sc, "capabilities", "drop").([]any)
		want(fmt.Sprint(drop) == "[ALL]", name+": capabilities.drop [ALL]")
	}
	return gaps
}

// psaFailures evaluates the stream against Pod Security restricted:latest
// with k8s.io/pod-security-admission.
func psaFailures(t *testing.T, stream string) []string {
	t.Helper()
	results, err := psa.CheckStream([]byte(stream))
	if err != nil {
		t.Fatalf("psa check: %v", err)
	}
	return psa.Failures(results)
}

func assertHardened(t *testing.T, stream string, docs []doc, workloads ...[2]string) {
	t.Helper()
	if f := psaFailures(t, stream); len(f) > 0 {
		t.Errorf("Pod Security restricted violations in the post-rendered output:\n  %s", strings.Join(f, "\n  "))
	}
	for _, w := range workloads {
		if gaps := hardeningGaps(find(t, docs, w[0], w[1])); len(gaps) > 0 {
			t.Errorf("%s/%s lacks %v", w[0], w[1], gaps)
		}
	}
}
