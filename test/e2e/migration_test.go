package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestUpMigratesOnlyWhatChanged: the migration hook Job runs on the first
// install and after a migration file changed, and not on a values-only up
// (a replica count from the project's values file) nor on a no-change up.
// A jobWatch opened before the first up sees every Job the namespace ever
// holds, hook Jobs deleted on success included.
func TestUpMigratesOnlyWhatChanged(t *testing.T) {
	r := newUpRig(t, "up-migrate")
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	for _, app := range []string{"backend", "frontend"} {
		if err := os.CopyFS(filepath.Join(r.dir, app), os.DirFS(filepath.Join(r.repo, "examples", "todo-"+app))); err != nil {
			t.Fatal(err)
		}
	}
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(r.dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("helm-todo.yaml", "valuesFiles: [values-local.yaml]\n")
	write("values-local.yaml", "backend:\n  replicaCount: 1\n")
	migrate := release + "-migrate"
	jobs := watchJobs(t, r.c, r.ns)
	requireRuns := func(step string, n int) {
		t.Helper()
		runs := jobs.Settled(t, migrate, n)
		if len(runs) != n {
			t.Fatalf("%s: job %s ran %d times in all, want %d: %+v", step, migrate, len(runs), n, runs)
		}
		for _, run := range runs {
			if !run.Complete {
				t.Errorf("%s: job %s run %s did not complete: %+v", step, migrate, run.UID, run)
			}
		}
	}

	out := r.up(ctx, t)
	mustContain(t, out, "migration: runs (first install)", "hook job/"+migrate+": Succeeded")
	requireRuns("first install", 1)

	// Values only: the project's values file scales the backend.
	write("values-local.yaml", "backend:\n  replicaCount: 2\n")
	out = r.up(ctx, t)
	mustContain(t, out, "migration: skipped (inputs unchanged since revision 1)")
	if strings.Contains(out, "hook job/"+migrate) {
		t.Errorf("a values-only up reported the migration hook")
	}
	d, err := r.c.Client.AppsV1().Deployments(r.ns).Get(ctx, release+"-backend", metav1.GetOptions{})
	if err != nil || d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
		t.Fatalf("backend after the values-only up: %v, replicas %v; want 2 (the control: the upgrade happened)", err, d.Spec.Replicas)
	}
	requireRuns("values-only up", 1)

	// Nothing changed at all.
	out = r.up(ctx, t)
	mustContain(t, out, "migration: skipped (inputs unchanged since revision 2)")
	requireRuns("no-change up", 1)

	// A migration file changed: the Job runs, with the new backend image.
	f, err := os.OpenFile(filepath.Join(r.dir, "backend", "migrations", "versions", "0001_create_todos.py"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, "# changed by TestUpMigratesOnlyWhatChanged")
	f.Close()
	out = r.up(ctx, t)
	mustContain(t, out, "migration: runs (inputs changed since revision 3)", "hook job/"+migrate+": Succeeded")
	requireRuns("migration change", 2)
	d, err = r.c.Client.AppsV1().Deployments(r.ns).Get(ctx, release+"-backend", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	backendImage := d.Spec.Template.Spec.Containers[0].Image
	var ranNew bool
	for _, run := range jobs.Runs(migrate) {
		ranNew = ranNew || (len(run.Images) > 0 && run.Images[0] == backendImage)
	}
	if !ranNew {
		t.Errorf("no migration run used the new backend image %s: %+v", backendImage, jobs.Runs(migrate))
	}
	if got := releaseRevisions(ctx, t, r.c, r.ns, release); got["4"] != "deployed" {
		t.Errorf("release records %v, want revision 4 deployed", got)
	}
}
