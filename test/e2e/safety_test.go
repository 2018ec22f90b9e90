package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/helm-todo/helm-todo/internal/lease"
	"github.com/helm-todo/helm-todo/test/e2e/cluster"
)

// TestDownKeepsNamespaceItDidNotCreate: a namespace that
// holds a user's ConfigMap and was never up's stays, with the ConfigMap.
func TestDownKeepsNamespaceItDidNotCreate(t *testing.T) {
	r := newUpRig(t, "down-foreign")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := r.c.Client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: r.ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "user-data"}, Data: map[string]string{"k": "v"}}
	if _, err := r.c.Client.CoreV1().ConfigMaps(r.ns).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	out, code := r.run(ctx, t, "down", "--delete-namespace")
	if code == 0 {
		t.Errorf("down --delete-namespace of a foreign namespace exited 0")
	}
	mustContain(t, out, "namespace "+r.ns+" was not created by helm-todo", "fix:")
	if strings.Contains(out, "removed from namespace") {
		t.Errorf("down claims a removal")
	}
	if _, err := r.c.Client.CoreV1().ConfigMaps(r.ns).Get(ctx, "user-data", metav1.GetOptions{}); err != nil {
		t.Fatalf("the user's ConfigMap is gone: %v", err)
	}
	ns, err := r.c.Client.CoreV1().Namespaces().Get(ctx, r.ns, metav1.GetOptions{})
	if err != nil || ns.DeletionTimestamp != nil {
		t.Fatalf("namespace %s deleted: %v", r.ns, err)
	}
}

// TestUpBadNamesTouchNothing: bad names are refused with exit 2
// before the namespace exists, with and without --dry-run.
func TestUpBadNamesTouchNothing(t *testing.T) {
	r := newUpRig(t, "up-badname")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, dry := range []bool{false, true} {
		args := []string{"up", "--skip-build", "--env-file", r.envFile, "--release", "Bad Release"}
		if dry {
			args = append(args, "--dry-run")
		}
		out, code := r.run(ctx, t, args...)
		if code != 2 {
			t.Errorf("dry-run=%v: exit %d, want 2", dry, code)
		}
		mustContain(t, out, `release name "Bad Release" is invalid`, "fix: use lowercase letters")
		if _, err := r.c.Client.CoreV1().Namespaces().Get(ctx, r.ns, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Fatalf("dry-run=%v: namespace %s exists after a refused up (err=%v)", dry, r.ns, err)
		}
	}
	cmd := exec.CommandContext(ctx, r.bin, "up", "--skip-build", "--env-file", r.envFile, "-n", "Bad_NS!")
	cmd.Dir, cmd.Env = r.dir, r.cmd(ctx).Env
	out, _ := cmd.CombinedOutput()
	if !strings.Contains(string(out), `namespace "Bad_NS!" is invalid`) || strings.Contains(string(out), "may create namespaces") {
		t.Errorf("-n Bad_NS!: %s", out)
	}
}

