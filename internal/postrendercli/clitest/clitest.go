// Package clitest holds the post-renderer's command-line table, run against
// the root command of each binary that serves it (helm-todo and
// helm-todo-postrender), so the two cannot behave differently.
package clitest

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

const prInput = `---
# Source: app/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      securityContext:
        runAsUser: 0
      containers:
      - name: app
        image: nginx
        env:
        - name: API_TOKEN
          value: tok-do-not-print
`

// Check runs the post-renderer through a binary's root command the two ways
// Helm calls it: Helm 4's plugin runs `<binary> post-render <args>`, Helm 3
// runs `<binary> <args>` with no subcommand. Both must take --config, map
// errors to exit codes with a fix, write nothing on error and never print a
// secret value.
func Check(t *testing.T, newRoot func(in io.Reader, out, errOut io.Writer) *cobra.Command) {
	t.Helper()
	dir := t.TempDir()
	write := func(name, body string) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	// A policy that only sets runAsNonRoot and overrides: its effect is
	// unmistakable next to the embedded default.
	onlyNonRoot := write("policy.yaml", "apiVersion: helm-todo.io/v1\nkind: PostRenderPolicy\noverride: true\npodSecurityContext:\n  runAsNonRoot: true\n  runAsUser: 1000\n")
	typo := write("typo.yaml", "apiVersion: helm-todo.io/v1\nkind: PostRenderPolicy\npodSecurityContext:\n  runAsUsr: 1000\n")

	tests := map[string]struct {
		args       []string
		in         string
		wantCode   int
		wantOut    []string
		notOut     []string
		wantErr    string
		wantFix    string
		wantStderr string
	}{
		"helm 4 style, default policy": {
			args:       []string{"post-render"},
			wantOut:    []string{"runAsUser: 0", "readOnlyRootFilesystem: true", "secretKeyRef", "kind: Secret"},
			notOut:     []string{"tok-do-not-print"},
			wantStderr: "notice: Deployment/web: pod securityContext.runAsUser set by the chart, kept",
		},
		"helm 3 style (no subcommand), default policy": {
			wantOut: []string{"runAsUser: 0", "readOnlyRootFilesystem: true", "secretKeyRef"},
		},
		"helm 4 style with --config": {
			args:    []string{"post-render", "--config", onlyNonRoot},
			wantOut: []string{"runAsUser: 1000", "runAsNonRoot: true", "value: tok-do-not-print"},
			notOut:  []string{"readOnlyRootFilesystem", "secretKeyRef"},
		},
		"helm 3 style with --config": {
			args:    []string{"--config", onlyNonRoot},
			wantOut: []string{"runAsUser: 1000", "runAsNonRoot: true"},
			notOut:  []string{"readOnlyRootFilesystem", "secretKeyRef"},
		},
		"policy typo names the field": {
			args: []string{"--config", typo}, wantCode: clierr.ExitUsage, wantErr: `unknown field "podSecurityContext.runAsUsr"`, wantFix: "fix the policy field named above",
		},
		"missing policy file": {
			args: []string{"post-render", "--config", filepath.Join(dir, "nope.yaml")}, wantCode: clierr.ExitUsage, wantErr: "nope.yaml",
			wantFix: "check the --config path, or drop --config",
		},
		"policy path is a directory": {
			args: []string{"post-render", "--config", dir}, wantCode: clierr.ExitUsage, wantErr: dir,
			wantFix: "--config must name a readable policy file",
		},
		"bad document: named, nothing on stdout, no secret": {
			args:     []string{"post-render"},
			in:       prInput + "---\napiVersion: v1\nmetadata: {name: nameless}\n",
			wantCode: clierr.ExitUsage,
			wantErr:  "document 2: no kind",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			in := tc.in
			if in == "" {
				in = prInput
			}
			var out, errOut bytes.Buffer
			root := newRoot(strings.NewReader(in), &out, &errOut)
			root.SetArgs(tc.args)
			err := root.Execute()
			if code := clierr.ExitCode(err); code != tc.wantCode {
				t.Fatalf("exit code %d (%v), want %d", code, err, tc.wantCode)
			}
			if tc.wantErr != "" {
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %q, want it to contain %q", err, tc.wantErr)
				}
				if fix := clierr.FixOf(err); !strings.Contains(fix, "helm todo render") && !strings.Contains(fix, "policy") {
					t.Errorf("fix %q should say what to do", fix)
				}
				if fix := clierr.FixOf(err); !strings.Contains(fix, tc.wantFix) {
					t.Errorf("fix %q does not fit the error; want it to contain %q", fix, tc.wantFix)
				}
				if out.Len() != 0 {
					t.Errorf("wrote %d bytes to stdout on error", out.Len())
				}
				if strings.Contains(err.Error()+errOut.String(), "tok-do-not-print") {
					t.Error("a secret value was printed")
				}
				return
			}
			for _, w := range tc.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tc.notOut {
				if strings.Contains(out.String(), w) {
					t.Errorf("stdout has %q:\n%s", w, out.String())
				}
			}
			if !strings.Contains(errOut.String(), tc.wantStderr) {
				t.Errorf("stderr %q, want it to contain %q", errOut.String(), tc.wantStderr)
			}
			if strings.Contains(errOut.String(), "tok-do-not-print") {
				t.Error("a secret value was printed on stderr")
			}
		})
	}
}
