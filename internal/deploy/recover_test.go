package deploy

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/helm-todo/helm-todo/internal/command"
)

// standInHelm answers `helm status` with the state in dir/state, and
// records every other call in dir/calls; rollback and uninstall change the
// state as helm would.
func standInHelm(t *testing.T, state string) (bin, dir string) {
	t.Helper()
	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "state"), []byte(state), 0o644); err != nil {
		t.Fatal(err)
	}
	script := `#!/bin/sh
d=` + dir + `
case "$1" in
status)
  s=$(cat "$d/state")
  [ "$s" = gone ] && { echo 'Error: release: not found' >&2; exit 1; }
  echo "{\"info\":{\"status\":\"$s\"},\"version\":$(cat "$d/rev" 2>/dev/null || echo 2)}" ;;
rollback) echo "$@" >>"$d/calls"; echo deployed >"$d/state"; echo 3 >"$d/rev" ;;
uninstall) echo "$@" >>"$d/calls"; echo gone >"$d/state" ;;
*) echo "$@" >>"$d/calls" ;;
esac
`
	bin = filepath.Join(dir, "helm")
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, dir
}

func TestRecover(t *testing.T) {
	for name, tc := range map[string]struct {
		state, wantCall, wantOut string
	}{
		"deployed is left alone": {state: "deployed"},
		"failed is left alone":   {state: "failed"},
		"not installed":          {state: "gone"},
		"pending-upgrade":        {state: "pending-upgrade", wantCall: "rollback todo --namespace ns --wait", wantOut: "is now deployed (revision 3)"},
		"pending-rollback":       {state: "pending-rollback", wantCall: "rollback todo", wantOut: "rolling it back"},
		"pending-install":        {state: "pending-install", wantCall: "uninstall todo --namespace ns --wait", wantOut: "is now not installed"},
	} {
		t.Run(name, func(t *testing.T) {
			bin, dir := standInHelm(t, tc.state)
			var out bytes.Buffer
			err := Recover(context.Background(), command.Exec{}, Options{HelmBin: bin, Release: "todo", Namespace: "ns"}, &out)
			if err != nil {
				t.Fatal(err)
			}
			calls, _ := os.ReadFile(filepath.Join(dir, "calls"))
			if tc.wantCall == "" {
				if len(calls) > 0 || out.Len() > 0 {
					t.Errorf("acted on a %s release: calls %q, output %q", tc.state, calls, out.String())
				}
				return
			}
			if !strings.Contains(string(calls), tc.wantCall) {
				t.Errorf("calls %q, want %q", calls, tc.wantCall)
			}
			if !strings.Contains(out.String(), tc.wantOut) || !strings.Contains(out.String(), "left by an interrupted run") {
				t.Errorf("output %q lacks %q", out.String(), tc.wantOut)
			}
			if strings.Contains(out.String(), "run `") || strings.Contains(out.String(), "helm rollback") {
				t.Errorf("output asks the user to run helm: %q", out.String())
			}
		})
	}
}

func TestMaybePending(t *testing.T) {
	rec := func(name, status string) *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "sh.helm.release.v1." + name + ".v1", Namespace: "ns",
			Labels: map[string]string{"owner": "helm", "name": name, "status": status}}}
	}
	if MaybePending(context.Background(), fake.NewClientset(rec("todo", "deployed"), rec("other", "pending-upgrade")), "", "ns", "todo") {
		t.Error("a deployed release (and another release's pending record) counted as pending")
	}
	if !MaybePending(context.Background(), fake.NewClientset(rec("todo", "pending-upgrade")), "", "ns", "todo") {
		t.Error("a pending-upgrade record was missed")
	}
	if !MaybePending(context.Background(), fake.NewClientset(), "configmap", "ns", "todo") {
		t.Error("with another storage driver the Secrets say nothing; it must answer maybe")
	}
}
