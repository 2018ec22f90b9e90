// Package dev drives `helm todo dev` on the real node rig as a user would:
// start it, edit files, read its terminal, the cluster and the app through
// its port-forwards. `make node-test` runs it with HELM_TODO_NODE_KUBECONFIG
// set; without the rig it is skipped.
package dev

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/kubernetes"

	"github.com/helm-todo/helm-todo/internal/testsupport/noderig"
)

// Local ports of the dev tests (this suite's range on the shared machine).
const (
	frontendPort = 18241
	backendPort  = 18242
)

type rig struct {
	repo, app, ns, kubeconfig string
	env                       []string
	cs                        kubernetes.Interface
}

func newRig(t *testing.T) *rig {
	kc, cs := noderig.Client(t)
	wd, _ := os.Getwd()
	repo := filepath.Clean(filepath.Join(wd, "..", "..", ".."))
	r := &rig{repo: repo, app: t.TempDir(), ns: "dev-node-" + utilrand.String(5), kubeconfig: kc, cs: cs}
	// A Helm home of the test's own: Helm 4's deploy installs the
	// post-renderer plugin, which must not land in the user's plugin
	// directories (they come after os.Environ() in dev's env, so they win).
	home := t.TempDir()
	r.env = append(r.env,
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"),
		"HELM_PLUGINS="+filepath.Join(home, "data", "plugins"))
	// apps.sh env prints what real builds need here (the stand-in bases'
	// store, the wheelhouse index); serve starts the index unless it answers.
	out, err := exec.Command(filepath.Join(repo, "test/node/apps.sh"), "env").Output()
	if err != nil {
		t.Fatalf("test/node/apps.sh env: %v", err)
	}
	for _, l := range strings.Split(string(out), "\n") {
		// One export line may set several variables (paths without spaces).
		if kvs, ok := strings.CutPrefix(strings.TrimSpace(l), "export "); ok {
			for _, kv := range strings.Fields(kvs) {
				r.env = append(r.env, strings.ReplaceAll(kv, "'", ""))
			}
		}
	}
	// Stop the index afterwards when this test started it: left running, it
	// holds 127.0.0.1:3141, which the next image-test needs free.
	if c := exec.Command("curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:3141/simple/"); c.Run() != nil {
		t.Cleanup(func() { _ = exec.Command(filepath.Join(repo, "test/node/apps.sh"), "stop").Run() })
	}
	if out, err := exec.Command(filepath.Join(repo, "test/node/apps.sh"), "serve").CombinedOutput(); err != nil {
		t.Fatalf("test/node/apps.sh serve: %v\n%s", err, out)
	}
	for _, d := range []string{"todo-backend", "todo-frontend"} {
		if err := os.CopyFS(filepath.Join(r.app, d), os.DirFS(filepath.Join(repo, "examples", d))); err != nil {
			t.Fatal(err)
		}
	}
	write(t, filepath.Join(r.app, "helm-todo.yaml"), "backend:\n  context: todo-backend\nfrontend:\n  context: todo-frontend\nvaluesFiles: [stand-in-values.yaml]\nbuild:\n  builder: buildah\n")
	write(t, filepath.Join(r.app, "stand-in-values.yaml"), "database:\n  image:\n    tag: \"15\"\n")
	write(t, filepath.Join(r.app, ".env"), fmt.Sprintf("OPENROUTER_API_KEY=%s\nBETTER_AUTH_SECRET=%s\nVAPID_PRIVATE_KEY=%s\nVAPID_PUBLIC_KEY=%s\n",
		utilrand.String(16), utilrand.String(16), utilrand.String(16), utilrand.String(16)))
	// The rig's few static volumes are shared; PostgreSQL gets its own.
	pvDir := t.TempDir()
	if err := os.Chmod(pvDir, 0o777); err != nil {
		t.Fatal(err)
	}
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: r.ns},
		Spec: corev1.PersistentVolumeSpec{
			AccessModes:                   []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")},
			ClaimRef:                      &corev1.ObjectReference{Namespace: r.ns, Name: "data-todo-postgres-0"},
			PersistentVolumeSource:        corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: pvDir}},
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
		},
	}
	if _, err := cs.CoreV1().PersistentVolumes().Create(t.Context(), pv, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cs.CoreV1().Namespaces().Delete(context.Background(), r.ns, metav1.DeleteOptions{})
		_ = cs.CoreV1().PersistentVolumes().Delete(context.Background(), r.ns, metav1.DeleteOptions{})
	})
	return r
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// session is one running `helm todo dev` and its terminal.
type session struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  []string
	done chan error
}