// pluginCmd runs `helm todo ARGS -n NS` through the real Helm plugin
// runner, in a process group of its own as a shell runs a job.
func (r *upRig) pluginCmd(ctx context.Context, t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	plugins := ""
	for _, kv := range r.helm.Env {
		if v, ok := strings.CutPrefix(kv, "HELM_PLUGINS="); ok {
			plugins = v
		}
	}
	if err := os.MkdirAll(plugins, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(r.repo, filepath.Join(plugins, "todo")); err != nil && !os.IsExist(err) {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, r.c.HelmBin, append(append([]string{"todo"}, args...), "-n", r.ns)...)
	cmd.Dir = r.dir
	cmd.Env = append(append([]string{}, r.helm.Env...), "KUBECONFIG="+r.c.Kubeconfig)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

// started runs cmd with its output going to a pipe read in the background,
// and returns when the output contains mark. The output keeps being
// collected until every process holding the pipe (helm, helm-todo, its
// children) has closed it.
type started struct {
	mu   sync.Mutex
	buf  strings.Builder
	eof  chan struct{}
	cmd  *exec.Cmd
	exit chan error
}

func (s *started) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.buf.String() }

func start(ctx context.Context, t *testing.T, cmd *exec.Cmd, mark string) *started {
	t.Helper()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	s := &started{eof: make(chan struct{}), cmd: cmd, exit: make(chan error, 1)}
	seen := make(chan struct{})
	go func() {
		defer close(s.eof)
		once := false
		sc := bufio.NewReader(pr)
		for {
			line, err := sc.ReadString('\n')
			s.mu.Lock()
			s.buf.WriteString(line)
			hit := strings.Contains(s.buf.String(), mark)
			s.mu.Unlock()
			if hit && !once {
				once = true
				close(seen)
			}
			if err == io.EOF || err != nil {
				return
			}
		}
	}()
	go func() { s.exit <- cmd.Wait() }()
	select {
	case <-seen:
	case <-s.eof:
		t.Fatalf("%v ended before %q:\n%s", cmd.Args, mark, s.String())
	case <-ctx.Done():
		t.Fatalf("%v: no %q:\n%s", cmd.Args, mark, s.String())
	}
	return s
}

// TestCtrlCThroughHelm (items 3 and 7): Ctrl-C as a terminal sends it, to
// the whole process group of `helm todo up`, mid-deploy. Helm's plugin
// runner dies at once and a user retries at once: the retry must wait for
// the interrupted run (not fail on helm's pending-* lock), and end
// deployed. The interrupted run reports its state before it exits.
func TestCtrlCThroughHelm(t *testing.T) {
	r := newUpRig(t, "up-sigint")
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	first := start(ctx, t, r.pluginCmd(ctx, t, "up", "--skip-build", "--env-file", r.envFile, "--timeout", "3m",
		"--set-string", `backend.podAnnotations.helm-todo\.test/unready=true`), "deployment/todo-backend")
	if err := syscall.Kill(-first.cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	<-first.exit // the prompt is back: the user types the command again

	second := r.pluginCmd(ctx, t, "up", "--skip-build", "--env-file", r.envFile, "--timeout", "3m")
	out, err := second.CombinedOutput()
	t.Logf("retry:\n%s", out)
	<-first.eof
	t.Logf("interrupted run:\n%s", first.String())
	if err != nil {
		t.Fatalf("retry right after Ctrl-C failed: %v", err)
	}
	mustContain(t, first.String(), "interrupted", "release todo in namespace "+r.ns+" is now")
	mustContain(t, string(out), "release todo: deployed")
	if strings.Contains(string(out), "another operation") || strings.Contains(first.String()+string(out), "helm rollback") {
		t.Errorf("helm's lock surfaced, or a user was told to run helm by hand")
	}
	if rel := r.status(ctx, t); rel.Status != "deployed" {
		t.Errorf("final state %+v", rel)
	}
	r.outputs = append(r.outputs, first.String(), string(out))
	r.requireNoLeak(ctx, t)
}

// TestConcurrentUps: a second up while the first deploys waits
// for it, says so, and both report the state their own run left.
func TestConcurrentUps(t *testing.T) {
	r := newUpRig(t, "up-race")
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	args := []string{"up", "--skip-build", "--env-file", r.envFile, "--timeout", "3m"}
	first := start(ctx, t, r.cmd(ctx, args...), "] deploy")
	out, code := r.run(ctx, t, args...)
	if err := <-first.exit; err != nil {
		t.Errorf("first up: %v\n%s", err, first.String())
	}
	<-first.eof
	t.Logf("first up:\n%s", first.String())
	r.outputs = append(r.outputs, first.String())
	if code != 0 {
		t.Fatalf("second up exited %d", code)
	}
	mustContain(t, out, lease.Busy, "release todo: deployed (revision 2)")
	mustContain(t, first.String(), "release todo: deployed (revision 1)")
}

// hangUpgrade starts a plain `helm upgrade` whose backend never becomes
// ready, so it stays pending-upgrade while it waits, and returns once the
// release is pending.
func (r *upRig) hangUpgrade(ctx context.Context, t *testing.T) *exec.Cmd {
	t.Helper()
	hung := exec.CommandContext(ctx, r.c.HelmBin, "upgrade", release, filepath.Join(r.repo, "charts", "todo-app"), "-n", r.ns,
		"--reuse-values", "--wait", "--timeout", "5m", "--set-string", `backend.podAnnotations.helm-todo\.test/unready=true`)
	hung.Env = append(append([]string{}, r.helm.Env...), "KUBECONFIG="+r.c.Kubeconfig)
	if err := hung.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = hung.Process.Kill(); _ = hung.Wait() })
	cluster.Eventually(t, 2*time.Minute, "helm upgrade to mark the release pending-upgrade", func(ctx context.Context) (bool, string, error) {
		rel := r.status(ctx, t)
		return rel.Status == "pending-upgrade", rel.Status, nil
	})
	return hung
}

