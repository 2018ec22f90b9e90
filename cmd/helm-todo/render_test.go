package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/settings"
	"github.com/helm-todo/helm-todo/internal/testsupport/psa"
)

// TestRender runs `helm-todo render` on the repository's chart through the
// real command tree, chart renderer and post-renderer.
func TestRender(t *testing.T) {
	root, _ := filepath.Abs("../..")
	chartDir := filepath.Join(root, "charts", "todo-app")
	if _, err := os.Stat(filepath.Join(chartDir, "Chart.yaml")); err != nil {
		t.Fatalf("charts/todo-app/Chart.yaml missing: %v", err)
	}
	badPolicy := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(badPolicy, []byte("probes: [ {unclosed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		args       []string
		wantCode   int
		wantOut    []string // in stdout
		wantErr    string   // in the error
		wantStderr string
		wantNot    []string // not in stdout
	}{
		"default chart under the plugin dir, hooks included": {
			wantOut: []string{"kind: Deployment", "name: todo-backend", "name: todo-migrate", "helm.sh/hook", "namespace: todo-app"},
		},
		"default chart as up deploys it: up's Secret, not the chart's": {
			args:       []string{"--debug"},
			wantOut:    []string{"name: todo-secrets", "namespace: todo-app"},
			wantNot:    []string{"kind: Secret", "BETTER_AUTH_SECRET:"},
			wantStderr: "debug: as up deploys it: release=todo namespace=todo-app",
		},
		"explicit chart, namespace and values": {
			args:    []string{"--chart", chartDir, "-n", "other", "--release", "rel", "--set", "backend.replicaCount=3"},
			wantOut: []string{"name: rel-backend", "namespace: other", "replicas: 3"},
		},
		"debug shows the resolved settings": {
			args:       []string{"--debug", "-n", "dbg"},
			wantOut:    []string{"kind: Deployment"},
			wantStderr: "debug: helm-bin=helm namespace=dbg ",
		},
		"missing chart": {
			args: []string{"--chart", filepath.Join(t.TempDir(), "nope")}, wantCode: clierr.ExitUsage, wantErr: "nope",
		},
		"bad --set": {
			args: []string{"--set", "backend.replicaCount=notanumber"}, wantCode: clierr.ExitUsage, wantErr: "replicaCount",
		},
		"broken policy: the real error, nothing on stdout": {
			args: []string{"--config", badPolicy}, wantCode: clierr.ExitUsage, wantErr: badPolicy,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := settings.FromEnv(func(k string) string {
				if k == "HELM_PLUGIN_DIR" {
					return root
				}
				return ""
			})
			var out, errOut bytes.Buffer
			cmd := newRootCmd(s, strings.NewReader(""), &out, &errOut)
			cmd.SetArgs(append([]string{"render"}, tc.args...))
			err := cmd.Execute()
			if code := clierr.ExitCode(err); code != tc.wantCode {
				t.Fatalf("exit code %d (%v), want %d\nstderr: %s", code, err, tc.wantCode, errOut.String())
			}
			if tc.wantErr != "" {
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %q does not name %q", err, tc.wantErr)
				}
				if out.Len() != 0 {
					t.Errorf("a failed render wrote %d bytes to stdout", out.Len())
				}
				return
			}
			for _, w := range tc.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q", w)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(out.String(), w) {
					t.Errorf("output has %q", w)
				}
			}
			if !strings.Contains(errOut.String(), tc.wantStderr) {
				t.Errorf("stderr %q lacks %q", errOut.String(), tc.wantStderr)
			}
			results, err := psa.CheckStream(out.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if f := psa.Failures(results); len(f) > 0 {
				t.Errorf("rendered output violates restricted: %v", f)
			}
		})
	}
}
