// Package netpol proves the chart's NetworkPolicies on the real node rig,
// whose kube-router enforces them: the app deployed as `helm todo up`
// deploys it, then every path it needs is tried and works, and every other
// path is tried twice: with the release's policies removed it connects (so
// a deny cannot pass for the wrong reason: a missing listener, a wrong
// address), with them back it fails. `make node-test` runs it; without the
// rig it is skipped.
package netpol

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/helm-todo/helm-todo/internal/testsupport/noderig"
	"github.com/helm-todo/helm-todo/test/node/nodeapp"
)

var builderEnv []string

func TestMain(m *testing.M) {
	if os.Getenv(noderig.EnvKubeconfig) == "" {
		os.Exit(m.Run()) // every test skips
	}
	code := func() int {
		env, stop, err := nodeapp.BuilderEnv()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer stop()
		builderEnv = env
		return m.Run()
	}()
	os.Exit(code)
}

// syncWithin bounds how long kube-router takes to apply a change of pods or
// policies (it syncs on every such event; seconds here).
const syncWithin = 90 * time.Second

type rig struct {
	t          *testing.T
	c          kubernetes.Interface
	kubeconfig string
	probe      string // the netprobe image, as the node pulls it
}

func newRig(t *testing.T) *rig {
	kc, c := noderig.Client(t)
	r := &rig{t: t, c: c, kubeconfig: kc}
	if _, err := os.Stat(filepath.Join(nodeapp.Repo(), "bin", "helm-todo")); err != nil {
		t.Fatalf("bin/helm-todo: %v; run `make build`", err)
	}
	r.probe = r.pushProbe()
	return r
}

// pushProbe builds images/netprobe and pushes it where the cluster says.
func (r *rig) pushProbe() string {
	cm, err := r.c.CoreV1().ConfigMaps("kube-public").Get(r.t.Context(), "local-registry-hosting", metav1.GetOptions{})
	if err != nil {
		r.t.Fatalf("the rig advertises no registry: %v", err)
	}
	var v struct {
		Host                     string `json:"host"`
		HostFromContainerRuntime string `json:"hostFromContainerRuntime"`
	}
	if err := yaml.Unmarshal([]byte(cm.Data["localRegistryHosting.v1"]), &v); err != nil || v.Host == "" {
		r.t.Fatalf("local-registry-hosting names no host (%v): %q", err, cm.Data)
	}
	cmd := exec.CommandContext(r.t.Context(), "./image.sh", "./images/netprobe", "1000:1000", "docker://"+v.Host+"/helm-todo/netprobe:node-test")
	cmd.Dir = filepath.Join(nodeapp.Repo(), "test", "node")
	if out, err := cmd.CombinedOutput(); err != nil {
		r.t.Fatalf("build and push netprobe: %v\n%s", err, out)
	}
	return v.HostFromContainerRuntime + "/helm-todo/netprobe:node-test"
}

// namespace makes a restricted namespace, deleted (with its volumes given
// back) when the test ends.
func (r *rig) namespace(prefix string) string {
	ns := prefix + utilrand.String(5)
	obj := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns,
		Labels: map[string]string{"pod-security.kubernetes.io/enforce": "restricted"}}}
	if _, err := r.c.CoreV1().Namespaces().Create(r.t.Context(), obj, metav1.CreateOptions{}); err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() {
		if os.Getenv("NETPOL_TEST_KEEP") != "" {
			r.t.Logf("NETPOL_TEST_KEEP: namespace %s kept", ns)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		nodeapp.DeleteNamespace(ctx, r.t, r.c, ns)
	})
	// Until the controller manager makes the default ServiceAccount,
	// admission refuses every pod.
	err := wait.PollUntilContextTimeout(r.t.Context(), 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		_, err := r.c.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
	if err != nil {
		r.t.Fatalf("namespace %s never got its default ServiceAccount: %v", ns, err)
	}
	return ns
}

