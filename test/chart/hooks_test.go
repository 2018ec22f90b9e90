package chart_test

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// ref is a Secret or ConfigMap a pod spec needs.
type ref struct{ Kind, Name string }

// podRefs lists every Secret and ConfigMap a pod spec reads, through env,
// envFrom and volumes, in every container.
func podRefs(spec corev1.PodSpec) []ref {
	seen := map[ref]bool{}
	add := func(kind, name string) { seen[ref{kind, name}] = true }
	for _, c := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
		for _, e := range c.Env {
			if e.ValueFrom == nil {
				continue
			}
			if s := e.ValueFrom.SecretKeyRef; s != nil {
				add("Secret", s.Name)
			}
			if m := e.ValueFrom.ConfigMapKeyRef; m != nil {
				add("ConfigMap", m.Name)
			}
		}
		for _, e := range c.EnvFrom {
			if e.SecretRef != nil {
				add("Secret", e.SecretRef.Name)
			}
			if e.ConfigMapRef != nil {
				add("ConfigMap", e.ConfigMapRef.Name)
			}
		}
	}
	for _, v := range spec.Volumes {
		if v.Secret != nil {
			add("Secret", v.Secret.SecretName)
		}
		if v.ConfigMap != nil {
			add("ConfigMap", v.ConfigMap.Name)
		}
		if v.Projected != nil {
			for _, s := range v.Projected.Sources {
				if s.Secret != nil {
					add("Secret", s.Secret.Name)
				}
				if s.ConfigMap != nil {
					add("ConfigMap", s.ConfigMap.Name)
				}
			}
		}
	}
	var out []ref
	for r := range seen {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind+out[i].Name < out[j].Kind+out[j].Name })
	return out
}

func hasEvent(d doc, event string) bool {
	for _, e := range strings.Split(d.Metadata.Annotations["helm.sh/hook"], ",") {
		if strings.TrimSpace(e) == event {
			return true
		}
	}
	return false
}

func hookWeight(d doc) int {
	w, _ := strconv.Atoi(d.Metadata.Annotations["helm.sh/hook-weight"])
	return w
}

// freshInstallProblems is the fresh-install rule: on a fresh install, every Secret or
// ConfigMap a pre-install Job reads is either a pre-install hook of a lower
// weight (so Helm creates it first) or the existingSecret (made before Helm
// runs). Ordinary resources do not exist yet when pre-install hooks run.
func freshInstallProblems(t *testing.T, r *rendering, existingSecret string) []string {
	t.Helper()
	var problems []string
	for _, d := range r.docs {
		if d.Kind != "Job" || !d.IsHook || !hasEvent(d, "pre-install") {
			continue
		}
		j, _ := job(t, r, d.Metadata.Name)
		for _, rf := range podRefs(j.Spec.Template.Spec) {
			if rf.Kind == "Secret" && existingSecret != "" && rf.Name == existingSecret {
				continue
			}
			dep, ok := r.find(rf.Kind, rf.Name)
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("Job/%s reads %s/%s, which the chart does not render and is not the existingSecret", d.Metadata.Name, rf.Kind, rf.Name))
			case !dep.IsHook || !hasEvent(dep, "pre-install"):
				problems = append(problems, fmt.Sprintf("Job/%s reads %s/%s, an ordinary resource that does not exist yet at pre-install", d.Metadata.Name, rf.Kind, rf.Name))
			case hookWeight(dep) >= hookWeight(d):
				problems = append(problems, fmt.Sprintf("Job/%s (weight %d) reads %s/%s of weight %d, which is not created first", d.Metadata.Name, hookWeight(d), rf.Kind, rf.Name, hookWeight(dep)))
			}
		}
	}
	return problems
}