func (r *rig) dev(t *testing.T, args ...string) *session {
	t.Helper()
	helm := os.Getenv("HELM_TODO_NODE_HELM")
	if helm == "" {
		helm = filepath.Join(r.repo, ".tools/helm4/helm")
	}
	cmd := exec.Command(filepath.Join(r.repo, "bin/helm-todo"), append([]string{"dev", "-n", r.ns, "--pull", "never", "--debounce", "500ms",
		"--frontend-port", fmt.Sprint(frontendPort), "--backend-port", fmt.Sprint(backendPort)}, args...)...)
	cmd.Dir = r.app
	// BUILDAH_LAYERS: buildah keeps no layer cache by default, and the
	// loop is only quick with the dependency layers cached.
	cmd.Env = append(append(os.Environ(), r.env...), "KUBECONFIG="+r.kubeconfig, "HELM_BIN="+helm, "HELM_PLUGIN_DIR="+r.repo, "BUILDAH_LAYERS=true")
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	s := &session{cmd: cmd, done: make(chan error, 1)}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start helm todo dev: %v; run `make build`", err)
	}
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			s.mu.Lock()
			s.out = append(s.out, sc.Text())
			s.mu.Unlock()
		}
	}()
	go func() { err := cmd.Wait(); pw.Close(); s.done <- err }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Signal(syscall.SIGINT)
			select {
			case <-s.done:
			case <-time.After(2 * time.Minute):
				cmd.Process.Kill()
			}
		}
		t.Logf("helm todo dev said:\n%s", s.text(0))
	})
	return s
}

func (s *session) lines() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.out)
}

// text is the terminal from line `from` on.
func (s *session) text(from int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if from > len(s.out) {
		return ""
	}
	return strings.Join(s.out[from:], "\n")
}

// await waits for a line containing want, at or after line from.
func (s *session) await(t *testing.T, from int, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !strings.Contains(s.text(from), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q within %s; dev said since:\n%s", want, within, s.text(from))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (r *rig) podUIDs(t *testing.T, component string) map[string]bool {
	t.Helper()
	pods, err := r.cs.CoreV1().Pods(r.ns).List(t.Context(), metav1.ListOptions{LabelSelector: "app.kubernetes.io/component=" + component})
	if err != nil {
		t.Fatal(err)
	}
	uids := map[string]bool{}
	for _, p := range pods.Items {
		if p.DeletionTimestamp == nil {
			uids[string(p.UID)] = true
		}
	}
	return uids
}

func get(port int, path string) (string, error) {
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return string(b), fmt.Errorf("status %d", resp.StatusCode)
	}
	return string(b), err
}

