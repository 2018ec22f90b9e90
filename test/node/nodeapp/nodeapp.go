// Package nodeapp deploys the example todo app on the real node rig the way
// a user does, with the real `helm todo up` (bin/helm-todo, buildah on the
// stand-in bases of test/node/apps.sh, the registry the rig advertises). The
// suites under test/node (app, netpol) share it.
package nodeapp

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
)

// Release is up's default release name.
const Release = "todo"

// Repo is the repository's root.
func Repo() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", ".."))
}

// BuilderEnv readies what the builds need, with test/node/apps.sh: the
// stand-in bases in its buildah store (kept between runs, so built images
// and their layers are reused), the postgres stand-in in the node's
// containerd, and the wheelhouse index on 127.0.0.1:3141, reused when one
// already answers. It returns the environment `helm todo up --builder
// buildah` runs with, and stop, which stops the index when this call
// started it (left running, it holds the port the next image-test needs).
func BuilderEnv() (env []string, stop func(), err error) {
	apps := filepath.Join(Repo(), "test", "node", "apps.sh")
	out, err := exec.Command(apps, "env").Output()
	if err != nil {
		return nil, nil, fmt.Errorf("test/node/apps.sh env: %v", err)
	}
	for _, f := range strings.Fields(string(out)) {
		if f != "export" {
			env = append(env, strings.ReplaceAll(f, "'", ""))
		}
	}
	stop = func() {}
	if !IndexAnswers() {
		stop = func() { _ = run(apps, "stop") }
	}
	if err := run(apps, "serve"); err != nil {
		return nil, nil, fmt.Errorf("test/node/apps.sh serve: %v", err)
	}
	return env, stop, nil
}

// IndexAnswers: the wheelhouse index the backend's pip needs is up.
func IndexAnswers() bool {
	return exec.Command("curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:3141/simple/").Run() == nil
}

func run(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}

// CopyExamples puts examples/todo-backend and examples/todo-frontend into
// dir/backend and dir/frontend, the project layout up finds by itself.
func CopyExamples(t testing.TB, dir string) {
	t.Helper()
	for _, name := range []string{"backend", "frontend"} {
		src := filepath.Join(Repo(), "examples", "todo-"+name)
		dst := filepath.Join(dir, name)
		if err := os.MkdirAll(dst, 0o755); err != nil {
			t.Fatal(err)
		}
		// tar, not os.CopyFS: a developer's node_modules or .next must
		// not enter the build context (the .dockerignore would drop them,
		// but the copy would be slow).
		cmd := exec.Command("sh", "-c", `tar -C "$1" --exclude=node_modules --exclude=.next --exclude=__pycache__ -cf - . | tar -C "$2" -xf -`,
			"sh", src, dst)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("copy %s: %v\n%s", src, err, out)
		}
	}
}

// HelmEnv is a Helm home of the test's own under home: Helm 4's deploy
// installs the post-renderer plugin, which must not land in the user's.
func HelmEnv(home, kubeconfig string) []string {
	return []string{
		"KUBECONFIG=" + kubeconfig,
		"HELM_CACHE_HOME=" + filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME=" + filepath.Join(home, "config"),
		"HELM_DATA_HOME=" + filepath.Join(home, "data"),
		"HELM_PLUGINS=" + filepath.Join(home, "data", "plugins"),
	}
}

// FilteredEnv is the test's environment without what would point helm or
// kubectl elsewhere.
func FilteredEnv() []string {
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

// UpArgs is the real flow: buildah builds (up keeps its layer cache on, so
// a one-file change rebuilds only the layers after it), no --registry, the
// postgres:15 stand-in apps.sh put on the node (the chart's postgres:16 is
// on Docker Hub, which this machine cannot reach). nodePort: see
// SharedLoadBalancer.
func UpArgs(envFile string, nodePort bool, extra ...string) []string {
	args := []string{"up", "--builder", "buildah", "--pull", "never",
		"--env-file", envFile, "--timeout", "4m", "--debug",
		"--set-string", "database.image.tag=15"}
	if nodePort {
		args = append(args, "--set", "frontend.service.type=NodePort")
	}
	return append(args, extra...)
}

// SharedLoadBalancer: the rig gives every LoadBalancer Service the node's
// IP, so two frontends on port 3000 (the lead's `make demo` beside this
// test, say) share one address and kube-proxy sends it to either. Then
// this release's frontend is a NodePort Service, whose URL up prints too.
func SharedLoadBalancer(t testing.TB, c kubernetes.Interface) bool {
	t.Helper()
	svcs, err := c.CoreV1().Services("").List(context.Background(), metav1.ListOptions{})
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

// DeleteNamespace deletes ns, waits until it is gone and gives its
// PostgreSQL volume back to the rig.
func DeleteNamespace(ctx context.Context, t testing.TB, c kubernetes.Interface, ns string) {
	t.Helper()
	err := c.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Errorf("delete namespace %s: %v", ns, err)
		return
	}
	err = wait.PollUntilContextCancel(ctx, time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := c.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	if err != nil {
		t.Errorf("namespace %s not gone: %v", ns, err)
		return
	}
	RecycleVolumes(ctx, t, c, ns)
}

// RecycleVolumes empties the hostPath of every volume a claim in ns held
// and makes it Available again, as the rig made it: the rig's
// PersistentVolumes are hostPath with Retain, so a released one would stay
// unusable (and hold this run's data) until the rig restarts.
func RecycleVolumes(ctx context.Context, t testing.TB, c kubernetes.Interface, ns string) {
	t.Helper()
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

// Run runs bin (helm-todo) in dir with args plus -n ns and env after the
// filtered environment; it returns the combined output and exit code.
func Run(ctx context.Context, t testing.TB, bin, dir, ns string, env []string, args ...string) (string, int, time.Duration) {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, append(args, "-n", ns)...)
	cmd.Dir = dir
	cmd.Env = append(FilteredEnv(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("run helm-todo %v: %v", args, err)
		}
		code = ee.ExitCode()
	}
	t.Logf("$ helm-todo %s  (exit %d, %.1fs)\n%s", strings.Join(args, " "), code, took.Seconds(), out.String())
	return out.String(), code, took
}
