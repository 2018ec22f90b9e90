package up

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/helm-todo/helm-todo/internal/deploy"
	"github.com/helm-todo/helm-todo/internal/migration"
	"github.com/helm-todo/helm-todo/internal/rollout"
)

// readTimeout bounds the one read of the deployed release.
const readTimeout = 10 * time.Second

// decideMigration reads the deployed release's record and decides whether
// this deploy runs the migration Job. A record that cannot be read runs
// it: migrating twice is harmless (alembic upgrade head is a no-op at
// head), skipping a needed one is not.
func decideMigration(ctx context.Context, o Options) migration.Decision {
	// A --set of the migration's own settings (its command, its retries)
	// changes what the Job does, though not its inputs: run it.
	if k := migrationFlag(o.Deploy.Set, o.Deploy.SetString); k != "" {
		return migration.Decision{Run: true, Reason: "--set " + k + " given"}
	}
	in := o.Migration
	if in.Hash != "" && o.Deploy.Images["backend"].Tag == "" {
		in = migration.Inputs{Unknown: "no backend image tag to bind the skip to"}
	}
	if in.Hash == "" {
		return migration.Decide(migration.Recorded{}, in)
	}
	cant := func(err error) migration.Decision {
		return migration.Decision{Run: true, Reason: "the deployed release could not be read: " + err.Error()}
	}
	cs, err := o.Client()
	if err != nil {
		return cant(err)
	}
	// Helm's storage driver takes no context: bound it here.
	ctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	// A migration Job that failed (kept for its log) means the last attempt
	// did not finish: run it again, which also replaces that Job (helm's
	// before-hook-creation) instead of leaving it for every later up to see.
	if job := failedMigrationJob(ctx, cs, o.Deploy.Namespace, o.Deploy.Release); job != "" {
		return migration.Decision{Run: true, Reason: "job/" + job + " of an earlier up failed"}
	}
	type result struct {
		rec migration.Recorded
		err error
	}
	done := make(chan result, 1)
	go func() {
		rec, err := migration.Read(cs, o.Deploy.Driver, o.Deploy.Namespace, o.Deploy.Release)
		done <- result{rec, err}
	}()
	select {
	case <-ctx.Done():
		return cant(ctx.Err())
	case r := <-done:
		if r.err != nil {
			return cant(r.err)
		}
		return migration.Decide(r.rec, in)
	}
}

// failedMigrationJob is the name of the release's migration Job when it
// failed, or "" (none, or it cannot be listed: the release read decides).
func failedMigrationJob(ctx context.Context, cs kubernetes.Interface, namespace, release string) string {
	l, err := cs.BatchV1().Jobs(namespace).List(ctx, metav1.ListOptions{
		LabelSelector: "app.kubernetes.io/instance=" + release + ",app.kubernetes.io/component=migration"})
	if err != nil {
		return ""
	}
	for i := range l.Items {
		if failed, _ := rollout.JobFailure(&l.Items[i]); failed {
			return l.Items[i].Name
		}
	}
	return ""
}

// migrationFlag is the first key of --set or --set-string pairs under
// migration. other than the hash up sets itself, or "". Forcing the Job
// with --set-string migration.skipForTag= is one of them.
func migrationFlag(sets ...[]string) string {
	for _, set := range sets {
		for _, kv := range set {
			for _, pair := range strings.Split(kv, ",") {
				k, _, _ := strings.Cut(pair, "=")
				if strings.HasPrefix(k, "migration.") && k != migration.HashValue {
					return k
				}
			}
		}
	}
	return ""
}

// migrationLines describe the decision for --dry-run: what is hashed,
// the rule, and what the cluster says now (read-only).
func migrationLines(ctx context.Context, o Options) []string {
	in := o.Migration
	if in.Hash == "" {
		return []string{migration.Decide(migration.Recorded{}, in).Line()}
	}
	return []string{
		fmt.Sprintf("migration inputs hash %s (%s), recorded as %s", in.Hash, in.Summary(), migration.HashValue),
		fmt.Sprintf("the migration Job runs unless the deployed release recorded this hash; then --set-string %s=<backend tag> leaves it out", migration.SkipValue),
		"now: " + decideMigration(ctx, o).Line(),
	}
}

// applyMigration makes the deploy run the Job or leave it out, as decided
// just before helm runs with the lease held, and says which.
func applyMigration(dep *deploy.Step, d migration.Decision, out io.Writer) {
	dep.Options.SkipMigration = !d.Run
	fmt.Fprintln(out, "   "+d.Line())
}
