package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilrand "k8s.io/apimachinery/pkg/util/rand"

	"github.com/helm-todo/helm-todo/internal/deploy"
	"github.com/helm-todo/helm-todo/internal/postrendersetup"
	"github.com/helm-todo/helm-todo/internal/testsupport/helmrecord"
	"github.com/helm-todo/helm-todo/test/e2e/cluster"
)

// canary stands for every secret value: it must reach the Secret and
// nowhere else.
const canary = "CANARY-e2e-7c1d9a"

const fullEnv = "DATABASE_URL=postgresql+asyncpg://todo:" + canary + "@db.example:5432/todo\n" +
	"OPENROUTER_API_KEY=" + canary + "-or\n" +
	"BETTER_AUTH_SECRET=" + canary + "-auth\n" +
	"VAPID_PRIVATE_KEY=" + canary + "-vpriv\n" +
	"VAPID_PUBLIC_KEY=" + canary + "-vpub\n"

// upRig runs the real bin/helm-todo against the test cluster with the Helm
// under test, from a directory without helm-todo.yaml (so the plugin's
// example apps are the project), in a namespace up itself creates.
type upRig struct {
	c       *cluster.Cluster
	helm    *cluster.Helm
	repo    string
	bin     string
	dir     string
	ns      string
	envFile string
	outputs []string // every output of every run, for the canary check
}

func newUpRig(t *testing.T, prefix string) *upRig {
	t.Parallel()
	return newSerialUpRig(t, prefix)
}

// newSerialUpRig is newUpRig for a test that must not share the machine.
func newSerialUpRig(t *testing.T, prefix string) *upRig {
	c := cluster.FromEnv(t)
	scenarioTimer(t, c.HelmMajor)
	repo := cluster.RepoRoot(t)
	r := &upRig{c: c, helm: c.Helm(t), repo: repo, bin: filepath.Join(repo, "bin", "helm-todo"), dir: t.TempDir(),
		ns: fmt.Sprintf("%s-h%d-%s", prefix, c.HelmMajor, utilrand.String(5))}
	if _, err := os.Stat(r.bin); err != nil {
		t.Fatalf("%s: %v; run `make build` (make e2e does)", r.bin, err)
	}
	r.envFile = filepath.Join(r.dir, ".env")
	r.writeEnv(t, fullEnv)
	t.Cleanup(func() {
		err := c.Client.CoreV1().Namespaces().Delete(context.Background(), r.ns, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("delete namespace %s: %v", r.ns, err)
		}
	})
	return r
}

func (r *upRig) writeEnv(t *testing.T, body string) {
	t.Helper()
	if err := os.WriteFile(r.envFile, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func (r *upRig) cmd(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, r.bin, append(args, "-n", r.ns)...)
	cmd.Dir = r.dir
	cmd.Env = append(append([]string{}, r.helm.Env...),
		"HELM_BIN="+r.c.HelmBin, "HELM_PLUGIN_DIR="+r.repo, "KUBECONFIG="+r.c.Kubeconfig)
	return cmd
}

// run runs helm-todo and returns its combined output and exit code.
func (r *upRig) run(ctx context.Context, t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := r.cmd(ctx, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("run helm-todo %v: %v", args, err)
		}
		code = ee.ExitCode()
	}
	t.Logf("$ helm-todo %s  (exit %d, %.1fs)\n%s", strings.Join(args, " "), code, time.Since(start).Seconds(), out.String())
	r.outputs = append(r.outputs, out.String())
	return out.String(), code
}

func (r *upRig) up(ctx context.Context, t *testing.T, extra ...string) string {
	t.Helper()
	out, code := r.run(ctx, t, append([]string{"up", "--skip-build", "--env-file", r.envFile, "--timeout", "3m", "--debug"}, extra...)...)
	if code != 0 {
		t.Fatalf("helm todo up exited %d:\n%s", code, out)
	}
	return out
}