// probePod starts netprobe listening on ports, restricted; ports below
// 1024 are let through the pod's own sysctl (allowed by restricted).
func (r *rig) probePod(ns, name string, labels map[string]string, ports ...string) *corev1.Pod {
	no, yes := false, true
	uid := int64(1000)
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec: corev1.PodSpec{
			AutomountServiceAccountToken: &no,
			SecurityContext: &corev1.PodSecurityContext{
				RunAsNonRoot: &yes, RunAsUser: &uid, RunAsGroup: &uid,
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
				Sysctls:        []corev1.Sysctl{{Name: "net.ipv4.ip_unprivileged_port_start", Value: "0"}},
			},
			Containers: []corev1.Container{{
				Name: "netprobe", Image: r.probe, ImagePullPolicy: corev1.PullAlways,
				Args: append([]string{"serve"}, ports...),
				SecurityContext: &corev1.SecurityContext{
					AllowPrivilegeEscalation: &no, ReadOnlyRootFilesystem: &yes,
					Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
				},
			}},
		},
	}
	if _, err := r.c.CoreV1().Pods(ns).Create(r.t.Context(), p, metav1.CreateOptions{}); err != nil {
		r.t.Fatalf("create pod %s/%s: %v", ns, name, err)
	}
	return r.waitRunning(ns, name)
}

func (r *rig) waitRunning(ns, name string) *corev1.Pod {
	var got *corev1.Pod
	err := wait.PollUntilContextTimeout(r.t.Context(), time.Second, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
		p, err := r.c.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		got = p
		return p.Status.Phase == corev1.PodRunning && p.Status.PodIP != "", nil
	})
	if err != nil {
		r.t.Fatalf("pod %s/%s not running: %v (%+v)", ns, name, err, got)
	}
	return got
}

// app is a release deployed by the real `helm todo up` (Helm 4).
type app struct {
	*rig
	ns  string
	dir string
	// restored is when the policies were last put back.
	restored time.Time
}

func (r *rig) deploy(ns string, env string, extra ...string) *app {
	a := &app{rig: r, ns: ns, dir: r.t.TempDir()}
	nodeapp.CopyExamples(r.t, a.dir)
	envFile := filepath.Join(a.dir, ".env")
	if err := os.WriteFile(envFile, []byte(env), 0o600); err != nil {
		r.t.Fatal(err)
	}
	repo := nodeapp.Repo()
	helm := filepath.Join(repo, ".tools", "helm4", "helm")
	runEnv := append(append(nodeapp.HelmEnv(r.t.TempDir(), r.kubeconfig), builderEnv...), "HELM_BIN="+helm, "HELM_PLUGIN_DIR="+repo)
	args := nodeapp.UpArgs(envFile, nodeapp.SharedLoadBalancer(r.t, r.c), extra...)
	ctx, cancel := context.WithTimeout(r.t.Context(), 15*time.Minute)
	defer cancel()
	_, code, took := nodeapp.Run(ctx, r.t, filepath.Join(repo, "bin", "helm-todo"), a.dir, ns, runEnv, args...)
	if code != 0 {
		r.t.Fatalf("helm todo up exited %d", code)
	}
	r.t.Logf("NETPOL-TIME helm todo up: %.1fs", took.Seconds())
	return a
}

// secretKeys is an env file's keys up requires, but DATABASE_URL.
func secretKeys() string {
	var b strings.Builder
	for _, k := range []string{"OPENROUTER_API_KEY", "BETTER_AUTH_SECRET", "VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY"} {
		fmt.Fprintf(&b, "%s=%s\n", k, utilrand.String(16))
	}
	return b.String()
}

// pod is the release's running pod of a component.
func (a *app) pod(component string) string {
	pods, err := a.c.CoreV1().Pods(a.ns).List(a.t.Context(), metav1.ListOptions{
		LabelSelector: "app.kubernetes.io/instance=" + nodeapp.Release + ",app.kubernetes.io/component=" + component})
	if err != nil {
		a.t.Fatal(err)
	}
	for _, p := range pods.Items {
		if p.Status.Phase == corev1.PodRunning && p.DeletionTimestamp == nil {
			return p.Name
		}
	}
	a.t.Fatalf("no running %s pod in %s", component, a.ns)
	return ""
}

// endpoint is where a connection starts: a pod and how to dial from it.
type endpoint struct {
	ns, pod, container string
	netprobe           bool // the probe image; else the app's Debian-based images, with bash
}

// dial tries one TCP connection from e to host:port and says whether it
// connected. The command prints its verdict, so a failed exec is a test
// failure, never a denied connection.
func (r *rig) dial(e endpoint, host string, port int) (bool, string) {
	var cmdline []string
	if e.netprobe {
		cmdline = []string{"/netprobe", "dial", host, fmt.Sprint(port)}
	} else {
		cmdline = []string{"bash", "-c", `if timeout 5 bash -c ": >/dev/tcp/$0/$1" 2>/dev/null; then echo connected; else echo "failed: no connection"; fi`, host, fmt.Sprint(port)}
	}
	out, err := r.kubectl(append([]string{"exec", "-n", e.ns, e.pod, "-c", e.container, "--"}, cmdline...)...)
	line := strings.TrimSpace(out)
	if err != nil || !(line == "connected" || strings.HasPrefix(line, "failed")) {
		r.t.Fatalf("dial %s:%d from %s/%s: no verdict (%v): %q", host, port, e.ns, e.pod, err, out)
	}
	return line == "connected", line
}

