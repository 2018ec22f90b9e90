// Package cluster gives end-to-end tests the test cluster that `make e2e`
// starts (test/cluster/cluster.sh): a kubeconfig, a clientset, the Helm
// binary under test, and per-test namespaces and Helm homes.
//
// Outside `make e2e` the variables below are unset and every test that asks
// for the cluster is skipped, so plain `go test ./...` needs no cluster.
package cluster

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/helm-todo/helm-todo/internal/helmbin"
)

// The variables `make e2e` sets.
const (
	EnvKubeconfig = "HELM_TODO_E2E_KUBECONFIG"
	EnvHelm       = "HELM_TODO_E2E_HELM"
)

// Cluster is the running test cluster.
type Cluster struct {
	Kubeconfig string
	Config     *rest.Config
	Client     kubernetes.Interface
	Dynamic    dynamic.Interface
	// HelmBin is the Helm under test (absolute path); HelmMajor is 3 or 4.
	HelmBin   string
	HelmMajor int
}

// FromEnv returns the cluster `make e2e` started, or skips the test when
// there is none.
func FromEnv(t testing.TB) *Cluster {
	t.Helper()
	kc := os.Getenv(EnvKubeconfig)
	if kc == "" {
		t.Skipf("no test cluster: %s is unset; run `make e2e`", EnvKubeconfig)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", kc)
	if err != nil {
		t.Fatalf("load %s=%s: %v; run `make cluster-up` or `make e2e`", EnvKubeconfig, kc, err)
	}
	cfg.QPS, cfg.Burst = 50, 100
	c := &Cluster{Kubeconfig: kc, Config: cfg}
	if c.Client, err = kubernetes.NewForConfig(cfg); err != nil {
		t.Fatalf("clientset for %s: %v", kc, err)
	}
	if c.Dynamic, err = dynamic.NewForConfig(cfg); err != nil {
		t.Fatalf("dynamic client for %s: %v", kc, err)
	}
	if _, err := c.Client.Discovery().ServerVersion(); err != nil {
		t.Fatalf("test cluster at %s does not answer: %v; run `make cluster-up`", kc, err)
	}
	c.HelmBin = os.Getenv(EnvHelm)
	if c.HelmBin == "" {
		c.HelmBin = "helm"
	}
	out, err := exec.Command(c.HelmBin, "version", "--template", "{{.Version}}").Output()
	if err != nil {
		t.Fatalf("%s version: %v; set %s to a helm binary", c.HelmBin, err, EnvHelm)
	}
	if c.HelmMajor, err = helmbin.ParseMajor(string(out)); err != nil {
		t.Fatal(err)
	}
	return c
}

// RepoRoot is the repository's top directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the cluster package source")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", ".."))
}

// Namespace creates a namespace named prefix-hN-<random> with the given
// labels, and deletes it when the test ends. Labels are set at creation, so
// a pod-security label is enforced from the first object on.
func (c *Cluster) Namespace(t testing.TB, prefix string, labels map[string]string) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		GenerateName: fmt.Sprintf("%s-h%d-", prefix, c.HelmMajor),
		Labels:       labels,
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got, err := c.Client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create namespace %s-*: %v", prefix, err)
	}
	t.Cleanup(func() {
		// Background: the namespace controller finishes on its own, and the
		// next test uses another namespace.
		err := c.Client.CoreV1().Namespaces().Delete(context.Background(), got.Name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("delete namespace %s: %v", got.Name, err)
		}
	})
	return got.Name
}

// Helm runs the Helm under test with Helm homes private to this test, so no
// repository, plugin or cache leaks between tests or from the machine.
type Helm struct {
	Bin   string
	Major int
	Env   []string
	t     testing.TB
}

// Helm returns a runner for the Helm under test with fresh HELM_CACHE_HOME,
// HELM_CONFIG_HOME and HELM_DATA_HOME (plugins live under the data home).
func (c *Cluster) Helm(t testing.TB) *Helm {
	t.Helper()
	home := t.TempDir()
	env := []string{
		"KUBECONFIG=" + c.Kubeconfig,
		"HELM_CACHE_HOME=" + filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME=" + filepath.Join(home, "config"),
		"HELM_DATA_HOME=" + filepath.Join(home, "data"),
		"HELM_PLUGINS=" + filepath.Join(home, "data", "plugins"),
	}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "HELM_") || k == "KUBECONFIG" {
			continue
		}
		env = append(env, kv)
	}
	return &Helm{Bin: c.HelmBin, Major: c.HelmMajor, Env: env, t: t}
}

// Getenv is the value of key in the environment helm runs with.
func (h *Helm) Getenv(key string) string {
	for _, kv := range h.Env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

// With returns a runner for the same Helm whose environment has kv
// (KEY=VALUE) in place of the keys' current values.
func (h *Helm) With(kv ...string) *Helm {
	c := *h
	c.Env = nil
	for _, old := range h.Env {
		k, _, _ := strings.Cut(old, "=")
		if !slices.ContainsFunc(kv, func(n string) bool { return strings.HasPrefix(n, k+"=") }) {
			c.Env = append(c.Env, old)
		}
	}
	c.Env = append(c.Env, kv...)
	return &c
}

// AtomicFlag is --atomic on Helm 3 and --rollback-on-failure on Helm 4.
func (h *Helm) AtomicFlag() string { return helmbin.AtomicFlag(h.Major) }

// Run runs helm with args and returns its combined output. The command line
// and output go to the test log either way.
func (h *Helm) Run(ctx context.Context, args ...string) (string, error) {
	h.t.Helper()
	return h.run(ctx, true, args...)
}

// Output runs helm like Run but keeps its output out of the test log unless
// it fails: for output that may carry secret values, such as
// `helm status -o json` or `helm get manifest`, whose hooks include Secrets.
func (h *Helm) Output(ctx context.Context, args ...string) (string, error) {
	h.t.Helper()
	return h.run(ctx, false, args...)
}

func (h *Helm) run(ctx context.Context, logOutput bool, args ...string) (string, error) {
	h.t.Helper()
	cmd := exec.CommandContext(ctx, h.Bin, args...)
	cmd.Env = h.Env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	shown := out.String()
	if !logOutput && err == nil {
		shown = fmt.Sprintf("(%d bytes of output, not logged)", out.Len())
	}
	h.t.Logf("$ helm %s  (%.1fs)\n%s", strings.Join(args, " "), time.Since(start).Seconds(), shown)
	if err != nil {
		return out.String(), fmt.Errorf("helm %s: %w", args[0], err)
	}
	return out.String(), nil
}

// MustRun is Run that fails the test on error.
func (h *Helm) MustRun(ctx context.Context, args ...string) string {
	h.t.Helper()
	out, err := h.Run(ctx, args...)
	if err != nil {
		h.t.Fatalf("%v\n%s", err, out)
	}
	return out
}

// Eventually polls cond every 250ms until it is true, fails the test naming
// what was awaited when timeout passes, and returns cond's last note. It is
// a deadline for a condition, not a speed assertion.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func(ctx context.Context) (done bool, note string, err error)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var note string
	err := wait.PollUntilContextCancel(ctx, 250*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		done, n, err := cond(ctx)
		note = n
		return done, err
	})
	if err != nil {
		t.Fatalf("waiting for %s: %v (last seen: %s)", what, err, note)
	}
}