// podUIDs are the release's long-running pods (hook pods come and go).
func (r *upRig) podUIDs(ctx context.Context, t *testing.T) map[string]string {
	t.Helper()
	pods, err := r.c.Client.CoreV1().Pods(r.ns).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/instance=" + release})
	if err != nil {
		t.Fatal(err)
	}
	uids := map[string]string{}
	for _, p := range pods.Items {
		if p.Labels["app.kubernetes.io/component"] == "migration" || p.DeletionTimestamp != nil {
			continue
		}
		uids[p.Name] = string(p.UID)
	}
	return uids
}

func mustContain(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q", w)
		}
	}
}

// TestUpNoChangeOverhead prints the time of a no-change up beside a bare
// helm upgrade of the same release with the same post-renderer (not
// asserted; medians of five alternating runs, the measure: the
// goal is at most 0.3 s more for up). Each up runs with --debug, so the log
// holds its time split. It is the one scenario that does not run in
// parallel: the others would share the CPU and the control plane with the
// timed runs.
func TestUpNoChangeOverhead(t *testing.T) {
	r := newSerialUpRig(t, "bench")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	r.up(ctx, t)
	var upTimes, helmTimes []time.Duration
	const runs = 5
	for i := 0; i < runs; i++ {
		start := time.Now()
		r.up(ctx, t)
		upTimes = append(upTimes, time.Since(start))
		helmTimes = append(helmTimes, r.bareUpgrade(ctx, t))
	}
	upMed, helmMed := median(upTimes), median(helmTimes)
	t.Logf("E2E-TIME helm%d bench: no-change up %.2fs, bare helm upgrade %.2fs (medians of %d, nothing else running), up adds %.2fs (goal <= 0.30s)",
		r.c.HelmMajor, upMed.Seconds(), helmMed.Seconds(), runs, (upMed - helmMed).Seconds())
	if out, code := r.run(ctx, t, "down"); code != 0 {
		t.Fatalf("down: exit %d\n%s", code, out)
	}
}

// TestUpLifecycle: nothing → Available with a completed migration in a
// restricted namespace; a no-change second up restarts nothing; the canary
// secret leaks nowhere; down, down again, and up again.
func TestUpLifecycle(t *testing.T) {
	r := newUpRig(t, "up")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	out := r.up(ctx, t)
	mustContain(t, out, "namespace "+r.ns+" created (pod security: restricted)",
		"secret "+r.ns+"/todo-secrets created", "hook job/todo-migrate: Succeeded", "frontend URL: http", "all workloads are Current")
	ns, err := r.c.Client.CoreV1().Namespaces().Get(ctx, r.ns, metav1.GetOptions{})
	if err != nil || ns.Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
		t.Fatalf("namespace %s: %v, labels %v; want enforce=restricted", r.ns, err, ns.Labels)
	}
	requireRolledOut(ctx, t, r.c, r.ns, release+"-backend", release+"-frontend")
	rel := r.status(ctx, t)
	if rel.Status != "deployed" || !hookSucceeded(rel, release+"-migrate") {
		t.Fatalf("release after up: %+v; want deployed with hook %s-migrate Succeeded", rel, release)
	}
	before := r.podUIDs(ctx, t)
	if len(before) < 2 {
		t.Fatalf("pods of the release: %v, want backend and frontend", before)
	}

	// Second up, nothing changed: no build, no load, same pods
	// (TestUpNoChangeOverhead times it).
	out = r.up(ctx, t)
	mustContain(t, out, "==> [1/6] namespace", "namespace "+r.ns+" unchanged", "secret "+r.ns+"/todo-secrets unchanged")
	if strings.Contains(out, "] build ") || strings.Contains(out, "] load ") {
		t.Errorf("--skip-build ran a build or load step")
	}
	if after := r.podUIDs(ctx, t); !equalMaps(before, after) {
		t.Errorf("a no-change up replaced pods:\nbefore %v\nafter  %v", before, after)
	}

	r.requireNoLeak(ctx, t)

	out, code := r.run(ctx, t, "down")
	if code != 0 || !strings.Contains(out, "release todo removed") {
		t.Fatalf("down: exit %d", code)
	}
	if _, err := r.c.Client.CoreV1().Secrets(r.ns).Get(ctx, "todo-secrets", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("down left the Secret up wrote (err=%v)", err)
	}
	if left, err := leftovers(ctx, t, r.c, r.ns, release); err != nil || len(left) > 0 {
		t.Errorf("down left %v (err=%v)", left, err)
	}
	out, code = r.run(ctx, t, "down")
	if code != 0 || !strings.Contains(out, "nothing to do") {
		t.Errorf("second down: exit %d, want 0 with 'nothing to do'", code)
	}
	out = r.up(ctx, t)
	mustContain(t, out, "frontend URL: http")
	if rel := r.status(ctx, t); rel.Status != "deployed" {
		t.Errorf("up after down: %+v", rel)
	}
	r.requireNoLeak(ctx, t)

	// The namespace up created, holding only the release: down deletes it.
	out, code = r.run(ctx, t, "down", "--delete-namespace")
	if code != 0 || !strings.Contains(out, "deleted namespace "+r.ns) {
		t.Errorf("down --delete-namespace of up's own namespace: exit %d", code)
	}
	if _, err := r.c.Client.CoreV1().Namespaces().Get(ctx, r.ns, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("namespace %s still there after down --delete-namespace (err=%v)", r.ns, err)
	}
}

