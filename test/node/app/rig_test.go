// Package app proves the todo app on running pods: the real
// `helm todo up` (built binary, real Helm 4 and Helm 3, buildah building the
// example apps on the stand-in bases, the images pushed to the registry the
// cluster advertises, the chart's in-cluster PostgreSQL) against the real
// node rig of test/node. Every assertion reads the API server, the registry,
// the builder's store or the app itself; up's own output is read only where
// it must show the real texts of a fault, and those texts are read from the
// API server too. `make node-test` runs it; without the rig it is skipped.
package app

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/helm-todo/helm-todo/internal/testsupport/noderig"
)

// EnvKubeconfig is what `make node-test` sets to the rig's kubeconfig.
const EnvKubeconfig = noderig.EnvKubeconfig

const release = "todo" // up's default release name

// canary stands for every secret value: it must reach the backend's
// environment and nowhere else.
const canary = "CANARY-node-5e0b2f"

// envFile has no DATABASE_URL: up deploys the chart's PostgreSQL.
const envFile = "OPENROUTER_API_KEY=" + canary + "-or\n" +
	"BETTER_AUTH_SECRET=" + canary + "-auth\n" +
	"VAPID_PRIVATE_KEY=" + canary + "-vpriv\n" +
	"VAPID_PUBLIC_KEY=" + canary + "-vpub\n"

// node is what every test shares: the rig and the builder's environment.
type node struct {
	c          kubernetes.Interface
	kubeconfig string
	repo       string
	bin        string
	builderEnv []string
	// registry is the advertised host up pushes to.
	registry string
}

func repoRoot(t *testing.T) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the package source")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", ".."))
}

func setupNode(t *testing.T) *node {
	t.Helper()
	kc, c := noderig.Client(t)
	repo := repoRoot(t)
	n := &node{c: c, kubeconfig: kc, repo: repo, bin: filepath.Join(repo, "bin", "helm-todo")}
	if _, err := os.Stat(n.bin); err != nil {
		t.Fatalf("%s: %v; run `make build`", n.bin, err)
	}
	n.builderEnv = builderEnv
	if !indexAnswers() {
		t.Fatalf("no package index on 127.0.0.1:3141: the backend's pip needs it; run test/node/apps.sh serve (TestMain does)")
	}
	n.registry = advertisedRegistry(t, c)
	return n
}

// advertisedRegistry reads KEP-1755's ConfigMap, as Tilt and Skaffold do.
func advertisedRegistry(t *testing.T, c kubernetes.Interface) string {
	t.Helper()
	cm, err := c.CoreV1().ConfigMaps("kube-public").Get(t.Context(), "local-registry-hosting", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the rig advertises no registry: %v", err)
	}
	var v struct {
		Host string `json:"host"`
	}
	if err := yaml.Unmarshal([]byte(cm.Data["localRegistryHosting.v1"]), &v); err != nil || v.Host == "" {
		t.Fatalf("local-registry-hosting names no host (%v): %q", err, cm.Data)
	}
	return v.Host
}

// app is one release of the app in its own namespace, deployed by up with
// one Helm.
type app struct {
	*node
	t       *testing.T
	helm    string // the helm binary
	helmEnv []string
	ns      string
	dir     string // the project: backend/ and frontend/ copied from examples/
	outputs []string
	// nodePort: another release's LoadBalancer holds the address and port
	// the rig would give this one's (see sharedLoadBalancer).
	nodePort bool
}

func newApp(t *testing.T, n *node, helm string) *app {
	t.Helper()
	a := &app{node: n, t: t, helm: helm, dir: t.TempDir(),
		ns: "app-" + filepath.Base(filepath.Dir(helm)) + "-" + utilrand.String(5)}
	home := t.TempDir()
	a.helmEnv = []string{
		"KUBECONFIG=" + n.kubeconfig,
		"HELM_CACHE_HOME=" + filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME=" + filepath.Join(home, "config"),
		"HELM_DATA_HOME=" + filepath.Join(home, "data"),
		"HELM_PLUGINS=" + filepath.Join(home, "data", "plugins"),
	}
	for _, name := range []string{"backend", "frontend"} {
		src := filepath.Join(n.repo, "examples", "todo-"+name)
		// tar, not os.CopyFS: a developer's node_modules or .next must
		// not enter the build context (the .dockerignore would drop them,
		// but the copy would be slow).
		cmd := exec.Command("sh", "-c", `tar -C "$1" --exclude=node_modules --exclude=.next --exclude=__pycache__ -cf - . | tar -C "$2" -xf -`,
			"sh", src, mkdir(t, filepath.Join(a.dir, name)))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("copy %s: %v\n%s", src, err, out)
		}
	}
	if err := os.WriteFile(filepath.Join(a.dir, ".env"), []byte(envFile), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.cleanup() })
	a.nodePort = sharedLoadBalancer(t, n.c)
	return a
}

