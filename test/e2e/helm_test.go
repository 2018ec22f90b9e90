// Package e2e installs charts/todo-app with a real Helm (3 or 4, whichever
// HELM_TODO_E2E_HELM names) on the test cluster `make e2e` starts, and
// checks the outcome on the API server: objects, conditions, events and
// Helm's release records. Without the cluster every test here is skipped.
package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/helm-todo/helm-todo/internal/postrendersetup"
	"github.com/helm-todo/helm-todo/test/e2e/cluster"
)

const (
	release = "todo"
	// Generous: the pods are simulated and ready in about a second, but a
	// failing migration waits for the Job controller's retry backoff.
	helmTimeout = "3m"
)

var restricted = map[string]string{
	"pod-security.kubernetes.io/enforce":         "restricted",
	"pod-security.kubernetes.io/enforce-version": "latest",
}

type fixture struct {
	c     *cluster.Cluster
	helm  *cluster.Helm
	ns    string
	chart string
	jobs  *jobWatch
}

// setup makes a restricted namespace (labelled before Helm sees it, as
// `helm todo up` does) and opens a Job watch in it.
func setup(t *testing.T, prefix string) *fixture {
	c := cluster.FromEnv(t)
	t.Parallel()
	scenarioTimer(t, c.HelmMajor)
	f := &fixture{
		c:     c,
		helm:  c.Helm(t),
		ns:    c.Namespace(t, prefix, restricted),
		chart: filepath.Join(cluster.RepoRoot(t), "charts", "todo-app"),
	}
	f.jobs = watchJobs(t, c, f.ns)
	return f
}

func (f *fixture) install(ctx context.Context, t *testing.T, extra ...string) string {
	t.Helper()
	args := append([]string{"install", release, f.chart, "-n", f.ns, "--create-namespace", "--wait", "--timeout", helmTimeout}, extra...)
	return f.helm.MustRun(ctx, args...)
}

// requireInstalled checks what a good install leaves: the migration hook
// ran to completion and was deleted, both Deployments are rolled out, the
// LoadBalancer got its address, and revision 1 is deployed.
func (f *fixture) requireInstalled(ctx context.Context, t *testing.T) {
	t.Helper()
	migrate := release + "-migrate"
	// Helm has waited for the Job and deleted it; the watch may deliver
	// those events a moment after helm returns.
	runs := f.jobs.Settled(t, migrate, 1)
	if len(runs) != 1 {
		t.Fatalf("job %s ran %d times during install, want 1: %+v", migrate, len(runs), runs)
	}
	if !runs[0].Complete || runs[0].Failed {
		t.Errorf("job %s during install: complete=%v failed=%v (%s), want complete", migrate, runs[0].Complete, runs[0].Failed, runs[0].Reason)
	}
	if !runs[0].Deleted {
		t.Errorf("job %s was not deleted after it succeeded (hook-delete-policy hook-succeeded)", migrate)
	}
	if _, err := f.c.Client.BatchV1().Jobs(f.ns).Get(ctx, migrate, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("job %s still exists after install (err=%v), want deleted by hook-succeeded", migrate, err)
	}
	if evs := jobEvents(ctx, t, f.c, f.ns, migrate); count(evs, "Completed") != 1 {
		t.Errorf("events of job %s: %v, want one Completed", migrate, evs)
	}

	requireRolledOut(ctx, t, f.c, f.ns, release+"-backend", release+"-frontend")

	svc, err := f.c.Client.CoreV1().Services(f.ns).Get(ctx, release+"-frontend", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get service %s-frontend: %v", release, err)
	}
	if svc.Spec.Type == corev1.ServiceTypeLoadBalancer && len(svc.Status.LoadBalancer.Ingress) == 0 {
		t.Errorf("service %s has no load-balancer address; the cluster's service-load-balancer stage did not run", svc.Name)
	}

	if got := releaseRevisions(ctx, t, f.c, f.ns, release); len(got) != 1 || got["1"] != "deployed" {
		t.Errorf("release %s records on the API server: %v, want {1: deployed}", release, got)
	}
	if st := f.helmStatus(ctx, t); st.Info.Status != "deployed" || st.Version != 1 {
		t.Errorf("helm status %s: %q revision %d, want deployed revision 1", release, st.Info.Status, st.Version)
	}
}

type helmStatus struct {
	Version int `json:"version"`
	Info    struct {
		Status string `json:"status"`
	} `json:"info"`
}