// TestUpLeavesAnotherClientsUpgrade: a colleague's plain helm upgrade still
// running is named and waited for (here until --timeout), and never rolled
// back: the release stays at its pending revision.
func TestUpLeavesAnotherClientsUpgrade(t *testing.T) {
	r := newUpRig(t, "up-foreign")
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	r.up(ctx, t)
	r.hangUpgrade(ctx, t)
	out, code := r.run(ctx, t, "up", "--skip-build", "--env-file", r.envFile, "--timeout", "15s")
	if code == 0 {
		t.Errorf("up exited 0 while another client's upgrade was pending")
	}
	mustContain(t, out, "release todo is pending-upgrade (revision 2), an operation no helm todo up started",
		"release todo is still pending-upgrade (revision 2) after 15s", "--take-over-pending")
	if rel := r.status(ctx, t); rel.Status != "pending-upgrade" || rel.Revision != 2 {
		t.Errorf("the other client's upgrade was touched: release is %+v", rel)
	}
	if strings.Contains(out, "rolling it back to") || strings.Contains(out, "uninstalling it") {
		t.Errorf("up rolled back another client's upgrade")
	}
}

// TestUpRecoversPendingRelease: a release left pending-upgrade by a killed
// plain helm (no operation running) is another client's: up waits and
// stops; with --take-over-pending it is rolled back, and up deploys.
func TestUpRecoversPendingRelease(t *testing.T) {
	r := newUpRig(t, "up-pending")
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	r.up(ctx, t)
	hung := r.hangUpgrade(ctx, t)
	_ = hung.Process.Kill() // as a closed laptop or kill -9 would
	_ = hung.Wait()
	out, code := r.run(ctx, t, "up", "--skip-build", "--env-file", r.envFile, "--timeout", "5s")
	if code == 0 {
		t.Errorf("up took over another client's pending release without --take-over-pending")
	}
	mustContain(t, out, "still pending-upgrade", "--take-over-pending")
	out = r.up(ctx, t, "--take-over-pending")
	mustContain(t, out, "is pending-upgrade", "started by another client, taken over (--take-over-pending)", "release todo: deployed")
	if strings.Contains(out, "another operation") {
		t.Errorf("helm's lock surfaced")
	}
}

// TestUpRecoversItsOwnKilledRun: an up killed mid-deploy (kill -9 of it and
// its helm) leaves the release pending-upgrade; the next plain up knows that
// revision for its predecessor's, by the lease's mark, and rolls it back.
func TestUpRecoversItsOwnKilledRun(t *testing.T) {
	r := newUpRig(t, "up-killed")
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	r.up(ctx, t)
	first := start(ctx, t, r.cmd(ctx, "up", "--skip-build", "--env-file", r.envFile, "--timeout", "3m",
		"--set-string", `backend.podAnnotations.helm-todo\.test/unready=true`), "] deploy")
	cluster.Eventually(t, 2*time.Minute, "up's helm to mark the release pending-upgrade", func(ctx context.Context) (bool, string, error) {
		rel := r.status(ctx, t)
		return rel.Status == "pending-upgrade", rel.Status, nil
	})
	killTree(first.cmd.Process.Pid)
	<-first.exit
	if rel := r.status(ctx, t); rel.Status != "pending-upgrade" {
		t.Fatalf("after kill -9 the release is %+v, want pending-upgrade", rel)
	}
	out := r.up(ctx, t)
	mustContain(t, out, "is pending-upgrade (revision 2), left by an interrupted helm todo up; rolling it back", "release todo: deployed")
}

// killTree sends SIGKILL to pid and all its descendants (helm runs in a
// process group of its own), as a crash of the machine's session would.
func killTree(pid int) {
	_ = syscall.Kill(pid, syscall.SIGSTOP) // no new children meanwhile
	kids, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	for _, k := range strings.Fields(string(kids)) {
		if c, err := strconv.Atoi(k); err == nil {
			killTree(c)
		}
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
}