// sharedLoadBalancer: the rig gives every LoadBalancer Service the node's
// IP, so two frontends on port 3000 (the lead's `make demo` beside this
// test, say) share one address and kube-proxy sends it to either. Then
// this release's frontend is a NodePort Service, whose URL up prints too.
func sharedLoadBalancer(t *testing.T, c kubernetes.Interface) bool {
	t.Helper()
	svcs, err := c.CoreV1().Services("").List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range svcs.Items {
		if s.Spec.Type != corev1.ServiceTypeLoadBalancer {
			continue
		}
		for _, p := range s.Spec.Ports {
			if p.Port == 3000 {
				t.Logf("LoadBalancer %s/%s already serves port 3000 on the rig's one address: the frontend here is a NodePort", s.Namespace, s.Name)
				return true
			}
		}
	}
	return false
}

func mkdir(t *testing.T, d string) string {
	t.Helper()
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// cleanup deletes the namespace and gives its PostgreSQL volume back to
// the rig: the rig's PersistentVolumes are hostPath with Retain, so a
// released one would stay unusable (and hold this run's data) until the
// rig restarts.
func (a *app) cleanup() {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if os.Getenv("APP_TEST_KEEP") != "" {
		a.t.Logf("APP_TEST_KEEP: namespace %s kept", a.ns)
		return
	}
	err := a.c.CoreV1().Namespaces().Delete(ctx, a.ns, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		a.t.Errorf("delete namespace %s: %v", a.ns, err)
		return
	}
	err = wait.PollUntilContextCancel(ctx, time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := a.c.CoreV1().Namespaces().Get(ctx, a.ns, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	if err != nil {
		a.t.Errorf("namespace %s not gone: %v", a.ns, err)
		return
	}
	recycleVolumes(ctx, a.t, a.c, a.ns)
}

// recycleVolumes empties the hostPath of every volume a claim in ns held
// and makes it Available again, as the rig made it.
func recycleVolumes(ctx context.Context, t *testing.T, c kubernetes.Interface, ns string) {
	pvs, err := c.CoreV1().PersistentVolumes().List(ctx, metav1.ListOptions{LabelSelector: "helm-todo.test/volume=true"})
	if err != nil {
		t.Errorf("list volumes: %v", err)
		return
	}
	for _, pv := range pvs.Items {
		if pv.Spec.ClaimRef == nil || pv.Spec.ClaimRef.Namespace != ns || pv.Spec.HostPath == nil {
			continue
		}
		// Wait for the binder to see the claim gone (Released).
		_ = wait.PollUntilContextTimeout(ctx, time.Second, time.Minute, true, func(ctx context.Context) (bool, error) {
			p, err := c.CoreV1().PersistentVolumes().Get(ctx, pv.Name, metav1.GetOptions{})
			return err == nil && p.Status.Phase != corev1.VolumeBound, nil
		})
		entries, _ := os.ReadDir(pv.Spec.HostPath.Path)
		for _, e := range entries {
			if err := os.RemoveAll(filepath.Join(pv.Spec.HostPath.Path, e.Name())); err != nil {
				t.Errorf("empty volume %s: %v", pv.Name, err)
			}
		}
		patch := []byte(`[{"op":"remove","path":"/spec/claimRef"}]`)
		if _, err := c.CoreV1().PersistentVolumes().Patch(ctx, pv.Name, "application/json-patch+json", patch, metav1.PatchOptions{}); err != nil {
			t.Errorf("release volume %s: %v", pv.Name, err)
		}
	}
}

// upResult is one run of helm-todo.
type upResult struct {
	out  string
	code int
	took time.Duration
}

// run runs helm-todo in the project with args plus -n.
func (a *app) run(ctx context.Context, args ...string) upResult {
	a.t.Helper()
	cmd := exec.CommandContext(ctx, a.bin, append(args, "-n", a.ns)...)
	cmd.Dir = a.dir
	cmd.Env = append(append(append(filteredEnv(), a.helmEnv...), a.builderEnv...),
		"HELM_BIN="+a.helm, "HELM_PLUGIN_DIR="+a.repo)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	r := upResult{out: out.String(), took: time.Since(start)}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			a.t.Fatalf("run helm-todo %v: %v", args, err)
		}
		r.code = ee.ExitCode()
	}
	a.t.Logf("$ helm-todo %s  (exit %d, %.1fs)\n%s", strings.Join(args, " "), r.code, r.took.Seconds(), r.out)
	a.outputs = append(a.outputs, r.out)
	return r
}

// filteredEnv is the test's environment without what would point helm or
// kubectl elsewhere.
func filteredEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "HELM_") || k == "KUBECONFIG" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// upArgs is the real flow: buildah builds (up keeps its layer cache on, so
// a one-file change rebuilds only the layers after it), no --registry, the postgres:15
// stand-in apps.sh put on the node (the chart's postgres:16 is on Docker
// Hub, which this machine cannot reach).
func (a *app) upArgs(extra ...string) []string {
	return append([]string{"up", "--builder", "buildah", "--pull", "never",
		"--env-file", filepath.Join(a.dir, ".env"), "--timeout", "4m", "--debug",
		"--set-string", "database.image.tag=15"}, a.extraArgs(extra)...)
}

