package main

import (
	"bytes"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/postrendercli/clitest"
)

func TestPostRender(t *testing.T) {
	clitest.Check(t, func(in io.Reader, out, errOut io.Writer) *cobra.Command {
		return newRootCmd("helm-todo", in, out, errOut)
	})
}

// TestOtherCommands: on Helm 3 this binary is `helm-todo` on PATH, so a
// user may type a helm-todo command at it; the error says where it lives.
func TestOtherCommands(t *testing.T) {
	tests := map[string]struct {
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
		wantFix  string
	}{
		"a helm-todo command": {args: []string{"up"}, wantCode: clierr.ExitUsage, wantErr: `unknown command "up"`, wantFix: "run `helm todo up`: helm-todo is only the post-renderer"},
		"unknown flag":        {args: []string{"--namespace", "x"}, wantCode: clierr.ExitUsage, wantErr: "unknown flag: --namespace"},
		"version":             {args: []string{"--version"}, wantOut: "dev\n"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			root := newRootCmd("helm-todo", strings.NewReader(""), &out, &errOut)
			root.SetArgs(tc.args)
			err := root.Execute()
			if code := clierr.ExitCode(err); code != tc.wantCode {
				t.Fatalf("exit code %d (%v), want %d", code, err, tc.wantCode)
			}
			if tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q, want it to contain %q", err, tc.wantErr)
			}
			if fix := clierr.FixOf(err); tc.wantFix != "" && fix != tc.wantFix {
				t.Errorf("fix %q, want %q", fix, tc.wantFix)
			}
			if out.String() != tc.wantOut {
				t.Errorf("stdout %q, want %q", out.String(), tc.wantOut)
			}
		})
	}
}

// TestStaysSmall guards the reason this binary exists: it must not link
// what makes helm-todo heavy, or its peak memory at 10,000 documents goes
// past the post-renderer's 64 MB budget (bench/postrender.sh measures it).
func TestStaysSmall(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	heavy := []string{"helm.sh/helm/", "k8s.io/client-go/", "github.com/moby/buildkit/", "k8s.io/pod-security-admission/", "sigs.k8s.io/cli-utils/"}
	for _, pkg := range strings.Fields(string(out)) {
		for _, h := range heavy {
			if strings.HasPrefix(pkg, h) {
				t.Errorf("helm-todo-postrender links %s; keep the Helm SDK, client-go and BuildKit out of internal/postrendercli and postrender", pkg)
			}
		}
	}
}