// TestFreshInstallOrder proves the fresh-install rule for every way the chart is installed.
func TestFreshInstallOrder(t *testing.T) {
	for _, tc := range []struct {
		name           string
		files          []string
		set            []string
		existingSecret string
		wantPreInstall bool
	}{
		{name: "defaults", wantPreInstall: true},
		{name: "existingSecret", set: []string{"secrets.existingSecret=todo-secrets"}, existingSecret: "todo-secrets", wantPreInstall: true},
		{name: "in-cluster database", set: []string{"database.external=false"}},
		{name: "values-dev", files: []string{devValues}},
		{name: "values-dev with existingSecret", files: []string{devValues}, set: []string{"secrets.existingSecret=todo-secrets"}, existingSecret: "todo-secrets"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := render(t, tc.files, tc.set...)
			if p := freshInstallProblems(t, r, tc.existingSecret); len(p) > 0 {
				t.Errorf("the migration Job cannot start on a fresh install:\n  %s", strings.Join(p, "\n  "))
			}
			d, ok := r.find("Job", "todo-migrate")
			if !ok {
				t.Fatal("no migration Job")
			}
			if got := hasEvent(d, "pre-install"); got != tc.wantPreInstall {
				t.Errorf("migration Job pre-install = %v, want %v (hook %q)", got, tc.wantPreInstall, d.Metadata.Annotations["helm.sh/hook"])
			}
			// The in-cluster database is an ordinary resource: the first
			// migration must wait until after install, and for the database.
			if !tc.wantPreInstall {
				if !hasEvent(d, "post-install") || !hasEvent(d, "pre-upgrade") {
					t.Errorf("in-cluster database: migration hook = %q, want post-install,pre-upgrade", d.Metadata.Annotations["helm.sh/hook"])
				}
				j, _ := job(t, r, "todo-migrate")
				w := container(t, j.Spec.Template.Spec, "wait-for-database")
				if !strings.Contains(strings.Join(w.Command, " "), "pg_isready") {
					t.Errorf("wait-for-database command = %v, want a pg_isready loop", w.Command)
				}
			}
		})
	}
}

// TestFreshInstallRuleBites feeds the rule streams that break the fresh-install rule, so that
// a passing TestFreshInstallOrder means something.
func TestFreshInstallRuleBites(t *testing.T) {
	const job = `apiVersion: batch/v1
kind: Job
metadata:
  name: m
  annotations: {helm.sh/hook: "pre-install", helm.sh/hook-weight: "-5"}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: x
        envFrom: [{configMapRef: {name: cfg}}]
        env: [{name: A, valueFrom: {secretKeyRef: {name: s, key: A}}}]
`
	for _, tc := range []struct {
		name, manifest, hooks string
		want                  int
	}{
		{"secret and configmap ordinary", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n", job, 2},
		{"secret missing", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n", job, 2},
		{"same weight", "", job + "---\napiVersion: v1\nkind: Secret\nmetadata: {name: s, annotations: {helm.sh/hook: pre-install, helm.sh/hook-weight: \"-5\"}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, annotations: {helm.sh/hook: pre-install, helm.sh/hook-weight: \"-6\"}}\n", 1},
		{"all good", "", job + "---\napiVersion: v1\nkind: Secret\nmetadata: {name: s, annotations: {helm.sh/hook: pre-install, helm.sh/hook-weight: \"-10\"}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, annotations: {helm.sh/hook: \"pre-install,pre-upgrade\", helm.sh/hook-weight: \"-6\"}}\n", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &rendering{}
			r.docs = append(splitDocs(t, tc.manifest, false), splitDocs(t, tc.hooks, true)...)
			if got := freshInstallProblems(t, r, ""); len(got) != tc.want {
				t.Errorf("problems = %d %v, want %d", len(got), got, tc.want)
			}
		})
	}
}

// TestExistingSecret: with secrets.existingSecret the chart makes no Secret,
// and every reference anywhere points at the existing one.
func TestExistingSecret(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
		set   []string
	}{
		{"external database", nil, nil},
		{"in-cluster database", nil, []string{"database.external=false"}},
		{"values-dev", []string{devValues}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := render(t, tc.files, append(tc.set, "secrets.existingSecret=todo-secrets")...)
			if s := r.ofKind("Secret"); len(s) != 0 {
				t.Errorf("the chart renders Secret/%s although existingSecret is set", s[0].Metadata.Name)
			}
			n := 0
			for key, p := range podSpecs(t, r) {
				for _, rf := range podRefs(p.Spec) {
					if rf.Kind != "Secret" {
						continue
					}
					n++
					if rf.Name != "todo-secrets" {
						t.Errorf("%s reads Secret/%s, want todo-secrets", key, rf.Name)
					}
				}
			}
			if n == 0 {
				t.Error("no pod reads any Secret; the check above proved nothing")
			}
		})
	}
}
