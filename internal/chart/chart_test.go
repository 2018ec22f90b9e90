package chart

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var mini = filepath.Join("testdata", "mini")

func TestRenderSplitsHooks(t *testing.T) {
	r, err := Render(Options{ChartDir: mini})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.Manifest, "helm.sh/hook") {
		t.Errorf("the manifest holds hooks:\n%s", r.Manifest)
	}
	if !strings.Contains(r.Manifest, "name: todo-cm") || !strings.Contains(r.Manifest, "namespace: todo-app") {
		t.Errorf("default release name or namespace not applied:\n%s", r.Manifest)
	}
	var got []string
	for _, h := range r.Hooks {
		got = append(got, h.Kind+"/"+h.Name)
	}
	if want := []string{"Secret/early", "Job/middle", "ConfigMap/late"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("hooks in run order = %v, want %v", got, want)
	}
	early := r.Hooks[0]
	if early.Weight != -10 || !reflect.DeepEqual(early.Events, []string{"pre-install", "pre-upgrade"}) ||
		!reflect.DeepEqual(early.DeletePolicies, []string{"before-hook-creation"}) || early.Path != "mini/templates/hooks.yaml" {
		t.Errorf("early hook = %+v", early)
	}
	if !strings.Contains(early.Manifest, "kind: Secret") {
		t.Errorf("hook manifest = %q", early.Manifest)
	}
	var pre []string
	for _, h := range r.HooksFor("pre-install") {
		pre = append(pre, h.Name)
	}
	if !reflect.DeepEqual(pre, []string{"early", "middle"}) {
		t.Errorf("HooksFor(pre-install) = %v", pre)
	}
	if len(r.HooksFor("pre-delete")) != 0 {
		t.Error("HooksFor(pre-delete) is not empty")
	}
	if strings.TrimSpace(r.Notes) != "release todo in todo-app" {
		t.Errorf("notes = %q", r.Notes)
	}
	s := r.Stream()
	for _, want := range []string{"name: todo-cm", "# Source: mini/templates/hooks.yaml\napiVersion: v1\nkind: Secret", "name: late"} {
		if !strings.Contains(s, want) {
			t.Errorf("Stream() lacks %q:\n%s", want, s)
		}
	}
	if strings.Index(s, "name: early") < strings.Index(s, "name: todo-cm") {
		t.Error("Stream() puts hooks before the manifest")
	}
}

func TestRenderValuesPrecedence(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     Options
		greeting string
		a, b     string
	}{
		{"chart defaults", Options{}, "hello", "from-chart", "from-chart"},
		{"file over chart", Options{ValuesFiles: []string{"testdata/override.yaml"}}, "from-file", "from-file", "from-chart"},
		{"set over file", Options{ValuesFiles: []string{"testdata/override.yaml"}, Set: []string{"nested.a=from-set"}}, "from-file", "from-set", "from-chart"},
		{"values over set", Options{Set: []string{"greeting=from-set"}, Values: map[string]any{"greeting": "from-map", "nested": map[string]any{"b": "from-map"}}}, "from-map", "from-chart", "from-map"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.ChartDir = mini
			r, err := Render(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range map[string]string{"greeting": tc.greeting, "a": tc.a, "b": tc.b} {
				if want := k + `: "` + v + `"`; !strings.Contains(r.Manifest, want) {
					t.Errorf("manifest lacks %s:\n%s", want, r.Manifest)
				}
			}
		})
	}
}

func TestRenderOptions(t *testing.T) {
	r, err := Render(Options{ChartDir: mini, ReleaseName: "rel", Namespace: "ns", KubeVersion: "v1.33.2", IsUpgrade: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"name: rel-cm", "namespace: ns", `kube: "v1.33.2"`, `upgrade: "true"`} {
		if !strings.Contains(r.Manifest, want) {
			t.Errorf("manifest lacks %q:\n%s", want, r.Manifest)
		}
	}
}

func TestRenderDoesNotMutateValues(t *testing.T) {
	vals := map[string]any{"nested": map[string]any{"a": "mine"}}
	if _, err := Render(Options{ChartDir: mini, Values: vals}); err != nil {
		t.Fatal(err)
	}
	if want := map[string]any{"nested": map[string]any{"a": "mine"}}; !reflect.DeepEqual(vals, want) {
		t.Errorf("Values changed to %v", vals)
	}
}

func TestRenderErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		want []string
	}{
		{"no chart dir", Options{}, []string{"no chart directory"}},
		{"missing chart", Options{ChartDir: "testdata/nope"}, []string{"load chart testdata/nope", "Chart.yaml"}},
		{"bad set", Options{ChartDir: mini, Set: []string{"a=b,c"}}, []string{"read values", "--set"}},
		{"bad values file", Options{ChartDir: mini, ValuesFiles: []string{"testdata/broken.yaml"}}, []string{"read values", "broken.yaml"}},
		{"missing values file", Options{ChartDir: mini, ValuesFiles: []string{"testdata/absent.yaml"}}, []string{"absent.yaml"}},
		{"bad kube version", Options{ChartDir: mini, KubeVersion: "one"}, []string{`kube version "one"`}},
		{"template failure", Options{ChartDir: mini, Set: []string{"fail=true"}}, []string{"render chart", "asked to fail"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Render(tc.opts)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if msg := err.Error(); msg[0] >= 'A' && msg[0] <= 'Z' {
				t.Errorf("error starts with a capital: %q", msg)
			}
		})
	}
}