// resolve looks name up from e through the pod's resolver (the cluster's
// DNS, wherever it runs).
func (r *rig) resolve(e endpoint, name string) (bool, string) {
	var cmdline []string
	if e.netprobe {
		cmdline = []string{"/netprobe", "resolve", name}
	} else {
		cmdline = []string{"bash", "-c", `getent ahostsv4 "$0" | awk 'NR == 1 { print $1 }' | grep . || echo "failed: no address"`, name}
	}
	out, err := r.kubectl(append([]string{"exec", "-n", e.ns, e.pod, "-c", e.container, "--"}, cmdline...)...)
	line := strings.TrimSpace(out)
	if err != nil || line == "" {
		r.t.Fatalf("resolve %s from %s/%s: no verdict (%v): %q", name, e.ns, e.pod, err, out)
	}
	return !strings.HasPrefix(line, "failed"), line
}

func (r *rig) kubectl(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(r.t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "kubectl", append([]string{"--kubeconfig", r.kubeconfig}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("kubectl %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// path is one connection the test tries.
type path struct {
	name string
	from endpoint
	host string
	port int
}

// eventually dials p until it connects (want) or fails (!want), within
// syncWithin: kube-router applies a change a moment after it is made.
func (r *rig) eventually(p path, want bool) (bool, string) {
	var got bool
	var line string
	deadline := time.Now().Add(syncWithin)
	for {
		got, line = r.dial(p.from, p.host, p.port)
		if got == want || time.Now().After(deadline) {
			return got, line
		}
		time.Sleep(2 * time.Second)
	}
}

// synced waits until kube-router's rules in the host's filter table name
// each pod: a new pod is reachable by anyone until they do.
func (r *rig) synced(pods ...endpoint) {
	err := wait.PollUntilContextTimeout(r.t.Context(), time.Second, syncWithin, true, func(ctx context.Context) (bool, error) {
		out, err := exec.CommandContext(ctx, "iptables-save", "-t", "filter").Output()
		if err != nil {
			return false, err
		}
		for _, p := range pods {
			if !bytes.Contains(out, []byte("POD name:"+p.pod+" namespace: "+p.ns+"\"")) {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		r.t.Fatalf("kube-router has no rules for %v after %s: %v", pods, syncWithin, err)
	}
}

// report collects one line per path for the test's log.
type report struct {
	t     *testing.T
	lines []string
}

func (rp *report) add(format string, args ...any) {
	rp.lines = append(rp.lines, fmt.Sprintf(format, args...))
}

func (rp *report) print(title string) {
	rp.t.Logf("NETPOL %s:\n  %s", title, strings.Join(rp.lines, "\n  "))
}

// withoutPolicies removes the release's NetworkPolicies, runs f, and puts
// them back as they were (Helm's labels and annotations kept).
func (a *app) withoutPolicies(f func()) {
	nps := a.c.NetworkingV1().NetworkPolicies(a.ns)
	list, err := nps.List(a.t.Context(), metav1.ListOptions{LabelSelector: "app.kubernetes.io/instance=" + nodeapp.Release})
	if err != nil || len(list.Items) == 0 {
		a.t.Fatalf("the release's NetworkPolicies in %s: %v (%d)", a.ns, err, len(list.Items))
	}
	var names []string
	for _, np := range list.Items {
		names = append(names, np.Name)
		if err := nps.Delete(a.t.Context(), np.Name, metav1.DeleteOptions{}); err != nil {
			a.t.Fatal(err)
		}
	}
	sort.Strings(names)
	a.t.Logf("NETPOL removed NetworkPolicies %v", names)
	restore := func() {
		for _, np := range list.Items {
			np := np.DeepCopy()
			np.ResourceVersion, np.UID, np.CreationTimestamp, np.ManagedFields = "", "", metav1.Time{}, nil
			if _, err := nps.Create(context.Background(), np, metav1.CreateOptions{}); err != nil {
				a.t.Errorf("put NetworkPolicy %s back: %v", np.Name, err)
			}
		}
		a.restored = time.Now()
		a.t.Logf("NETPOL put NetworkPolicies %v back", names)
	}
	defer restore()
	f()
}

// policies are the release's NetworkPolicies by name.
func (a *app) policies() map[string]networkingv1.NetworkPolicy {
	list, err := a.c.NetworkingV1().NetworkPolicies(a.ns).List(a.t.Context(), metav1.ListOptions{})
	if err != nil {
		a.t.Fatal(err)
	}
	m := map[string]networkingv1.NetworkPolicy{}
	for _, np := range list.Items {
		m[np.Name] = np
	}
	return m
}

// checkPaths: every allowed path connects with the policies in place; every
// denied one connects without them, then fails with them.
func (a *app) checkPaths(allowed, denied []path, rp *report) {
	t := a.t
	for _, p := range allowed {
		if ok, line := a.eventually(p, true); !ok {
			t.Errorf("allowed path %s (%s:%d) is blocked: %s", p.name, p.host, p.port, line)
			rp.add("allowed  %-55s FAILED (%s)", p.name, line)
		} else {
			rp.add("allowed  %-55s connected", p.name)
		}
	}
	before := a.policies()
	without := map[string]string{}
	a.withoutPolicies(func() {
		for _, p := range denied {
			ok, line := a.eventually(p, true)
			without[p.name] = line
			if !ok {
				t.Errorf("denied path %s (%s:%d) fails even without the policies (%s): its deny would prove nothing", p.name, p.host, p.port, line)
			}
		}
	})
	after := a.policies()
	if len(after) != len(before) {
		t.Fatalf("NetworkPolicies after putting them back: %d, before %d", len(after), len(before))
	}
	for _, p := range denied {
		ok, line := a.eventually(p, false)
		if ok {
			t.Errorf("denied path %s (%s:%d) connects with the policies in place", p.name, p.host, p.port)
		} else {
			// Once more: it stays denied.
			if ok, line = a.dial(p.from, p.host, p.port); ok {
				t.Errorf("denied path %s (%s:%d) connected on the second try", p.name, p.host, p.port)
			}
		}
		rp.add("denied   %-55s without policies: %s; with: %s", p.name, without[p.name], line)
	}
	// The policies back, the allowed paths work again.
	for _, p := range allowed {
		if ok, line := a.eventually(p, true); !ok {
			t.Errorf("allowed path %s (%s:%d) is blocked after the policies were put back: %s", p.name, p.host, p.port, line)
		}
	}
}

// checkDNS: names resolve from each of the app's pods, through whatever
// DNS the cluster has; the policies allow port 53 to any address.
func (a *app) checkDNS(from []endpoint, name string, rp *report) {
	for _, e := range from {
		ok, line := a.resolve(e, name)
		if !ok {
			a.t.Errorf("DNS from %s: %s does not resolve: %s", e.pod, name, line)
		}
		rp.add("allowed  %-55s %s", "DNS "+e.pod+" -> "+name, line)
	}
}

// checkProbes: the kubelet's probes reach every pod (the policies allow
// nothing from the node): all Ready, none restarted, once the policies
// have been back for a few probe periods (3 liveness, 6 readiness).
func (a *app) checkProbes(rp *report) {
	time.Sleep(time.Until(a.restored.Add(30 * time.Second)))
	pods, err := a.c.CoreV1().Pods(a.ns).List(a.t.Context(), metav1.ListOptions{LabelSelector: "app.kubernetes.io/instance=" + nodeapp.Release})
	if err != nil {
		a.t.Fatal(err)
	}
	for _, p := range pods.Items {
		if p.Labels["app.kubernetes.io/component"] == "migration" {
			continue
		}
		ready := false
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodReady {
				ready = c.Status == corev1.ConditionTrue
			}
		}
		var restarts int32
		for _, s := range p.Status.ContainerStatuses {
			restarts += s.RestartCount
		}
		if !ready || restarts != 0 {
			a.t.Errorf("pod %s: ready=%v restarts=%d with the policies; the kubelet's probes must pass", p.Name, ready, restarts)
		}
		rp.add("allowed  %-55s ready=%v restarts=%d", "kubelet probes -> "+p.Name, ready, restarts)
	}
}

func appEndpoint(a *app, component, container string) endpoint {
	return endpoint{ns: a.ns, pod: a.pod(component), container: container}
}

// TestInClusterDatabase: the app with its own PostgreSQL (an env file
// without DATABASE_URL).
func TestInClusterDatabase(t *testing.T) {
	r := newRig(t)
	start := time.Now()
	outside := r.namespace("netpol-outside-")
	// Stands for what is outside the app: an LLM API (443), a database
	// (5432), anything else (8080).
	ext := r.probePod(outside, "outside", map[string]string{"app": "outside"}, "443", "5432", "8080")
	otherNS := endpoint{ns: outside, pod: "outside", container: "netprobe", netprobe: true}

	ns := r.namespace("netpol-app-")
	a := r.deploy(ns, secretKeys())
	// The Job ran alembic against PostgreSQL under the policies (up waited
	// for it); a pod with its labels proves the path again once
	// kube-router has its rules.
	r.probePod(ns, "migration-stand-in", map[string]string{"app.kubernetes.io/name": "todo-app",
		"app.kubernetes.io/instance": nodeapp.Release, "app.kubernetes.io/component": "migration"}, "8080")
	r.probePod(ns, "other-app", map[string]string{"app.kubernetes.io/name": "other-app"}, "8080")
	frontend := appEndpoint(a, "frontend", "frontend")
	backend := appEndpoint(a, "backend", "backend")
	database := appEndpoint(a, "database", "postgres")
	migration := endpoint{ns: ns, pod: "migration-stand-in", container: "netprobe", netprobe: true}
	other := endpoint{ns: ns, pod: "other-app", container: "netprobe", netprobe: true}
	r.synced(frontend, backend, database, migration, other, otherNS)

	backendSvc := nodeapp.Release + "-backend"
	pgSvc := nodeapp.Release + "-postgres"
	backendFQDN := backendSvc + "." + ns + ".svc.cluster.local"
	allowed := []path{
		{"frontend -> backend:7860", frontend, backendSvc, 7860},
		{"backend -> PostgreSQL:5432", backend, pgSvc, 5432},
		{"migration -> PostgreSQL:5432", migration, pgSvc, 5432},
		{"backend -> outside:443 (LLM API)", backend, ext.Status.PodIP, 443},
		{"other namespace -> frontend:3000", otherNS, nodeapp.Release + "-frontend." + ns + ".svc.cluster.local", 3000},
	}
	denied := []path{
		{"other app (same namespace) -> PostgreSQL:5432", other, pgSvc, 5432},
		{"other app (same namespace) -> backend:7860", other, backendSvc, 7860},
		{"other namespace -> backend:7860", otherNS, backendFQDN, 7860},
		{"frontend -> PostgreSQL:5432", frontend, pgSvc, 5432},
		{"backend -> outside:8080", backend, ext.Status.PodIP, 8080},
		{"backend -> outside:5432 (no external database)", backend, ext.Status.PodIP, 5432},
		{"frontend -> outside:443", frontend, ext.Status.PodIP, 443},
		{"migration -> outside:443", migration, ext.Status.PodIP, 443},
		{"PostgreSQL -> outside:443", database, ext.Status.PodIP, 443},
		{"migration -> backend:7860", migration, backendSvc, 7860},
	}
	rp := &report{t: t}
	// The real migration Job ran under the policies: up waited for it, and
	// alembic stamped the database.
	out, err := r.kubectl("exec", "-n", ns, database.pod, "-c", "postgres", "--", "psql", "-U", "todo", "-d", "todo", "-tAc", "SELECT version_num FROM alembic_version")
	if err != nil || strings.TrimSpace(out) == "" {
		t.Errorf("alembic_version after up: %q (%v); the migration Job never reached PostgreSQL", out, err)
	}
	rp.add("allowed  %-55s alembic_version %s", "migration Job (alembic, during up) -> PostgreSQL", strings.TrimSpace(out))
	a.checkDNS([]endpoint{frontend, backend, migration}, "kubernetes.default.svc.cluster.local", rp)
	a.checkPaths(allowed, denied, rp)
	a.checkProbes(rp)
	rp.print("in-cluster database (" + ns + ")")
	t.Logf("NETPOL-TIME in-cluster database: %.1fs", time.Since(start).Seconds())
}

// TestExternalDatabase: database.external=true, DATABASE_URL pointing out
// of the app (a PostgreSQL pod in a namespace of its own, reached by
// address as a hosted one would be): the backend and the migration reach
// it on its port, and nothing broader opens.
func TestExternalDatabase(t *testing.T) {
	r := newRig(t)
	start := time.Now()
	dbNS := r.namespace("netpol-extdb-")
	password := utilrand.String(20)
	db := r.postgres(dbNS, password)
	ext := r.probePod(dbNS, "outside", map[string]string{"app": "outside"}, "443", "5432", "8080")

	ns := r.namespace("netpol-ext-")
	url := fmt.Sprintf("postgresql+asyncpg://todo:%s@%s:5432/todo", password, db.Status.PodIP)
	a := r.deploy(ns, "DATABASE_URL="+url+"\n"+secretKeys())
	if _, ok := a.policies()[nodeapp.Release+"-postgres"]; ok {
		t.Fatalf("database.external=true, yet the release has a PostgreSQL policy: up did not deploy the external-database chart")
	}
	r.probePod(ns, "migration-stand-in", map[string]string{"app.kubernetes.io/name": "todo-app",
		"app.kubernetes.io/instance": nodeapp.Release, "app.kubernetes.io/component": "migration"}, "8080")
	frontend := appEndpoint(a, "frontend", "frontend")
	backend := appEndpoint(a, "backend", "backend")
	migration := endpoint{ns: ns, pod: "migration-stand-in", container: "netprobe", netprobe: true}
	r.synced(frontend, backend, migration)

	allowed := []path{
		{"backend -> external database:5432", backend, db.Status.PodIP, 5432},
		{"migration -> external database:5432", migration, db.Status.PodIP, 5432},
		{"backend -> outside:443 (LLM API)", backend, ext.Status.PodIP, 443},
	}
	denied := []path{
		{"backend -> outside:8080", backend, ext.Status.PodIP, 8080},
		{"migration -> outside:8080", migration, ext.Status.PodIP, 8080},
		{"migration -> outside:443", migration, ext.Status.PodIP, 443},
		{"frontend -> external database:5432", frontend, db.Status.PodIP, 5432},
	}
	rp := &report{t: t}
	a.checkDNS([]endpoint{frontend, backend, migration}, "kubernetes.default.svc.cluster.local", rp)
	a.checkPaths(allowed, denied, rp)
	a.checkProbes(rp)
	rp.print("external database (" + ns + ", database " + db.Status.PodIP + ")")
	t.Logf("NETPOL-TIME external database: %.1fs", time.Since(start).Seconds())
}

// postgres runs the postgres:15 stand-in (test/node/apps.sh put it on the
// node) as a plain restricted pod: the external database.
func (r *rig) postgres(ns, password string) *corev1.Pod {
	no, yes := false, true
	uid := int64(999)
	vol := func(name string) corev1.Volume {
		return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}
	}
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "postgres", Labels: map[string]string{"app": "external-database"}},
		Spec: corev1.PodSpec{
			AutomountServiceAccountToken: &no,
			SecurityContext: &corev1.PodSecurityContext{
				RunAsNonRoot: &yes, RunAsUser: &uid, RunAsGroup: &uid, FSGroup: &uid,
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			},
			Volumes: []corev1.Volume{vol("data"), vol("run"), vol("tmp")},
			Containers: []corev1.Container{{
				Name: "postgres", Image: "postgres:15", ImagePullPolicy: corev1.PullNever,
				Env: []corev1.EnvVar{{Name: "POSTGRES_USER", Value: "todo"}, {Name: "POSTGRES_DB", Value: "todo"},
					{Name: "POSTGRES_PASSWORD", Value: password}, {Name: "PGDATA", Value: "/var/lib/postgresql/data/pgdata"}},
				Ports: []corev1.ContainerPort{{Name: "postgres", ContainerPort: 5432}},
				ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{
					Command: []string{"pg_isready", "-U", "todo", "-d", "todo", "-h", "127.0.0.1"}}}, PeriodSeconds: 2},
				VolumeMounts: []corev1.VolumeMount{{Name: "data", MountPath: "/var/lib/postgresql/data"},
					{Name: "run", MountPath: "/var/run/postgresql"}, {Name: "tmp", MountPath: "/tmp"}},
				SecurityContext: &corev1.SecurityContext{
					AllowPrivilegeEscalation: &no, ReadOnlyRootFilesystem: &yes,
					Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
				},
			}},
		},
	}
	if _, err := r.c.CoreV1().Pods(ns).Create(r.t.Context(), p, metav1.CreateOptions{}); err != nil {
		r.t.Fatalf("create the external database: %v", err)
	}
	var got *corev1.Pod
	err := wait.PollUntilContextTimeout(r.t.Context(), time.Second, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
		p, err := r.c.CoreV1().Pods(ns).Get(ctx, "postgres", metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		got = p
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		r.t.Fatalf("the external database never was Ready: %v (%+v)", err, got.Status)
	}
	return got
}
