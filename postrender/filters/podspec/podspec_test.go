package podspec

import (
	"errors"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func TestIsWorkload(t *testing.T) {
	tests := map[string]struct {
		apiVersion, kind string
		want             bool
	}{
		"pod":                    {"v1", "Pod", true},
		"deployment":             {"apps/v1", "Deployment", true},
		"cronjob":                {"batch/v1", "CronJob", true},
		"job in apps is not":     {"apps/v1", "Job", false},
		"custom group":           {"example.com/v1", "Deployment", false},
		"custom pod":             {"example.com/v1", "Pod", false},
		"service":                {"v1", "Service", false},
		"list":                   {"v1", "List", false},
		"old extensions group":   {"extensions/v1beta1", "Deployment", false},
		"apps without a version": {"apps", "Deployment", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := IsWorkload(tc.apiVersion, tc.kind); got != tc.want {
				t.Errorf("IsWorkload(%q, %q) = %v, want %v", tc.apiVersion, tc.kind, got, tc.want)
			}
		})
	}
}

func TestFind(t *testing.T) {
	tests := map[string]struct {
		input      string
		ok         bool
		wantLabels map[string]string
		containers []string
	}{
		"cronjob merges workload and pod labels": {
			input: `apiVersion: batch/v1
kind: CronJob
metadata: {name: c, labels: {a: workload, b: workload}}
spec:
  jobTemplate:
    spec:
      template:
        metadata: {labels: {b: pod}}
        spec:
          initContainers: [{name: i}]
          containers: [{name: x}, {name: y}]
`,
			ok: true, wantLabels: map[string]string{"a": "workload", "b": "pod"}, containers: []string{"i", "x", "y"},
		},
		"pod":                     {input: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a}]}\n", ok: true, containers: []string{"a"}},
		"deployment without spec": {input: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n", ok: false},
		"template spec is a list": {input: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: {spec: []}}\n", ok: false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tpl, ok := Find(yaml.MustParse(tc.input))
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			for k, v := range tc.wantLabels {
				if tpl.Labels[k] != v {
					t.Errorf("label %s = %q, want %q", k, tpl.Labels[k], v)
				}
			}
			var names []string
			for _, c := range Containers(tpl.Spec) {
				names = append(names, c.Name)
			}
			if len(names) != len(tc.containers) {
				t.Fatalf("containers %v, want %v", names, tc.containers)
			}
			for i := range names {
				if names[i] != tc.containers[i] {
					t.Errorf("containers %v, want %v", names, tc.containers)
				}
			}
		})
	}
}

func TestEachContainer(t *testing.T) {
	stream := []*yaml.RNode{
		yaml.MustParse("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: {spec: {initContainers: [{name: i}], containers: [{name: a}, {name: b}]}}}\n"),
		yaml.MustParse("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {containers: [{name: not-a-pod}]}\n"),
		yaml.MustParse("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c}]}\n"),
	}
	tests := map[string]struct {
		failAt  string // the container whose visit returns an error
		visited string
	}{
		"every container of every workload, init first": {visited: "d/i* d/a d/b p/c"},
		"the first error stops the walk":                {failAt: "b", visited: "d/i* d/a d/b"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var visited []string
			out, err := EachContainer(func(res *yaml.RNode, _ Template, c Container) error {
				v := res.GetName() + "/" + c.Name
				if c.Init {
					v += "*"
				}
				visited = append(visited, v)
				if c.Name == tc.failAt {
					return errors.New("stop")
				}
				return nil
			}).Filter(stream)
			if got := strings.Join(visited, " "); got != tc.visited {
				t.Errorf("visited %q, want %q", got, tc.visited)
			}
			if (err != nil) != (tc.failAt != "") {
				t.Fatalf("err = %v, want an error: %v", err, tc.failAt != "")
			}
			if err == nil && len(out) != len(stream) {
				t.Errorf("passed on %d resources, want all %d", len(out), len(stream))
			}
		})
	}
}