func answers(t *testing.T, port int, path, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		body, err := get(port, path)
		if err == nil && strings.Contains(body, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("127.0.0.1:%d%s: %q, %v; want %q within %s", port, path, body, err, want, within)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func setHealth(t *testing.T, app, rev string) {
	t.Helper()
	main := filepath.Join(app, "todo-backend/src/main.py")
	src, err := os.ReadFile(main)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	for i, l := range lines {
		if strings.Contains(l, `return {"status": "ok"`) {
			lines[i] = fmt.Sprintf(`    return {"status": "ok", "rev": %q}`, rev)
		}
	}
	write(t, main, strings.Join(lines, "\n"))
}

func count(text, sub string) int { return strings.Count(text, sub) }

// TestDevLoop is the whole user story on real pods, in order.
func TestDevLoop(t *testing.T) {
	r := newRig(t)
	s := r.dev(t)
	s.await(t, 0, "dev: watching", 20*time.Minute)
	s.await(t, 0, fmt.Sprintf("dev: frontend at http://127.0.0.1:%d", frontendPort), time.Minute)
	s.await(t, 0, "dev: live update on", time.Second)
	answers(t, backendPort, "/health", `"ok"`, 2*time.Minute)
	answers(t, frontendPort, "/", "", 2*time.Minute)
	r.restricted(t, "before any live update")

	// A backend code edit: a live update, no build, the same pods on the
	// same image, the new code through the port-forward, still restricted.
	fe, be, img := r.podUIDs(t, "frontend"), r.podUIDs(t, "backend"), r.images(t, "backend")
	mark := s.lines()
	// Every edit names this run's namespace: the buildah store outlives
	// runs (.tools), and an edit a run made before already has its tag.
	setHealth(t, r.app, "edit-1-"+r.ns)
	s.await(t, mark, "dev: live update done", 2*time.Minute)
	answers(t, backendPort, "/health", "edit-1-"+r.ns, time.Minute)
	out := s.text(mark)
	if !strings.Contains(out, "live update of the backend (no image build)") || count(out, ": building") != 0 || count(out, "dev: cycle") != 0 {
		t.Errorf("a code edit was not a live update alone:\n%s", out)
	}
	if got := r.podUIDs(t, "backend"); fmt.Sprint(got) != fmt.Sprint(be) {
		t.Errorf("backend pods %v → %v: a live update must not replace them", be, got)
	}
	if got := r.images(t, "backend"); got != img {
		t.Errorf("backend image %s → %s: a live update builds none", img, got)
	}
	if got := r.podUIDs(t, "frontend"); fmt.Sprint(got) != fmt.Sprint(fe) {
		t.Errorf("frontend pods %v → %v: a backend edit must not touch them", fe, got)
	}
	r.restricted(t, "after a live update")

	// An ignored file does nothing; a same-content save after it shows
	// that the watcher had its chance.
	mark = s.lines()
	write(t, filepath.Join(r.app, "todo-backend/src/__pycache__/x.pyc"), "ignored")
	main := filepath.Join(r.app, "todo-backend/src/main.py")
	src, _ := os.ReadFile(main)
	write(t, main, string(src))
	s.await(t, mark, "saved with the same content: nothing to do", time.Minute)
	if out := s.text(mark); strings.Contains(out, "x.pyc") || strings.Contains(out, "changed:") {
		t.Errorf("an ignored file made something happen:\n%s", out)
	}

	// Ten saves in a burst: one live update.
	mark = s.lines()
	for i := range 10 {
		setHealth(t, r.app, fmt.Sprintf("burst-%d-%s", i, r.ns))
	}
	answers(t, backendPort, "/health", "burst-9-"+r.ns, 2*time.Minute)
	if n := count(s.text(mark), "dev: live update done"); n != 1 {
		t.Errorf("ten saves made %d live updates, want 1:\n%s", n, s.text(mark))
	}

	// Code that does not compile: the pods refuse it and keep serving the
	// last good code; the fix goes live.
	mark = s.lines()
	good, _ := os.ReadFile(main)
	write(t, main, string(good)+"\ndef broken(:\n")
	s.await(t, mark, "dev: live update refused", 2*time.Minute)
	if out := s.text(mark); !strings.Contains(out, "main.py") || !strings.Contains(out, "SyntaxError") {
		t.Errorf("the refusal does not name main.py's SyntaxError:\n%s", out)
	}
	answers(t, backendPort, "/health", "burst-9-"+r.ns, 10*time.Second)
	mark = s.lines()
	write(t, main, string(good)+"\n# fixed\n")
	s.await(t, mark, "dev: live update done", 2*time.Minute)

	// A backend pod replaced while dev runs starts with the synced code:
	// its init container seeded dev's snapshot.
	for _, p := range r.pods(t, "backend") {
		if err := r.cs.CoreV1().Pods(r.ns).Delete(t.Context(), p.Name, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	fresh := r.readyPods(t, "backend", 3*time.Minute)
	for _, p := range fresh {
		if be[string(p.UID)] {
			t.Fatalf("pod %s survived its deletion", p.Name)
		}
		if msg := seedMessage(p); !strings.HasPrefix(msg, "seeded ") || msg == "seeded image" {
			t.Errorf("new pod %s seeded %q, want dev's snapshot", p.Name, msg)
		}
	}
	answers(t, backendPort, "/health", "burst-9-"+r.ns, time.Minute)

	// A change outside src/ needs a build, and dev says which file; the
	// code edited in the same save comes with the new image, whose pods
	// neither seed nor receive the older snapshot.
	mark = s.lines()
	ini := filepath.Join(r.app, "todo-backend/alembic.ini")
	iniSrc, _ := os.ReadFile(ini)
	write(t, ini, string(iniSrc)+"\n# "+r.ns+"\n")
	setHealth(t, r.app, "rebuilt-"+r.ns)
	s.await(t, mark, "dev: cycle 2 done", 10*time.Minute)
	out = s.text(mark)
	if !strings.Contains(out, "rebuild backend (alembic.ini is not under src/") || count(out, "backend: building") != 1 {
		t.Errorf("alembic.ini: want one backend build, naming alembic.ini:\n%s", out)
	}
	if strings.Contains(out, "live update: new pod") {
		t.Errorf("the old snapshot went into a pod of the new image:\n%s", out)
	}
	answers(t, backendPort, "/health", "rebuilt-"+r.ns, time.Minute)
	for _, p := range r.readyPods(t, "backend", time.Minute) {
		if msg := seedMessage(p); msg != "seeded image" {
			t.Errorf("pod %s of the new image seeded %q, want its own code (seeded image)", p.Name, msg)
		}
	}

	// The frontend pod killed: the port-forward follows its replacement.
	for _, p := range r.pods(t, "frontend") {
		if err := r.cs.CoreV1().Pods(r.ns).Delete(t.Context(), p.Name, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	answers(t, frontendPort, "/", "", 3*time.Minute)

	r.envFileChange(t, s, "rebuilt-"+r.ns)

	// One more live update, then Ctrl-C: the final build makes the image
	// of the tree and deploys it as up would; the app stays, the down
	// line, no port left listening.
	mark = s.lines()
	setHealth(t, r.app, "final-"+r.ns)
	s.await(t, mark, "dev: live update done", 2*time.Minute)
	answers(t, backendPort, "/health", "final-"+r.ns, time.Minute)
	mark = s.lines()
	s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-s.done:
		// exit 130, as up and any command stopped by Ctrl-C
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
			t.Errorf("dev after Ctrl-C: %v, want exit 130", err)
		}
	case <-time.After(10 * time.Minute):
		t.Fatal("dev did not stop within 10 minutes of Ctrl-C")
	}
	out = s.text(mark)
	if !strings.Contains(out, "dev: final build") || count(out, "backend: building") != 1 || !strings.Contains(out, "helm todo down -n "+r.ns) {
		t.Errorf("after Ctrl-C: want the final build (one backend build) and the down line:\n%s", out)
	}
	for _, p := range []int{frontendPort, backendPort} {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			t.Errorf("port %d still taken after dev stopped: %v", p, err)
		} else {
			ln.Close()
		}
	}
	r.asUpDeploys(t, "final-"+r.ns)

	// dev again: the image exists (no build), live-update mode again.
	again := r.dev(t)
	again.await(t, 0, "dev: watching", 10*time.Minute)
	if n := count(again.text(0), ": building"); n != 0 {
		t.Errorf("dev again built %d images, want none", n)
	}
	answers(t, backendPort, "/health", "final-"+r.ns, time.Minute)
}
