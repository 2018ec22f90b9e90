package deploy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/rollout"
)

func TestArgs(t *testing.T) {
	base := Options{HelmBin: "helm", Release: "todo", Namespace: "todo-app", Chart: "/p/charts/todo-app", Timeout: 3 * time.Minute}
	tests := map[string]struct {
		mod  func(*Options)
		want []string
	}{
		"helm 3 with everything": {
			mod: func(o *Options) {
				o.Major = 3
				o.PostRenderer = "/p/bin/helm-todo-postrender"
				o.ValuesFiles = []string{"/r/values-dev.yaml"}
				o.ExistingSecret = "todo-secrets"
				o.InClusterDB = true
				o.Images = map[string]Image{"backend": {Repository: "todo-backend", Tag: "0123e4"}, "frontend": {Repository: "todo-frontend", Tag: "abc"}}
				o.KubeContext = "kwok-e2e"
				o.Set = []string{"backend.podAnnotations.x=y"}
			},
			want: []string{"upgrade", "--install", "todo", "/p/charts/todo-app", "--namespace", "todo-app", "--create-namespace",
				"--wait", "--timeout", "3m0s", "--atomic", "--output", "json", "--kube-context", "kwok-e2e", "--post-renderer", "/p/bin/helm-todo-postrender",
				"--values", "/r/values-dev.yaml", "--set-string", "secrets.existingSecret=todo-secrets", "--set", "database.external=false",
				"--set-string", "backend.image.repository=todo-backend", "--set-string", "backend.image.tag=0123e4",
				"--set-string", "frontend.image.repository=todo-frontend", "--set-string", "frontend.image.tag=abc",
				"--set", "backend.podAnnotations.x=y"},
		},
		"helm 4, external db, chart defaults": {
			mod: func(o *Options) {
				o.Major = 4
				o.PostRenderer = "helm-todo"
				o.ExistingSecret = "todo-secrets"
				o.Timeout = 0
			},
			want: []string{"upgrade", "--install", "todo", "/p/charts/todo-app", "--namespace", "todo-app", "--create-namespace",
				"--wait", "--timeout", "5m0s", "--rollback-on-failure", "--output", "json", "--post-renderer", "helm-todo",
				"--set-string", "secrets.existingSecret=todo-secrets"},
		},
		"migration skipped for the backend's tag": {
			mod: func(o *Options) {
				o.Major = 4
				o.Images = map[string]Image{"backend": {Tag: "0123"}}
				o.MigrationHash, o.SkipMigration = "1234567890123456", true
			},
			want: []string{"upgrade", "--install", "todo", "/p/charts/todo-app", "--namespace", "todo-app", "--create-namespace",
				"--wait", "--timeout", "3m0s", "--rollback-on-failure", "--output", "json",
				"--set-string", "backend.image.tag=0123",
				"--set-string", "migration.inputsHash=1234567890123456", "--set-string", "migration.skipForTag=0123"},
		},
		"migration skip without a backend tag does nothing": {
			mod: func(o *Options) {
				o.Major = 4
				o.MigrationHash, o.SkipMigration = "abcd", true
			},
			want: []string{"upgrade", "--install", "todo", "/p/charts/todo-app", "--namespace", "todo-app", "--create-namespace",
				"--wait", "--timeout", "3m0s", "--rollback-on-failure", "--output", "json",
				"--set-string", "migration.inputsHash=abcd"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			o := base
			tc.mod(&o)
			if got := o.Args(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestPostRendererFor(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "helm-todo-postrender")
	if err := os.WriteFile(bin, []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, _ := PostRendererFor(4, "helm-todo", bin); got != "helm-todo" {
		t.Errorf("helm 4: %q, want the plugin name", got)
	}
	t.Chdir(dir)
	got, err := PostRendererFor(3, "helm-todo", "helm-todo-postrender")
	if err != nil || got != bin {
		t.Errorf("helm 3: %q %v, want the absolute path %s", got, err, bin)
	}
	if _, err := PostRendererFor(3, "helm-todo", filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "missing") || clierr.FixOf(err) == "" {
		t.Errorf("a missing binary: %v, want an error naming it with a fix", err)
	}
}

func TestParseStatus(t *testing.T) {
	rel, err := ParseStatus([]byte(`{"name":"todo","info":{"status":"deployed"},"version":3,"config":{"x":1},
		"hooks":[{"name":"todo-migrate","kind":"Job","last_run":{"phase":"Succeeded"}}]}`))
	if err != nil || rel.String() != "deployed (revision 3)" || len(rel.Hooks) != 1 || rel.Hooks[0].Phase != "Succeeded" {
		t.Fatalf("got %+v %v", rel, err)
	}
	if (Release{}).String() != "not installed" {
		t.Error("zero release")
	}
}

// fakeHelm puts a recording stand-in for helm on disk: the deploy step runs
// it through the real command.Exec, exactly as it runs helm.
func fakeHelm(t *testing.T, script string) (bin, log string) {
	t.Helper()
	dir := t.TempDir()
	bin, log = filepath.Join(dir, "helm"), filepath.Join(dir, "log")
	body := "#!/bin/sh\nLOG=" + log + "\necho \"$*\" >> $LOG\n" + script
	if err := os.WriteFile(bin, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, log
}

// watcher is a Watcher made of its answers.
type watcher struct {
	watch   func(ctx context.Context, out io.Writer) error
	pending []string
	causes  []rollout.Cause
}

func (w *watcher) Watch(ctx context.Context, out io.Writer) error {
	if w.watch == nil {
		<-ctx.Done()
		return nil
	}
	return w.watch(ctx, out)
}

func (w *watcher) Check(context.Context, io.Writer) error { return nil }
func (w *watcher) Pending() []string                      { return w.pending }
func (w *watcher) Causes() []rollout.Cause                { return w.causes }

func TestStepStopsHelmOnWatchFailure(t *testing.T) {
	bin, log := fakeHelm(t, `case "$1" in
upgrade) trap 'echo rolled-back >> $LOG; exit 1' TERM; echo started >> $LOG; while :; do sleep 0.05; done ;;
status) echo '{"info":{"status":"deployed"},"version":1}' ;;
esac
`)
	s := &Step{
		Options: Options{HelmBin: bin, Major: 3, Release: "todo", Namespace: "ns", Chart: "c"},
		Runner:  command.Exec{},
		Watcher: &watcher{watch: func(ctx context.Context, out io.Writer) error {
			// Fail once helm is really running, as a watcher would.
			for !strings.Contains(readFile(t, log), "started") {
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(20 * time.Millisecond):
				}
			}
			return errors.New("pod/todo-backend-x container backend: CrashLoopBackOff")
		}},
	}
	var out bytes.Buffer
	err := s.Run(context.Background(), &out)
	if err == nil || !strings.Contains(err.Error(), "CrashLoopBackOff") || !strings.Contains(err.Error(), "is now deployed (revision 1)") {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(readFile(t, log), "rolled-back") {
		t.Errorf("helm was not given SIGTERM to roll back; log:\n%s", readFile(t, log))
	}
}

func TestStepReportsStateOnHelmFailure(t *testing.T) {
	bin, _ := fakeHelm(t, `case "$1" in
upgrade) echo 'Error: context deadline exceeded' >&2; exit 1 ;;
status) echo 'Error: release: not found' >&2; exit 1 ;;
esac
`)
	s := &Step{
		Options: Options{HelmBin: bin, Major: 4, Release: "todo", Namespace: "ns", Chart: "c"},
		Runner:  command.Exec{},
		Watcher: &watcher{pending: []string{"pod/todo-backend-x: container backend not ready"}},
	}
	err := s.Run(context.Background(), &bytes.Buffer{})
	for _, want := range []string{"context deadline exceeded", "not ready: pod/todo-backend-x: container backend not ready", "release todo in namespace ns is now not installed"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}

// A timeout's error carries the causes the watcher saw in Warning events,
// each with its fix on a line of its own, before the general fix.
func TestStepTimeoutNamesCauses(t *testing.T) {
	bin, _ := fakeHelm(t, `case "$1" in
upgrade) echo 'Error: context deadline exceeded' >&2; exit 1 ;;
status) echo 'Error: release: not found' >&2; exit 1 ;;
esac
`)
	s := &Step{
		Options: Options{HelmBin: bin, Major: 3, Release: "todo", Namespace: "ns", Chart: "c"},
		Runner:  command.Exec{},
		Watcher: &watcher{
			pending: []string{"statefulset/todo-postgres: InProgress: Ready: 0/1"},
			causes:  []rollout.Cause{{Objects: []string{"pod/todo-postgres-0"}, Reason: "FailedScheduling", Message: "pod has unbound immediate PersistentVolumeClaims (PersistentVolumeClaim data-todo-postgres-0)", Fix: "PersistentVolumeClaim data-todo-postgres-0 is not bound: ..."}},
		},
	}
	err := s.Run(context.Background(), &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "not ready: statefulset/todo-postgres: InProgress: Ready: 0/1; cause: pod/todo-postgres-0: FailedScheduling: pod has unbound immediate PersistentVolumeClaims (PersistentVolumeClaim data-todo-postgres-0)") {
		t.Fatalf("error %v lacks the cause", err)
	}
	if fix := clierr.FixOf(err); !strings.HasPrefix(fix, "PersistentVolumeClaim data-todo-postgres-0 is not bound: ...\nfix: the workloads named never became ready") {
		t.Errorf("fix %q: want the cause's fix first, then the general one", fix)
	}
}

// At most five causes are named, the rest left to the warnings printed
// above; each distinct fix is on a line of its own.
func TestStepTimeoutNamesAtMostFiveCauses(t *testing.T) {
	bin, _ := fakeHelm(t, `case "$1" in
upgrade) echo 'Error: context deadline exceeded' >&2; exit 1 ;;
status) echo 'Error: release: not found' >&2; exit 1 ;;
esac
`)
	var causes []rollout.Cause
	for i := range 7 {
		causes = append(causes, rollout.Cause{Objects: []string{fmt.Sprintf("pod/todo-backend-%d", i)}, Reason: "Unhealthy", Message: fmt.Sprintf("probe %d failed", i), Fix: fmt.Sprintf("fix %d", i%2)})
	}
	s := &Step{
		Options: Options{HelmBin: bin, Major: 3, Release: "todo", Namespace: "ns", Chart: "c"},
		Runner:  command.Exec{},
		Watcher: &watcher{pending: []string{"deployment/todo-backend: InProgress"}, causes: causes},
	}
	err := s.Run(context.Background(), &bytes.Buffer{})
	if err == nil || strings.Count(err.Error(), "; cause: ") != 5 || !strings.Contains(err.Error(), "probe 4 failed; and 2 more warnings above") {
		t.Fatalf("error %v: want 5 causes, then the count of the rest", err)
	}
	if fix := clierr.FixOf(err); !strings.HasPrefix(fix, "fix 0\nfix: fix 1\nfix: the workloads named never became ready") {
		t.Errorf("fix %q: want each distinct fix once, on its own line, then the general one", fix)
	}
}

// TestStepReadsTheReleaseFromHelm: on success the release comes from
// helm's --output json, so nothing runs `helm status` afterwards; with
// --debug (HelmOut) the NOTES are shown, and never the values or manifest
// that document also holds.
func TestStepReadsTheReleaseFromHelm(t *testing.T) {
	bin, log := fakeHelm(t, `case "$1" in
upgrade) echo 'WARNING: helm says so on stderr' >&2
  printf '%s' '{"name":"todo","info":{"status":"deployed","notes":"open the frontend\n"},"version":4,"config":{"apiKey":"val-do-not-print"},"manifest":"kind: Secret\nstringData: {k: man-do-not-print}","hooks":[{"name":"todo-migrate","kind":"Job","last_run":{"phase":"Succeeded"}}]}' ;;
*) exit 3 ;;
esac
`)
	for name, debug := range map[string]bool{"quiet": false, "--debug": true} {
		t.Run(name, func(t *testing.T) {
			var helmOut bytes.Buffer
			var rel Release
			s := &Step{Options: Options{HelmBin: bin, Major: 4, Release: "todo", Namespace: "ns", Chart: "c"}, Runner: command.Exec{}, Deployed: &rel}
			if debug {
				s.HelmOut = &helmOut
			}
			var out bytes.Buffer
			if err := s.Run(context.Background(), &out); err != nil {
				t.Fatal(err)
			}
			if rel.String() != "deployed (revision 4)" || len(rel.Hooks) != 1 || rel.Hooks[0].Phase != "Succeeded" {
				t.Errorf("release %+v, want deployed revision 4 with the hook Succeeded", rel)
			}
			shown := out.String() + helmOut.String()
			if strings.Contains(shown, "do-not-print") || strings.Contains(shown, `"manifest"`) {
				t.Errorf("helm's JSON leaked into the output:\n%s", shown)
			}
			wantNotes := debug
			if got := strings.Contains(helmOut.String(), "NOTES:\nopen the frontend"); got != wantNotes {
				t.Errorf("notes shown = %v, want %v:\n%s", got, wantNotes, helmOut.String())
			}
			if got := strings.Contains(helmOut.String(), "WARNING: helm says so"); got != debug {
				t.Errorf("helm's stderr shown = %v, want %v", got, debug)
			}
		})
	}
	if calls := readFile(t, log); strings.Count(calls, "\n") != 2 || strings.Contains(calls, "status") {
		t.Errorf("helm calls:\n%s\nwant one upgrade per run and no status", calls)
	}
}

func readFile(t *testing.T, p string) string {
	b, _ := os.ReadFile(p)
	return string(b)
}
