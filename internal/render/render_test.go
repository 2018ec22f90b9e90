package render

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/settings"
	"github.com/helm-todo/helm-todo/internal/testsupport/projectdir"
)

// The action without the CLI: the plugin's own chart (the repository is
// the plugin dir) renders as up deploys it, from helm-todo.yaml; an
// explicit chart takes the flags as given.
func TestAction(t *testing.T) {
	plugin, _ := filepath.Abs("../..")
	root := t.TempDir()
	projectdir.Write(t, root, t.TempDir(), "release: web\nnamespace: webns\n")
	env := map[string]string{"HELM_PLUGIN_DIR": plugin, "HELM_DEBUG": "true"}
	s := settings.FromEnv(func(k string) string { return env[k] })
	chartDir := filepath.Join(plugin, "charts", "todo-app")
	tests := map[string]struct {
		a         Action
		namespace string // -n, as the CLI sets it
		want      Result
		out, errs []string // in Out, in ErrOut
		notOut    []string
	}{
		"plugin chart as up deploys it": {
			a:    Action{Dir: root, Release: "todo"},
			want: Result{ChartDir: chartDir, Release: "web", Namespace: "webns", Set: []string{"secrets.existingSecret=web-secrets"}},
			out:  []string{"name: web-backend", "namespace: webns", "name: web-secrets"}, notOut: []string{"kind: Secret"},
			errs: []string{"debug: as up deploys it: release=web namespace=webns", "debug: helm-bin=helm namespace=webns "},
		},
		"--release and -n beat helm-todo.yaml": {
			a: Action{Dir: root, Release: "rel", ReleaseSet: true, NamespaceSet: true}, namespace: "cli",
			want: Result{ChartDir: chartDir, Release: "rel", Namespace: "cli", Set: []string{"secrets.existingSecret=rel-secrets"}},
			out:  []string{"name: rel-backend"},
		},
		"explicit chart: no helm-todo.yaml, no Secret swap": {
			a:    Action{Dir: root, ChartDir: chartDir, Release: "x", Set: []string{"backend.replicaCount=3"}},
			want: Result{ChartDir: chartDir, Release: "x", Namespace: "todo-app", Set: []string{"backend.replicaCount=3"}},
			out:  []string{"name: x-backend", "replicas: 3", "kind: Secret"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			ts := *s
			ts.Namespace = tc.namespace
			tc.a.Settings, tc.a.Out, tc.a.ErrOut = &ts, &out, &errOut
			r, err := tc.a.Run(context.Background())
			if err != nil {
				t.Fatalf("%v\n%s", err, errOut.String())
			}
			if r.ChartDir != tc.want.ChartDir || r.Release != tc.want.Release || r.Namespace != tc.want.Namespace || strings.Join(r.Set, ",") != strings.Join(tc.want.Set, ",") {
				t.Errorf("resolved %+v, want %+v", *r, tc.want)
			}
			for _, w := range tc.out {
				if !strings.Contains(out.String(), w) {
					t.Errorf("manifests lack %q", w)
				}
			}
			for _, w := range tc.notOut {
				if strings.Contains(out.String(), w) {
					t.Errorf("manifests hold %q", w)
				}
			}
			for _, w := range tc.errs {
				if !strings.Contains(errOut.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut.String())
				}
			}
		})
	}
}

// A chart that does not exist is a usage error and writes nothing.
func TestActionMissingChart(t *testing.T) {
	var out bytes.Buffer
	a := Action{Settings: settings.FromEnv(func(string) string { return "" }), ChartDir: filepath.Join(t.TempDir(), "nope"), Release: "x", Out: &out, ErrOut: &out}
	if _, err := a.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "nope") || out.Len() != 0 {
		t.Fatalf("got %v, output %q", err, out.String())
	}
}
