package deploy

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/helm-todo/helm-todo/internal/clierr"
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
  n=$(( $(cat "$d/n" 2>/dev/null || echo 0) + 1 )); echo $n >"$d/n"
  [ -f "$d/endafter" ] && [ $n -ge $(cat "$d/endafter") ] && echo failed >"$d/state"
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
		state                      string
		ours                       int  // the lease's mark
		takeOver                   bool // --take-over-pending
		endAfter                   int  // another client's operation ends at this status call
		wantCall, wantOut, wantErr string
		wantMark                   int
	}{
		"deployed is left alone": {state: "deployed", ours: 2},
		"failed is left alone":   {state: "failed"},
		"not installed":          {state: "gone"},
		"our pending-upgrade":    {state: "pending-upgrade", ours: 2, wantCall: "rollback todo --namespace ns --wait", wantOut: "left by an interrupted helm todo up; rolling it back", wantMark: 3},
		"our upgrade's rollback": {state: "pending-rollback", ours: 1, wantCall: "rollback todo", wantOut: "is now deployed (revision 3)", wantMark: 3},
		"our pending-install":    {state: "pending-install", ours: 2, wantCall: "uninstall todo --namespace ns --wait", wantOut: "is now not installed"},
		"another client's, running": {state: "pending-upgrade", wantOut: "an operation no helm todo up started",
			wantErr: "release todo is still pending-upgrade (revision 2) after 300ms, an operation another helm client started"},
		"an older mark":             {state: "pending-upgrade", ours: 5, wantOut: "waiting for it to end", wantErr: "still pending-upgrade"},
		"another client's, it ends": {state: "pending-upgrade", endAfter: 3, wantOut: "release todo is now failed (revision 2); going on"},
		"taken over":                {state: "pending-upgrade", takeOver: true, wantCall: "rollback todo", wantOut: "started by another client, taken over (--take-over-pending)", wantMark: 3},
	} {
		t.Run(name, func(t *testing.T) {
			bin, dir := standInHelm(t, tc.state)
			if tc.endAfter > 0 {
				if err := os.WriteFile(filepath.Join(dir, "endafter"), []byte(strconv.Itoa(tc.endAfter)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			o := Options{HelmBin: bin, Release: "todo", Namespace: "ns", Timeout: 300 * time.Millisecond}
			if tc.endAfter > 0 {
				o.Timeout = time.Minute // ends well before: no race with the deadline
			}
			var out bytes.Buffer
			marked := 0
			rc := Recovery{Options: o, Runner: command.Exec{}, Ours: tc.ours, TakeOver: tc.takeOver, Poll: 10 * time.Millisecond,
				Mark: func(_ context.Context, rev int) error { marked = rev; return nil }}
			err := rc.Run(context.Background(), &out)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(clierr.FixOf(err), "--take-over-pending") {
					t.Fatalf("got %v (fix %q), want %q naming --take-over-pending", err, clierr.FixOf(err), tc.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			calls, _ := os.ReadFile(filepath.Join(dir, "calls"))
			if !strings.Contains(out.String(), tc.wantOut) {
				t.Errorf("output %q lacks %q", out.String(), tc.wantOut)
			}
			if marked != tc.wantMark {
				t.Errorf("marked revision %d, want %d", marked, tc.wantMark)
			}
			if tc.wantCall == "" {
				if len(calls) > 0 {
					t.Errorf("acted on a %s release: calls %q, output %q", tc.state, calls, out.String())
				}
				if tc.wantOut == "" && out.Len() > 0 {
					t.Errorf("output %q", out.String())
				}
				return
			}
			if !strings.Contains(string(calls), tc.wantCall) {
				t.Errorf("calls %q, want %q", calls, tc.wantCall)
			}
			if strings.Contains(out.String(), "run `") || strings.Contains(out.String(), "helm rollback") {
				t.Errorf("output asks the user to run helm: %q", out.String())
			}
		})
	}
}

func TestLatest(t *testing.T) {
	rec := func(name, version, status string) *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "sh.helm.release.v1." + name + ".v" + version, Namespace: "ns",
			Labels: map[string]string{"owner": "helm", "name": name, "status": status, "version": version}}}
	}
	cs := fake.NewClientset(rec("todo", "9", "superseded"), rec("todo", "10", "pending-upgrade"), rec("other", "11", "deployed"))
	rel, err := Latest(context.Background(), cs, nil, Options{Release: "todo", Namespace: "ns"})
	if err != nil || rel.Revision != 10 || rel.Status != "pending-upgrade" {
		t.Errorf("got %+v, %v; want revision 10 pending-upgrade", rel, err)
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
