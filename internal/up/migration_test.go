package up

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/storage/driver"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/helm-todo/helm-todo/internal/deploy"
	"github.com/helm-todo/helm-todo/internal/migration"
)

// The deploy step's Prepare reads the deployed release (written here by
// Helm's own driver) and sets the skip; the line says why.
func TestPrepareMigration(t *testing.T) {
	for name, tc := range map[string]struct {
		recorded  string // deployed release's inputsHash; "" for no release
		hash      string
		tag       string
		skip      bool
		line      string
		set       []string // up's --set pairs
		failedJob bool     // a failed migration Job kept from an earlier up
	}{
		"first install":     {hash: "aaaa", tag: "t1", line: "migration: runs (first install)"},
		"unchanged":         {recorded: "aaaa", hash: "aaaa", tag: "t1", skip: true, line: "migration: skipped (inputs unchanged since revision 1)"},
		"changed":           {recorded: "bbbb", hash: "aaaa", tag: "t1", line: "migration: runs (inputs changed since revision 1)"},
		"no tag to bind to": {recorded: "aaaa", hash: "aaaa", line: "migration: runs (no backend image tag to bind the skip to)"},
		"no inputs in tree": {recorded: "aaaa", tag: "t1", line: "migration: runs (no alembic.ini"},
		"--set migration.*": {recorded: "aaaa", hash: "aaaa", tag: "t1", set: []string{"backend.replicas=2,migration.backoffLimit=0"},
			line: "migration: runs (--set migration.backoffLimit given)"},
		"forced":             {recorded: "aaaa", hash: "aaaa", tag: "t1", set: []string{"migration.skipForTag="}, line: "migration: runs (--set migration.skipForTag given)"},
		"earlier Job failed": {recorded: "aaaa", hash: "aaaa", tag: "t1", failedJob: true, line: "migration: runs (job/todo-migrate of an earlier up failed)"},
		"--set elsewhere":    {recorded: "aaaa", hash: "aaaa", tag: "t1", set: []string{"backend.replicas=2"}, skip: true, line: "migration: skipped"},
	} {
		t.Run(name, func(t *testing.T) {
			cs := fake.NewClientset()
			if tc.failedJob {
				job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "todo-migrate", Namespace: "todo-app",
					Labels: map[string]string{"app.kubernetes.io/instance": "todo", "app.kubernetes.io/component": "migration"}},
					Status: batchv1.JobStatus{Failed: 1, Conditions: []batchv1.JobCondition{{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Reason: "BackoffLimitExceeded"}}}}
				if _, err := cs.BatchV1().Jobs("todo-app").Create(context.Background(), job, metav1.CreateOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			if tc.recorded != "" {
				ch := &chart.Chart{Metadata: &chart.Metadata{Name: "todo-app"}, Values: map[string]any{"migration": map[string]any{"enabled": true}}}
				r := &release.Release{Name: "todo", Namespace: "todo-app", Version: 1, Chart: ch, Info: &release.Info{Status: release.StatusDeployed},
					Config: map[string]any{"migration": map[string]any{"inputsHash": tc.recorded}}}
				if err := driver.NewSecrets(cs.CoreV1().Secrets("todo-app")).Create("sh.helm.release.v1.todo.v1", r); err != nil {
					t.Fatal(err)
				}
			}
			o := opts(nil)
			o.Client = func() (kubernetes.Interface, error) { return cs, nil }
			o.Deploy.Images = map[string]deploy.Image{"backend": {Tag: tc.tag}}
			o.Migration = migration.Inputs{Hash: tc.hash}
			if tc.hash == "" {
				o.Migration.Unknown = "no alembic.ini in the backend's build context, so no inputs to compare"
			}
			o.Deploy.MigrationHash = tc.hash
			o.Deploy.Set = tc.set
			dep := &deploy.Step{Options: o.Deploy}
			var out bytes.Buffer
			applyMigration(dep, decideMigration(context.Background(), o), &out)
			if dep.Options.SkipMigration != tc.skip || !strings.Contains(out.String(), tc.line) {
				t.Errorf("skip=%v, printed %q; want skip=%v and %q", dep.Options.SkipMigration, out.String(), tc.skip, tc.line)
			}
			args := strings.Join(dep.Options.Args(), " ")
			if got := strings.Contains(args, "--set-string migration.skipForTag="+tc.tag); got != tc.skip {
				t.Errorf("args %q: skipForTag set = %v, want %v", args, got, tc.skip)
			}
		})
	}
}
