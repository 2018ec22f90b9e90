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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/helm-todo/helm-todo/internal/testsupport/noderig"
	"github.com/helm-todo/helm-todo/test/node/nodeapp"
)

// EnvKubeconfig is what `make node-test` sets to the rig's kubeconfig.
const EnvKubeconfig = noderig.EnvKubeconfig

const release = nodeapp.Release

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
	if !nodeapp.IndexAnswers() {
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
	// the rig would give this one's (nodeapp.SharedLoadBalancer).
	nodePort bool
}

func newApp(t *testing.T, n *node, helm string) *app {
	t.Helper()
	a := &app{node: n, t: t, helm: helm, dir: t.TempDir(),
		ns: "app-" + filepath.Base(filepath.Dir(helm)) + "-" + utilrand.String(5)}
	home := t.TempDir()
	a.helmEnv = nodeapp.HelmEnv(home, n.kubeconfig)
	nodeapp.CopyExamples(t, a.dir)
	if err := os.WriteFile(filepath.Join(a.dir, ".env"), []byte(envFile), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.cleanup() })
	a.nodePort = nodeapp.SharedLoadBalancer(t, n.c)
	return a
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
	nodeapp.DeleteNamespace(ctx, a.t, a.c, a.ns)
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
	env := append(append(append([]string{}, a.helmEnv...), a.builderEnv...), "HELM_BIN="+a.helm, "HELM_PLUGIN_DIR="+a.repo)
	out, code, took := nodeapp.Run(ctx, a.t, a.bin, a.dir, a.ns, env, args...)
	r := upResult{out: out, code: code, took: took}
	a.outputs = append(a.outputs, r.out)
	return r
}

func (a *app) upArgs(extra ...string) []string {
	return nodeapp.UpArgs(filepath.Join(a.dir, ".env"), a.nodePort, extra...)
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