func (a *app) extraArgs(extra []string) []string {
	if a.nodePort {
		extra = append([]string{"--set", "frontend.service.type=NodePort"}, extra...)
	}
	return extra
}

// up runs a successful up and returns the URL it printed.
func (a *app) up(ctx context.Context, extra ...string) (upResult, string) {
	a.t.Helper()
	r := a.run(ctx, a.upArgs(extra...)...)
	if r.code != 0 {
		a.t.Fatalf("helm todo up exited %d", r.code)
	}
	return r, frontendURL(a.t, r.out)
}

var urlLine = regexp.MustCompile(`(?m)^\s*frontend URL: (\S+)`)

func frontendURL(t *testing.T, out string) string {
	t.Helper()
	m := urlLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("up printed no frontend URL")
	}
	return m[1]
}

var forwardHint = regexp.MustCompile(`kubectl port-forward -n (\S+) (\S+) (\d+):(\d+)`)

// reach makes the URL up printed answer from this machine: as printed when
// it does, else through the `kubectl port-forward` up said to run first,
// on a free local port (the printed one may be taken on a shared machine).
func (a *app) reach(ctx context.Context, out, url string) string {
	a.t.Helper()
	m := forwardHint.FindStringSubmatch(out)
	if m == nil {
		if answers(ctx, url) {
			return url
		}
		// Recorded as a failure; the rest of the story goes on through the
		// port-forward the chart's NOTES give.
		a.t.Errorf("the URL up printed, %s, does not answer from this machine (and up gave no port-forward line)", url)
		m = []string{"", a.ns, "svc/" + release + "-frontend", "3000", "3000"}
		url = "http://localhost:3000"
	}
	pctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(pctx, "kubectl", "--kubeconfig", a.kubeconfig, "port-forward", "-n", m[1], m[2], ":"+m[4])
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		a.t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		a.t.Fatal(err)
	}
	a.t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	local := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			// "Forwarding from 127.0.0.1:NNNNN -> 3000"
			if f := strings.Fields(sc.Text()); len(f) >= 3 && f[0] == "Forwarding" && strings.HasPrefix(f[2], "127.0.0.1:") {
				select {
				case local <- f[2]:
				default:
				}
			}
		}
	}()
	select {
	case hp := <-local:
		return strings.Replace(url, "localhost:"+m[3], hp, 1)
	case <-time.After(30 * time.Second):
		a.t.Fatalf("kubectl port-forward (as up said to run) did not start")
	case <-ctx.Done():
		a.t.Fatal(ctx.Err())
	}
	return ""
}

// answers: GET url/ gives any HTTP answer within 20 s.
func answers(ctx context.Context, url string) bool {
	err := wait.PollUntilContextTimeout(ctx, time.Second, 20*time.Second, true, func(ctx context.Context) (bool, error) {
		rctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(rctx, http.MethodGet, url+"/", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false, nil
		}
		resp.Body.Close()
		return true, nil
	})
	return err == nil
}

// kubectl runs kubectl against the rig and returns stdout.
func (a *app) kubectl(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "kubectl", append([]string{"--kubeconfig", a.kubeconfig, "-n", a.ns}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.String(), fmt.Errorf("kubectl %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}