// helmStatus is Helm's own view, next to the release records read from the
// API server.
func (f *fixture) helmStatus(ctx context.Context, t *testing.T) helmStatus {
	t.Helper()
	out, err := f.helm.Output(ctx, "status", release, "-n", f.ns, "-o", "json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var st helmStatus
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("helm status -o json: %v", err)
	}
	return st
}

// TestPodSecurityEnforced is the control for every scenario: a namespace
// labelled restricted must refuse a privileged pod, or "the chart installed
// there" would prove nothing about Pod Security.
func TestPodSecurityEnforced(t *testing.T) {
	f := setup(t, "e2e-psa")
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "privileged"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "c", Image: "busybox",
			SecurityContext: &corev1.SecurityContext{Privileged: new(true)},
		}}},
	}
	_, err := f.c.Client.CoreV1().Pods(f.ns).Create(t.Context(), pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "PodSecurity") {
		t.Fatalf("privileged pod in a restricted namespace: err=%v, want Forbidden by PodSecurity", err)
	}
}

// Scenario 1: a fresh install into a restricted namespace.
func TestInstall(t *testing.T) {
	f := setup(t, "e2e-install")
	ctx := t.Context()
	f.install(ctx, t)
	f.requireInstalled(ctx, t)
}

// Scenario 1 with the post-renderer: Helm 3 runs bin/helm-todo-postrender by path,
// Helm 4 runs the postrenderer/v1 plugin named helm-todo. A literal
// secret-looking env var must reach the cluster as a secretKeyRef.
func TestInstallWithPostRenderer(t *testing.T) {
	f := setup(t, "e2e-postrender")
	ctx := t.Context()
	root := cluster.RepoRoot(t)
	bin := filepath.Join(root, "bin", "helm-todo")
	prBin := postrendersetup.Binary(root)
	requirePostRenderer(t, prBin)

	var prArgs []string
	if f.helm.Major >= 4 {
		// The documented way: `helm todo install-postrenderer` installs the
		// postrenderer/v1 plugin into this test's private HELM_PLUGINS.
		cmd := exec.CommandContext(ctx, bin, "install-postrenderer", "--helm-bin", f.helm.Bin)
		cmd.Env = f.helm.Env
		out, err := cmd.CombinedOutput()
		t.Logf("$ helm-todo install-postrenderer\n%s", out)
		if err != nil {
			t.Fatalf("helm-todo install-postrenderer: %v", err)
		}
		prArgs = []string{"--post-renderer", "helm-todo"}
	} else {
		prArgs = []string{"--post-renderer", prBin}
	}
	// In a values file, not on the command line, so it is in no log.
	token := "e2e-" + strings.ReplaceAll(f.ns, "-", "")
	values := filepath.Join(t.TempDir(), "values.yaml")
	body := "backend:\n  extraEnv:\n    - name: E2E_API_TOKEN\n      value: " + token + "\n"
	if err := os.WriteFile(values, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	f.install(ctx, t, append(prArgs, "-f", values)...)
	f.requireInstalled(ctx, t)

	d, err := f.c.Client.AppsV1().Deployments(f.ns).Get(ctx, release+"-backend", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var env *corev1.EnvVar
	for i, e := range d.Spec.Template.Spec.Containers[0].Env {
		if e.Name == "E2E_API_TOKEN" {
			env = &d.Spec.Template.Spec.Containers[0].Env[i]
		}
	}
	switch {
	case env == nil:
		t.Fatalf("deployment %s lost env E2E_API_TOKEN", d.Name)
	case env.Value != "" || env.ValueFrom == nil || env.ValueFrom.SecretKeyRef == nil:
		t.Fatalf("deployment %s: E2E_API_TOKEN is not a secretKeyRef after post-rendering (literal kept: %v)", d.Name, env.Value != "")
	}
	ref := env.ValueFrom.SecretKeyRef
	s, err := f.c.Client.CoreV1().Secrets(f.ns).Get(ctx, ref.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("secret %s that E2E_API_TOKEN refers to: %v", ref.Name, err)
	}
	if string(s.Data[ref.Key]) != token {
		t.Errorf("secret %s key %s does not hold the value the chart was given", ref.Name, ref.Key)
	}
}

// requirePostRenderer fails early, with the reason, if the post-renderer
// binary is missing or cannot harden a plain ConfigMap.
func requirePostRenderer(t *testing.T, bin string) {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Stdin = strings.NewReader("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: probe\n")
	out, err := cmd.CombinedOutput()
	if err == nil {
		return
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		t.Fatalf("run %s: %v; run `make build` first", bin, err)
	}
	t.Fatalf("%s fails on a plain ConfigMap: %v\n%s", bin, err, out)
}

// Scenario 2: an upgrade with a new image tag rolls the Deployment and runs
// the pre-upgrade migration again, with the new image.
func TestUpgradeRollsAndMigrates(t *testing.T) {
	f := setup(t, "e2e-upgrade")
	ctx := t.Context()
	f.install(ctx, t, "--set", "backend.image.tag=e2e-1", "--set", "frontend.image.tag=e2e-1")
	f.requireInstalled(ctx, t)
	before := f.jobs.Runs(release + "-migrate")

	f.helm.MustRun(ctx, "upgrade", release, f.chart, "-n", f.ns, "--wait", "--timeout", helmTimeout,
		"--set", "backend.image.tag=e2e-2", "--set", "frontend.image.tag=e2e-2")

	deps := requireRolledOut(ctx, t, f.c, f.ns, release+"-backend", release+"-frontend")
	for name, d := range deps {
		if img := d.Spec.Template.Spec.Containers[0].Image; !strings.HasSuffix(img, ":e2e-2") {
			t.Errorf("deployment %s runs %s after upgrade, want tag e2e-2", name, img)
		}
	}
	backend := deps[release+"-backend"]
	// The rollout is complete when the old ReplicaSet has no pods left; the
	// Deployment controller scales it down right after the new one is ready.
	cluster.Eventually(t, 60*time.Second, "the e2e-1 ReplicaSet of "+backend.Name+" to scale to 0", func(ctx context.Context) (bool, string, error) {
		rss, err := f.c.Client.AppsV1().ReplicaSets(f.ns).List(ctx, metav1.ListOptions{
			LabelSelector: "app.kubernetes.io/instance=" + release + ",app.kubernetes.io/component=backend",
		})
		if err != nil {
			return false, "", err
		}
		var oldPods, newReady int32
		for _, rs := range rss.Items {
			switch img := rs.Spec.Template.Spec.Containers[0].Image; {
			case strings.HasSuffix(img, ":e2e-1"):
				oldPods += rs.Status.Replicas
			case strings.HasSuffix(img, ":e2e-2"):
				newReady += rs.Status.ReadyReplicas
			}
		}
		return len(rss.Items) == 2 && oldPods == 0 && newReady >= 1,
			fmt.Sprintf("replicasets=%d old pods=%d new ready=%d", len(rss.Items), oldPods, newReady), nil
	})

	migrate := release + "-migrate"
	after := f.jobs.Settled(t, migrate, 2)
	var upgradeRun *jobRun
	for i, r := range after {
		if !containsUID(before, r) {
			upgradeRun = &after[i]
		}
	}
	switch {
	case len(after) != 2 || upgradeRun == nil:
		t.Fatalf("job %s runs: %+v, want a second run for pre-upgrade", migrate, after)
	case !upgradeRun.Complete || !upgradeRun.Deleted:
		t.Errorf("pre-upgrade job %s: complete=%v deleted=%v, want both", migrate, upgradeRun.Complete, upgradeRun.Deleted)
	case len(upgradeRun.Images) == 0 || !strings.HasSuffix(upgradeRun.Images[0], ":e2e-2"):
		t.Errorf("pre-upgrade job %s ran %v, want the new backend image (tag e2e-2)", migrate, upgradeRun.Images)
	}
	if evs := jobEvents(ctx, t, f.c, f.ns, migrate); count(evs, "Completed") != 2 {
		t.Errorf("events of job %s: %v, want two Completed (install and upgrade)", migrate, evs)
	}
	if got := releaseRevisions(ctx, t, f.c, f.ns, release); got["1"] != "superseded" || got["2"] != "deployed" {
		t.Errorf("release %s records: %v, want {1: superseded, 2: deployed}", release, got)
	}
}

// Scenario 3: the migration fails (the cluster fails every pod annotated
// helm-todo.test/fail), so an install with --atomic (Helm 3) or
// --rollback-on-failure (Helm 4) fails and leaves nothing running.
func TestFailedMigrationRollsBack(t *testing.T) {
	f := setup(t, "e2e-failmigrate")
	ctx := t.Context()
	args := []string{"install", release, f.chart, "-n", f.ns, "--create-namespace", "--wait", "--timeout", helmTimeout,
		f.helm.AtomicFlag(), "--set-string", `migration.podAnnotations.helm-todo\.test/fail=true`,
		// One retry, not the chart's three: the Job still fails by its
		// backoff limit after a retried pod, without 70 s of pod backoff.
		"--set", "migration.backoffLimit=1"}
	if out, err := f.helm.Run(ctx, args...); err == nil {
		t.Fatalf("helm install with a failing migration succeeded:\n%s", out)
	}

	migrate := release + "-migrate"
	runs := f.jobs.Settled(t, migrate, 1)
	if len(runs) != 1 || !runs[0].Failed || runs[0].Complete {
		t.Fatalf("job %s: %+v, want one run that failed", migrate, runs)
	}
	if runs[0].Reason != "BackoffLimitExceeded" || runs[0].Failures < 1 {
		t.Errorf("job %s failed with reason %q after %d failed pods, want BackoffLimitExceeded", migrate, runs[0].Reason, runs[0].Failures)
	}
	pods, err := f.c.Client.CoreV1().Pods(f.ns).List(ctx, metav1.ListOptions{LabelSelector: "job-name=" + migrate})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pods.Items {
		for _, cs := range p.Status.ContainerStatuses {
			if cs.State.Terminated == nil || cs.State.Terminated.ExitCode == 0 {
				t.Errorf("migration pod %s container %s: %+v, want terminated with a non-zero exit", p.Name, cs.Name, cs.State)
			}
		}
	}

	// --atomic has uninstalled the release: what the install created goes
	// away, maybe a moment after helm returns.
	cluster.Eventually(t, 60*time.Second, "no workload left in "+f.ns, func(ctx context.Context) (bool, string, error) {
		w, err := workloads(ctx, f.c, f.ns)
		return len(w) == 0, strings.Join(w, ", "), err
	})
	for rev, status := range releaseRevisions(ctx, t, f.c, f.ns, release) {
		if status == "deployed" {
			t.Errorf("release %s revision %s is deployed after a failed atomic install", release, rev)
		}
	}
}

// Scenario 4: uninstall leaves nothing of the release in the namespace,
// hook resources included: the migration Job is deleted once it succeeds.
//
// The chart's own Secret (when no existingSecret is given) is a pre-install
// hook, so that the migration hook can read it, and Helm never deletes hook
// resources on uninstall; the chart documents this in NOTES.txt. `helm todo
// up` avoids it by creating <release>-secrets itself (existingSecret). Both
// ways are checked: the up way must leave nothing, the default way exactly
// that documented Secret.
func TestUninstallLeavesNothing(t *testing.T) {
	tests := map[string]struct {
		existingSecret string
		wantLeft       []string
	}{
		"existing secret (as up deploys)": {existingSecret: release + "-secrets"},
		"chart-made secret":               {wantLeft: []string{"Secret/" + release + "-chart-secrets"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f := setup(t, "e2e-uninstall")
			ctx := t.Context()
			var extra []string
			if tc.existingSecret != "" {
				s := &corev1.Secret{
					ObjectMeta: metav1.ObjectMeta{Name: tc.existingSecret},
					StringData: map[string]string{"DATABASE_URL": "postgresql+asyncpg://todo:e2e@db.invalid:5432/todo"},
				}
				if _, err := f.c.Client.CoreV1().Secrets(f.ns).Create(ctx, s, metav1.CreateOptions{}); err != nil {
					t.Fatalf("create secret %s: %v", s.Name, err)
				}
				extra = []string{"--set", "secrets.existingSecret=" + tc.existingSecret}
			}
			f.install(ctx, t, extra...)
			f.requireInstalled(ctx, t)
			if left, err := leftovers(ctx, t, f.c, f.ns, release, tc.existingSecret); err != nil || len(left) <= len(tc.wantLeft) {
				t.Fatalf("before uninstall the leftover scan finds %v (err %v); it must see the release to prove anything", left, err)
			}

			f.helm.MustRun(ctx, "uninstall", release, "-n", f.ns, "--wait", "--timeout", helmTimeout)

			// Garbage collection (ReplicaSets, pods, EndpointSlices) ends
			// after helm returns.
			want := strings.Join(tc.wantLeft, ", ")
			cluster.Eventually(t, 90*time.Second, "exactly ["+want+"] of release "+release+" left in "+f.ns, func(ctx context.Context) (bool, string, error) {
				left, err := leftovers(ctx, t, f.c, f.ns, release, tc.existingSecret)
				return strings.Join(left, ", ") == want, strings.Join(left, ", "), err
			})
		})
	}
}

func containsUID(runs []jobRun, r jobRun) bool {
	for _, x := range runs {
		if x.UID == r.UID {
			return true
		}
	}
	return false
}
