package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	utilrand "k8s.io/apimachinery/pkg/util/rand"
)

// faults runs up into each real fault on the deployed release. up must
// fail, show the texts the API server had for it, and leave the release
// rolled back to the working revision with its pods serving.
func (a *app) faults(ctx context.Context, step func(string, time.Duration)) {
	a.t.Helper()
	good := a.deploymentImages(ctx)

	// A tag the registry does not have (up builds and pushes nothing: the
	// images are unchanged; the user's --set-string comes after up's own).
	missing := "missing-" + utilrand.String(8)
	res, reasons, _ := a.faultyUp(ctx, "--set-string", "backend.image.tag="+missing)
	a.requireShown(res.out, reasons, "ImagePullBackOff", "ErrImagePull")
	if !strings.Contains(res.out, missing) {
		a.t.Errorf("up's diagnosis does not name the image tag %s", missing)
	}
	a.requireRolledBack(ctx, good)
	step("fault: image not in the registry", res.took)

	// A backend that exits at start: an unknown log level makes Python's
	// logging raise before uvicorn serves.
	res, reasons, logs := a.faultyUp(ctx,
		"--set", "backend.extraEnv[0].name=LOG_LEVEL", "--set", "backend.extraEnv[0].value=NO-SUCH-LEVEL")
	a.requireShown(res.out, reasons, "CrashLoopBackOff")
	a.requireLogShown(res.out, logs, release+"-backend-")
	a.requireRolledBack(ctx, good)
	step("fault: backend exits at start", res.took)

	// A failing migration: alembic asked for a revision that does not exist.
	res, _, logs = a.faultyUp(ctx, "--set", "migration.backoffLimit=0",
		"--set", "migration.command={alembic,upgrade,no-such-revision}")
	a.requireLogShown(res.out, logs, release+"-migrate-")
	a.requireRolledBack(ctx, good)
	step("fault: failing migration", res.took)

	// The chart keeps the failed migration Job (for `kubectl logs`); the
	// next up must not take it for its own failure (before the fix, every
	// later up stopped within seconds, blaming the old Job).
	res = a.run(ctx, a.upArgs()...)
	if res.code != 0 {
		a.t.Fatalf("up after a failed migration (the failed Job kept): exit %d\n%s", res.code, res.out)
	}
	step("up again after the failed migration", res.took)
}

// faultyUp runs an up that must fail, watching the pods meanwhile.
func (a *app) faultyUp(ctx context.Context, extra ...string) (upResult, map[string][]string, map[string]string) {
	a.t.Helper()
	w := a.watch()
	res := a.run(ctx, a.upArgs(extra...)...)
	reasons, logs := w.done()
	a.t.Logf("seen on the pods meanwhile: %v; ended containers: %d", reasons, len(logs))
	if res.code == 0 {
		a.t.Fatalf("up succeeded into a fault")
	}
	return res, reasons, logs
}

// requireShown: one of the waiting reasons wanted was seen on a pod, and
// up printed it with a message the API server gave for it.
func (a *app) requireShown(out string, reasons map[string][]string, want ...string) {
	a.t.Helper()
	for _, r := range want {
		for _, m := range reasons[r] {
			if strings.Contains(out, r) && (m == "" || strings.Contains(out, firstLine(m))) {
				return
			}
		}
	}
	a.t.Errorf("up did not show any of %v with its message as the API server had it; seen: %v", want, reasons)
}

// requireLogShown: the last line of an ended container of a pod named
// prefix* is in up's output.
func (a *app) requireLogShown(out string, logs map[string]string, prefix string) {
	a.t.Helper()
	var lines []string
	for key, l := range logs {
		if strings.HasPrefix(key, prefix) {
			last := lastLine(l)
			if strings.Contains(out, last) {
				return
			}
			lines = append(lines, key+": "+last)
		}
	}
	if len(lines) == 0 {
		a.t.Errorf("no ended container of a %s* pod was seen: the fault did not happen as staged", prefix)
		return
	}
	a.t.Errorf("up did not print the real last log line of the failed container; the API server had %q", lines)
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// requireRolledBack: the latest release record is deployed and the failed
// attempt is recorded before it; the Deployments run the good images again
// and every pod is Ready.
func (a *app) requireRolledBack(ctx context.Context, good map[string]string) {
	a.t.Helper()
	recs := a.releaseRecords(ctx)
	last := recs[len(recs)-1]
	failed := false
	for _, r := range recs {
		failed = failed || r.status == "failed"
	}
	if last.status != "deployed" || !failed {
		var s []string
		for _, r := range recs {
			s = append(s, r.name+"="+r.status)
		}
		a.t.Errorf("release records after a fault: %v; want a failed attempt and then a deployed rollback", s)
	}
	if got := a.deploymentImages(ctx); got["backend"] != good["backend"] || got["frontend"] != good["frontend"] {
		a.t.Errorf("images after the rollback: %v, want %v", got, good)
	}
	a.waitAllReady(ctx, 3*time.Minute)
}

// TestAppOnHelm3 installs and upgrades with Helm 3 (the images the Helm 4
// test built are reused: same content, same tags, no build).
func TestAppOnHelm3(t *testing.T) {
	n := setupNode(t)
	a := newApp(t, n, filepath.Join(n.repo, ".tools", "helm3", "helm"))
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Minute)
	defer cancel()
	step := stepper(t)

	res, url := a.up(ctx)
	url = a.reach(ctx, res.out, url)
	pods := a.waitAllReady(ctx, 2*time.Minute)
	a.checkRestricted(pods)
	if got := a.psql(ctx, "SELECT to_regclass('public.todos')"); got != "todos" {
		t.Errorf("table todos: %q, want it to exist after the migration", got)
	}
	title := "helm3 " + utilrand.String(6)
	if _, err := createTodo(ctx, url, title); err != nil {
		t.Fatal(err)
	}
	a.waitListed(ctx, url, title, 30*time.Second)
	step("helm3: install", res.took)

	res, _ = a.up(ctx)
	if after := podState(a.waitAllReady(ctx, time.Minute)); !equal(podState(pods), after) {
		t.Errorf("a no-change upgrade restarted or replaced pods:\nbefore %v\nafter  %v", podState(pods), after)
	}
	recs := a.releaseRecords(ctx)
	if last := recs[len(recs)-1]; last.version != 2 || last.status != "deployed" {
		t.Errorf("release after the upgrade: %s %s, want revision 2 deployed", last.name, last.status)
	}
	a.waitListed(ctx, url, title, 30*time.Second)
	a.checkCanary(ctx)
	a.checkLeaks(ctx)
	step("helm3: upgrade", res.took)
}