func (r *upRig) status(ctx context.Context, t *testing.T) deploy.Release {
	t.Helper()
	// Output, not Run: the status JSON holds the whole release manifest,
	// tens of kilobytes in the log for each look.
	out, err := r.helm.Output(ctx, "status", release, "-n", r.ns, "-o", "json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	rel, err := deploy.ParseStatus([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

func hookSucceeded(rel deploy.Release, name string) bool {
	for _, h := range rel.Hooks {
		if h.Name == name {
			return h.Phase == "Succeeded"
		}
	}
	return false
}

// bareUpgrade times `helm upgrade` of the same release with the same chart,
// values and post-renderer that up passes: the floor up is measured against.
func (r *upRig) bareUpgrade(ctx context.Context, t *testing.T) time.Duration {
	t.Helper()
	pr, err := deploy.PostRendererFor(r.c.HelmMajor, postrendersetup.PluginName, postrendersetup.Binary(r.repo))
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"upgrade", release, filepath.Join(r.repo, "charts", "todo-app"), "-n", r.ns, "--wait", "--timeout", "3m",
		"--reuse-values", "--post-renderer", pr}
	h := r.helm
	if r.c.HelmMajor >= 4 {
		// up keeps the Helm 4 post-renderer plugin out of Helm 3's sight
		// (docs/install.md); a user's own helm finds it as told: that
		// directory first in HELM_PLUGINS.
		dirs := postrendersetup.Dirs{DataHome: h.Getenv("HELM_DATA_HOME"), Plugins: h.Getenv("HELM_PLUGINS")}
		h = h.With("HELM_PLUGINS=" + dirs.WithOwn())
	}
	start := time.Now()
	h.MustRun(ctx, args...)
	return time.Since(start)
}

// requireNoLeak: the canary is in the Secret (the control) and in no output,
// no `helm get values --all`, and no Helm release record.
func (r *upRig) requireNoLeak(ctx context.Context, t *testing.T) {
	t.Helper()
	s, err := r.c.Client.CoreV1().Secrets(r.ns).Get(ctx, "todo-secrets", metav1.GetOptions{})
	if err != nil || !strings.Contains(string(s.Data["OPENROUTER_API_KEY"]), canary) {
		t.Fatalf("control: the Secret up wrote should hold the canary (err=%v)", err)
	}
	for i, o := range r.outputs {
		if strings.Contains(o, canary) {
			t.Errorf("run %d printed the canary secret value", i+1)
		}
	}
	if vals := r.helm.MustRun(ctx, "get", "values", release, "-n", r.ns, "--all"); strings.Contains(vals, canary) {
		t.Errorf("helm get values --all holds the canary")
	}
	recs, err := r.c.Client.CoreV1().Secrets(r.ns).List(ctx, metav1.ListOptions{LabelSelector: "owner=helm"})
	if err != nil || len(recs.Items) == 0 {
		t.Fatalf("no helm release records found (err=%v)", err)
	}
	for _, rec := range recs.Items {
		payload := helmrecord.Decode(t, rec.Data["release"])
		if !bytes.Contains(payload, []byte(`"name":"`+release+`"`)) {
			t.Fatalf("release record %s did not decode to a release", rec.Name)
		}
		if bytes.Contains(payload, []byte(canary)) {
			t.Errorf("release record %s holds the canary", rec.Name)
		}
	}
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration{}, d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestUpRefusesMissingSecretKey: refused before anything is deployed.
func TestUpRefusesMissingSecretKey(t *testing.T) {
	r := newUpRig(t, "up-nokey")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r.writeEnv(t, "OPENROUTER_API_KEY="+canary+"\nBETTER_AUTH_SECRET="+canary+"\n")
	out, code := r.run(ctx, t, "up", "--skip-build", "--env-file", r.envFile)
	if code != 2 {
		t.Errorf("exit %d, want 2 (bad input)", code)
	}
	mustContain(t, out, "missing required secret key(s): VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY", "fix:")
	if strings.Contains(out, canary) {
		t.Error("the refusal printed a secret value")
	}
	if _, err := r.c.Client.CoreV1().Namespaces().Get(ctx, r.ns, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("namespace %s exists after a refused up (err=%v): something was deployed", r.ns, err)
	}
}

// TestUpFailingMigration: the Job's failure is named with its evidence, and
// helm is stopped and rolls the install back: no workload is left.
func TestUpFailingMigration(t *testing.T) {
	r := newUpRig(t, "up-migfail")
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	out, code := r.run(ctx, t, "up", "--skip-build", "--env-file", r.envFile, "--timeout", "3m",
		"--set-string", `migration.podAnnotations.helm-todo\.test/fail=true`, "--set", "migration.backoffLimit=0")
	if code == 0 {
		t.Fatal("up succeeded with a failing migration")
	}
	mustContain(t, out, "job/todo-migrate", "JobFailed", "log lines", "is now not installed")
	if w, err := workloads(ctx, r.c, r.ns); err != nil || len(w) > 0 {
		t.Errorf("workloads left after the rollback: %v (err=%v)", w, err)
	}
	if strings.Contains(out, canary) {
		t.Error("the failure printed a secret value")
	}
}

// TestUpWaitSkipsAnEarlierFailedJob: a migration Job that failed in an
// earlier up is kept for its log. An up that renders no migration Job
// (migration.enabled=false) leaves it there, and the wait after helm used
// to wait on it for the whole --timeout, then fail the up. The wait now
// skips what the upgrade did not change, that Job included, and says so.
func TestUpWaitSkipsAnEarlierFailedJob(t *testing.T) {
	r := newUpRig(t, "up-oldjob")
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	r.up(ctx, t)
	out, code := r.run(ctx, t, "up", "--skip-build", "--env-file", r.envFile, "--timeout", "3m",
		"--set-string", `migration.podAnnotations.helm-todo\.test/fail=true`, "--set", "migration.backoffLimit=0")
	if code == 0 {
		t.Fatalf("up succeeded with a failing migration:\n%s", out)
	}
	mustContain(t, out, "job/todo-migrate", "JobFailed")
	job, err := r.c.Client.BatchV1().Jobs(r.ns).Get(ctx, release+"-migrate", metav1.GetOptions{})
	if err != nil || !jobFailed(job) {
		t.Fatalf("the failed migration Job is not kept (err=%v): the control of this test", err)
	}
	// Before the fix this up's wait lasted the whole --timeout (45 s) on
	// the Failed Job, and then ended on whichever way its last look fell.
	out = r.up(ctx, t, "--set", "migration.enabled=false", "--timeout", "45s")
	if !regexp.MustCompile(`(not|none) waited on.*job/todo-migrate`).MatchString(out) {
		t.Errorf("up does not say it left the earlier Job alone")
	}
	if after, err := r.c.Client.BatchV1().Jobs(r.ns).Get(ctx, release+"-migrate", metav1.GetOptions{}); err != nil || after.UID != job.UID {
		t.Errorf("the earlier failed Job was replaced or removed (err=%v); this up should not have touched it", err)
	}
}

func jobFailed(j *batchv1.Job) bool {
	for _, c := range j.Status.Conditions {
		if c.Type == batchv1.JobFailed && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

// TestUpNeverReady: a container that never becomes ready ends in a message
// naming it, after helm's timeout, with the release rolled back.
func TestUpNeverReady(t *testing.T) {
	r := newUpRig(t, "up-unready")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, code := r.run(ctx, t, "up", "--skip-build", "--env-file", r.envFile, "--timeout", "25s",
		"--set-string", `backend.podAnnotations.helm-todo\.test/unready=true`)
	if code == 0 {
		t.Fatal("up succeeded with a backend that is never ready")
	}
	mustContain(t, out, "not ready", "todo-backend", "is now not installed")
}

// TestUpUnboundClaim: the in-cluster PostgreSQL's claim names a
// StorageClass that does not exist, so the real scheduler reports
// FailedScheduling ("pod has unbound immediate PersistentVolumeClaims").
// After helm's timeout the final error carries that cause, names the claim
// the API server holds unbound, and gives the fix for it.
func TestUpUnboundClaim(t *testing.T) {
	r := newUpRig(t, "up-unbound")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// No DATABASE_URL: the chart's PostgreSQL and its claim are deployed.
	var env []string
	for _, l := range strings.Split(strings.TrimSpace(fullEnv), "\n") {
		if !strings.HasPrefix(l, "DATABASE_URL=") {
			env = append(env, l)
		}
	}
	r.writeEnv(t, strings.Join(env, "\n")+"\n")
	out, code := r.run(ctx, t, "up", "--skip-build", "--env-file", r.envFile, "--timeout", "25s",
		"--set-string", "database.persistence.storageClass=e2e-no-such-class")
	if code == 0 {
		t.Fatal("up succeeded with a claim that cannot bind")
	}
	pvc, err := r.c.Client.CoreV1().PersistentVolumeClaims(r.ns).Get(ctx, "data-todo-postgres-0", metav1.GetOptions{})
	if err != nil || pvc.Status.Phase == "Bound" {
		t.Fatalf("claim data-todo-postgres-0: %v (err %v), want it left unbound", pvc.Status.Phase, err)
	}
	final := out[strings.LastIndex(out, "error: "):]
	mustContain(t, final, "not ready: statefulset/todo-postgres",
		"cause: pod/todo-postgres-0: FailedScheduling", "pod has unbound immediate PersistentVolumeClaims",
		"fix: PersistentVolumeClaim data-todo-postgres-0 is not bound", "default StorageClass", "DATABASE_URL",
		"fix: StorageClass e2e-no-such-class does not exist")
	if strings.Contains(out, canary) {
		t.Error("the failure printed a secret value")
	}
}

// TestUpInterrupted: Ctrl-C during the deploy stops helm, which rolls back;
// up says which state the release is in, and the Secret is whole.
func TestUpInterrupted(t *testing.T) {
	r := newUpRig(t, "up-int")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := r.cmd(ctx, "up", "--skip-build", "--env-file", r.envFile, "--timeout", "3m",
		"--set-string", `backend.podAnnotations.helm-todo\.test/unready=true`)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var out bytes.Buffer
	snapshot := func() string { mu.Lock(); defer mu.Unlock(); return out.String() }
	seen, done, exited := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		once := false
		for {
			n, err := pr.Read(buf)
			mu.Lock()
			out.Write(buf[:n])
			// The backend Deployment exists and is waiting: helm is mid-wait.
			hit := strings.Contains(out.String(), "deployment/todo-backend")
			mu.Unlock()
			if !once && hit {
				once = true
				close(seen)
			}
			if err != nil {
				return
			}
		}
	}()
	go func() { exited <- cmd.Wait(); pw.Close() }()
	select {
	case <-seen:
	case err := <-exited:
		<-done
		t.Fatalf("up ended (%v) before its deploy was under way:\n%s", err, snapshot())
	case <-ctx.Done():
		t.Fatalf("deploy never started:\n%s", snapshot())
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := <-exited
	<-done
	t.Logf("interrupted up output:\n%s", snapshot())
	if err == nil {
		t.Fatal("interrupted up exited 0")
	}
	mustContain(t, snapshot(), "interrupted", "release todo in namespace "+r.ns+" is now")
	s, err := r.c.Client.CoreV1().Secrets(r.ns).Get(ctx, "todo-secrets", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("secret: %v", err)
	}
	var keys []string
	for k := range s.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "BETTER_AUTH_SECRET,DATABASE_URL,OPENROUTER_API_KEY,VAPID_PRIVATE_KEY,VAPID_PUBLIC_KEY" {
		t.Errorf("secret keys after Ctrl-C: %v", keys)
	}
}

// TestUpChangedSourceRolls: tags are content hashes, so one changed backend
// file gives the backend Deployment a new tag and new pods, while the
// frontend's pods stay. (--skip-build: the simulated cluster pulls nothing,
// and the tags are the ones a build would give.)
func TestUpChangedSourceRolls(t *testing.T) {
	r := newUpRig(t, "up-change")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for _, app := range []string{"backend", "frontend"} {
		if err := os.CopyFS(filepath.Join(r.dir, app), os.DirFS(filepath.Join(r.repo, "examples", "todo-"+app))); err != nil {
			t.Fatal(err)
		}
	}
	r.up(ctx, t)
	before := requireRolledOut(ctx, t, r.c, r.ns, release+"-backend", release+"-frontend")
	podsBefore := r.podUIDs(ctx, t)

	f, err := os.OpenFile(filepath.Join(r.dir, "backend", "requirements.txt"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, "# changed by TestUpChangedSourceRolls")
	f.Close()
	r.up(ctx, t)
	after := requireRolledOut(ctx, t, r.c, r.ns, release+"-backend", release+"-frontend")

	img := func(d map[string]*appsv1.Deployment, name string) string {
		return d[name].Spec.Template.Spec.Containers[0].Image
	}
	if img(before, release+"-backend") == img(after, release+"-backend") {
		t.Errorf("backend image unchanged after a source change: %s", img(after, release+"-backend"))
	}
	if img(before, release+"-frontend") != img(after, release+"-frontend") {
		t.Errorf("frontend image changed without a frontend change: %s -> %s", img(before, release+"-frontend"), img(after, release+"-frontend"))
	}
	podsAfter := r.podUIDs(ctx, t)
	for name, uid := range podsBefore {
		backend := strings.HasPrefix(name, release+"-backend-")
		_, kept := podsAfter[name]
		if backend && kept && podsAfter[name] == uid {
			t.Errorf("backend pod %s survived the new tag", name)
		}
		if !backend && !kept {
			t.Errorf("frontend pod %s was replaced", name)
		}
	}
}
