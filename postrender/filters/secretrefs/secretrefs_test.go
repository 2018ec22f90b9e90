package secretrefs

import (
	"fmt"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/helm-todo/helm-todo/postrender/filters/filtertest"
	"github.com/helm-todo/helm-todo/postrender/filters/report"
	"github.com/helm-todo/helm-todo/postrender/policy"
	"github.com/helm-todo/helm-todo/postrender/secretgen"
)

// judge stands in for policy.Judge (tested there): a secret-looking name
// with a value that is neither empty nor a $(VAR) reference.
func judge(name, value string) policy.Verdict {
	named := strings.HasSuffix(name, "_TOKEN") || strings.Contains(name, "PASSWORD") || name == "DATABASE_URL"
	return policy.Verdict{Secret: named && value != "" && !strings.Contains(value, "$(")}
}

func TestFilter(t *testing.T) {
	tests := map[string]struct {
		input, expected string
		data            map[string]string
		notices         []string
		unchanged       bool
	}{
		"secret-looking literals move, others stay": {
			input: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      initContainers:
      - name: init
        env:
        - name: DB_PASSWORD
          value: "pw"
      containers:
      - name: app
        env:
        - name: API_TOKEN
          value: "tok"
        - name: PORT
          value: "80"
        - name: DATABASE_URL
          value: "postgres://u:$(DB_PASSWORD)@db/app"
        - name: EMPTY_TOKEN
          value: ""
        - name: NULL_TOKEN
          value: null
        - name: REF_TOKEN
          valueFrom:
            secretKeyRef: {name: s, key: k}
`,
			expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      initContainers:
      - name: init
        env:
        - name: DB_PASSWORD
          valueFrom:
            secretKeyRef:
              name: GEN
              key: web.init.DB_PASSWORD
      containers:
      - name: app
        env:
        - name: API_TOKEN
          valueFrom:
            secretKeyRef:
              name: GEN
              key: web.app.API_TOKEN
        - name: PORT
          value: "80"
        - name: DATABASE_URL
          value: "postgres://u:$(DB_PASSWORD)@db/app"
        - name: EMPTY_TOKEN
          value: ""
        - name: NULL_TOKEN
          value: null
        - name: REF_TOKEN
          valueFrom:
            secretKeyRef: {name: s, key: k}
`,
			data: map[string]string{"web.init.DB_PASSWORD": "pw", "web.app.API_TOKEN": "tok"},
		},
		"a repeated variable gets a numbered key": {
			input: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: c
    env:
    - {name: A_TOKEN, value: one}
    - {name: A_TOKEN, value: two}
`,
			expected: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: c
    env:
    - {name: A_TOKEN, valueFrom: {secretKeyRef: {name: GEN, key: p.c.A_TOKEN}}}
    - {name: A_TOKEN, valueFrom: {secretKeyRef: {name: GEN, key: p.c.A_TOKEN-2}}}
`,
			data: map[string]string{"p.c.A_TOKEN": "one", "p.c.A_TOKEN-2": "two"},
		},
		"a Helm hook keeps its literals, with a notice that holds no value": {
			input: `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations:
    helm.sh/hook: pre-install
spec:
  template:
    spec:
      containers:
      - name: m
        env:
        - {name: API_TOKEN, value: hidden-value}
`,
			unchanged: true,
			notices:   []string{"Job/migrate: container m: env API_TOKEN kept as a literal: a Helm hook runs before the generated Secret exists"},
		},
		"a custom resource is untouched": {
			input: `apiVersion: example.com/v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: c
    env:
    - {name: A_TOKEN, value: one}
`,
			unchanged: true,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res := yaml.MustParse(tc.input)
			rep := &report.Report{}
			col := &Collector{RefName: "GEN"}
			f := Filter{Judge: judge, Secret: col, Report: rep}
			filtertest.Check(t, f, res, rep, tc.input, tc.expected, tc.unchanged, tc.notices)
			defer col.Close()
			got := map[string]string{}
			if err := col.Each(secretgen.ByteOrder, func(k, v string) error { got[k] = v; return nil }); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.data) || col.Len() != len(tc.data) || col.Refs != len(tc.data) {
				t.Errorf("collected %d values (Len %d) and %d refs, want %d", len(got), col.Len(), col.Refs, len(tc.data))
			}
			for k, v := range tc.data {
				if got[k] != v {
					t.Errorf("collected[%s] differs from the literal", k)
				}
			}
		})
	}
}

func TestCollectorNamespaces(t *testing.T) {
	col := &Collector{RefName: "GEN"}
	f := Filter{Judge: judge, Secret: col}
	pod := func(ns, name string) *yaml.RNode {
		return yaml.MustParse("apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: " + ns + "\n  labels:\n    app.kubernetes.io/instance: rel\nspec:\n  containers:\n  - name: c\n    env:\n    - {name: A_TOKEN, value: v}\n")
	}
	if _, err := f.Filter([]*yaml.RNode{pod("a", "p1")}); err != nil {
		t.Fatal(err)
	}
	if col.Namespace() != "a" || col.BaseName() != "rel-env" {
		t.Errorf("namespace %q base name %q, want a and rel-env", col.Namespace(), col.BaseName())
	}
	_, err := f.Filter([]*yaml.RNode{pod("b", "p2")})
	if err == nil || !strings.Contains(err.Error(), `namespace "b" differs from "a" of Pod/a/p1`) {
		t.Fatalf("second namespace: err = %v, want one naming both namespaces and the first workload", err)
	}
	if strings.Contains(err.Error(), ": v") {
		t.Errorf("error %q may show a value", err)
	}
}

func TestBaseName(t *testing.T) {
	tests := map[string]struct{ first, want string }{
		"instance":   {"todo", "todo-env"},
		"label case": {"My_Release", "my-release-env"},
		"nothing":    {"", "helm-todo-env"},
		"only junk":  {"__", "helm-todo-env"},
		"long":       {strings.Repeat("a", 300), strings.Repeat("a", 200) + "-env"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := (&Collector{firstName: tc.first}).BaseName(); got != tc.want {
				t.Errorf("BaseName() = %q, want %q", got, tc.want)
			}
		})
	}
}

// A key already collected with another value gets a numbered key, and with
// the same value is shared, also once the first is spooled out of memory.
func TestCollectorNumbersTakenKeys(t *testing.T) {
	col := &Collector{RefName: "GEN"}
	defer col.Close()
	res := yaml.MustParse("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n")
	add := func(key, value string) string {
		t.Helper()
		got, err := col.add(res, key, value)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	add("p.c.A_TOKEN", "one")
	for i := 0; i < 5000; i++ { // spooled in chunks
		add(fmt.Sprintf("w%d.c.A_TOKEN", i), "x")
	}
	for _, tc := range []struct{ value, want string }{
		{"one", "p.c.A_TOKEN"},
		{"two", "p.c.A_TOKEN-2"},
		{"three", "p.c.A_TOKEN-3"},
		{"two", "p.c.A_TOKEN-2"},
	} {
		if got := add("p.c.A_TOKEN", tc.value); got != tc.want {
			t.Errorf("a value under a taken key got %s, want %s", got, tc.want)
		}
	}
	if col.Len() != 5003 {
		t.Errorf("Len %d, want 5003", col.Len())
	}
}
