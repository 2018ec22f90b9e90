package app

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/helm-todo/helm-todo/internal/testsupport/helmrecord"
	"github.com/helm-todo/helm-todo/test/node/nodeapp"
)

// TestAppOnHelm4 is the whole story on one release, step after step (each
// step needs the state the one before left): up from nothing, the app
// working on hardened pods, surviving pod and database restarts, readiness
// following the database, a no-change up and a one-file change, where the
// secrets go, and the real faults, each rolled back.
func TestAppOnHelm4(t *testing.T) {
	n := setupNode(t)
	a := newApp(t, n, filepath.Join(n.repo, ".tools", "helm4", "helm"))
	ctx, cancel := context.WithTimeout(t.Context(), 40*time.Minute)
	defer cancel()
	step := stepper(t)

	res, url := a.up(ctx)
	url = a.reach(ctx, res.out, url)
	pods := a.waitAllReady(ctx, 2*time.Minute)
	readyAt := time.Now()
	step("up from nothing", res.took)

	a.checkRestricted(pods)
	for _, p := range pods {
		if p.Spec.NodeName == "" || restarts(p) != 0 {
			t.Errorf("pod %s: node %q, restarts %d; want scheduled, 0 restarts", p.Name, p.Spec.NodeName, restarts(p))
		}
	}
	step("pods Ready, restricted", 0)

	// The migration Job ran alembic against the in-cluster PostgreSQL.
	if got := a.psql(ctx, "SELECT to_regclass('public.todos')"); got != "todos" {
		t.Errorf("table todos: %q, want it to exist after the migration", got)
	}
	if got := a.psql(ctx, "SELECT version_num FROM alembic_version"); got == "" {
		t.Errorf("alembic_version is empty: alembic never stamped the database")
	}

	// Through the URL: GET lists, POST creates.
	if _, err := listTodos(ctx, url); err != nil {
		t.Fatal(err)
	}
	title := "node test " + utilrand.String(6)
	created, err := createTodo(ctx, url, title)
	if err != nil {
		t.Fatal(err)
	}
	a.waitListed(ctx, url, title, 30*time.Second)
	if got := a.psql(ctx, fmt.Sprintf("SELECT title FROM todos WHERE id = %d", created.ID)); got != title {
		t.Errorf("row %d in PostgreSQL: %q, want %q", created.ID, got, title)
	}
	step("migration table, GET and POST through the URL", 0)

	a.checkCanary(ctx)
	step("canary in the backend's environment only", 0)

	// A minute after Ready, nothing restarted.
	if d := time.Until(readyAt.Add(time.Minute)); d > 0 {
		time.Sleep(d)
	}
	if after := podState(a.workloadPods(ctx)); !equal(podState(pods), after) {
		t.Errorf("a minute after Ready, pods changed or restarted:\nbefore %v\nafter  %v", podState(pods), after)
	}
	step("no restart a minute later", 0)

	// The todo survives the backend pod's deletion and PostgreSQL's restart.
	start := time.Now()
	for name, p := range pods {
		if component(p) == "backend" || component(p) == "database" {
			if err := a.c.CoreV1().Pods(a.ns).Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	pods = a.waitAllReady(ctx, 3*time.Minute)
	a.waitListed(ctx, url, title, time.Minute)
	step("backend and PostgreSQL pods deleted, todo kept", time.Since(start))

	a.databaseOutage(ctx, pods)
	pods = a.waitAllReady(ctx, 3*time.Minute)
	a.waitListed(ctx, url, title, time.Minute)
	step("PostgreSQL scaled to 0 and back", 0)

	// No change: nothing built, pushed or restarted.
	imagesBefore := a.builtImages(ctx)
	deployed := a.deploymentImages(ctx)
	pushesBefore := a.pushesOf(deployed["backend"]) + a.pushesOf(deployed["frontend"])
	pods = a.waitAllReady(ctx, time.Minute)
	res, _ = a.up(ctx)
	if after := podState(a.waitAllReady(ctx, time.Minute)); !equal(podState(pods), after) {
		t.Errorf("a no-change up restarted or replaced pods:\nbefore %v\nafter  %v", podState(pods), after)
	}
	if after := a.builtImages(ctx); !equal(imagesBefore, after) {
		t.Errorf("a no-change up built: images before %d, after %d", len(imagesBefore), len(after))
	}
	if after := a.pushesOf(deployed["backend"]) + a.pushesOf(deployed["frontend"]); after != pushesBefore {
		t.Errorf("a no-change up pushed: %d manifest PUTs of %v to the registry, want none", after-pushesBefore, deployed)
	}
	step("no-change up", res.took)

	// One changed backend file: one build, one push, new backend pods, the
	// frontend's untouched.
	beforeImg := a.deploymentImages(ctx)
	marker := filepath.Join(a.dir, "backend", "src", "node_test_marker.py")
	if err := os.WriteFile(marker, []byte("# "+utilrand.String(12)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, _ = a.up(ctx)
	podsAfter := a.waitAllReady(ctx, 2*time.Minute)
	afterImg := a.deploymentImages(ctx)
	if afterImg["backend"] == beforeImg["backend"] || afterImg["frontend"] != beforeImg["frontend"] {
		t.Errorf("images after a backend change: %v, before %v; want a new backend tag only", afterImg, beforeImg)
	}
	// One build: every new name (the built tag, and the registry's name
	// for it, which the push adds) is that backend tag, on one image.
	tag := afterImg["backend"][strings.LastIndex(afterImg["backend"], ":")+1:]
	imagesAfter := a.builtImages(ctx)
	newTags := newImageTags(imagesBefore, imagesAfter)
	ids := map[string]bool{}
	for _, n := range newTags {
		ids[imagesAfter[n]] = true
		if !strings.HasSuffix(n, "/todo-backend:"+tag) {
			t.Errorf("a backend change built %s besides the backend", n)
		}
	}
	if len(ids) != 1 {
		t.Errorf("builds after a backend change: new images %v, want one, the backend tagged %s", newTags, tag)
	}
	if n, f := a.pushesOf(afterImg["backend"]), a.pushesOf(afterImg["frontend"]); n != 1 || f+a.pushesOf(beforeImg["backend"]) != pushesBefore {
		t.Errorf("pushes after a backend change: %d of %s (want 1), and the frontend's and old backend's %d, want %d as before",
			n, afterImg["backend"], f+a.pushesOf(beforeImg["backend"]), pushesBefore)
	}
	for name, p := range pods {
		q, kept := podsAfter[name]
		switch component(p) {
		case "backend":
			if kept {
				t.Errorf("backend pod %s survived the new image", name)
			}
		case "frontend", "database":
			if !kept || q.UID != p.UID || restarts(q) != restarts(p) {
				t.Errorf("%s pod %s was replaced or restarted by a backend change", component(p), name)
			}
		}
	}
	a.waitListed(ctx, url, title, time.Minute)
	step("one backend file changed", res.took)

	a.faults(ctx, step)
	a.checkLeaks(ctx)
}

// stepper logs each step's duration (not asserted).
func stepper(t *testing.T) func(string, time.Duration) {
	last := time.Now()
	return func(what string, up time.Duration) {
		t.Helper()
		d := time.Since(last)
		last = time.Now()
		if up > 0 {
			t.Logf("NODE-TIME %s: %.1fs (up %.1fs)", what, d.Seconds(), up.Seconds())
		} else {
			t.Logf("NODE-TIME %s: %.1fs", what, d.Seconds())
		}
	}
}

func equal(a, b map[string]string) bool {
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

// databaseOutage: with PostgreSQL scaled to 0, the backend pods go NotReady
// (their /health/ready answers 503) while liveness restarts none of them;
// scaled back, they are Ready again.
func (a *app) databaseOutage(ctx context.Context, pods map[string]corev1.Pod) {
	a.t.Helper()
	sts := release + "-postgres"
	scale := func(n int) {
		patch := []byte(fmt.Sprintf(`{"spec":{"replicas":%d}}`, n))
		if _, err := a.c.AppsV1().StatefulSets(a.ns).Patch(ctx, sts, "application/merge-patch+json", patch, metav1.PatchOptions{}); err != nil {
			a.t.Fatal(err)
		}
	}
	var backends []corev1.Pod
	for _, p := range pods {
		if component(p) == "backend" {
			backends = append(backends, p)
		}
	}
	dep, err := a.c.AppsV1().Deployments(a.ns).Get(ctx, release+"-backend", metav1.GetOptions{})
	if err != nil {
		a.t.Fatal(err)
	}
	rp := dep.Spec.Template.Spec.Containers[0].ReadinessProbe
	window := time.Duration((rp.PeriodSeconds+rp.TimeoutSeconds)*rp.FailureThreshold) * time.Second
	scale(0)
	defer scale(1)
	for _, b := range backends {
		err := wait.PollUntilContextTimeout(ctx, time.Second, 2*window+30*time.Second, true, func(ctx context.Context) (bool, error) {
			p, err := a.c.CoreV1().Pods(a.ns).Get(ctx, b.Name, metav1.GetOptions{})
			return err == nil && !podReady(p), nil
		})
		if err != nil {
			a.t.Fatalf("backend pod %s still Ready with PostgreSQL stopped (readiness window %s)", b.Name, window)
		}
		if code := a.backendReadyCode(ctx, b.Name); code != "503" {
			a.t.Errorf("backend pod %s /health/ready answered %s with PostgreSQL stopped, want 503", b.Name, code)
		}
	}
	// Liveness (/health/live, 3 x 10 s) must not kill them meanwhile.
	lp := dep.Spec.Template.Spec.Containers[0].LivenessProbe
	time.Sleep(time.Duration(lp.PeriodSeconds*lp.FailureThreshold+lp.TimeoutSeconds) * time.Second)
	for _, b := range backends {
		p, err := a.c.CoreV1().Pods(a.ns).Get(ctx, b.Name, metav1.GetOptions{})
		if err != nil || p.UID != b.UID || restarts(*p) != restarts(b) {
			a.t.Errorf("backend pod %s was restarted or replaced during the database outage (err=%v)", b.Name, err)
		}
	}
	scale(1)
	for _, b := range backends {
		err := wait.PollUntilContextTimeout(ctx, time.Second, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
			p, err := a.c.CoreV1().Pods(a.ns).Get(ctx, b.Name, metav1.GetOptions{})
			return err == nil && podReady(p), nil
		})
		if err != nil {
			a.t.Fatalf("backend pod %s not Ready again with PostgreSQL back: %v", b.Name, err)
		}
		if code := a.backendReadyCode(ctx, b.Name); code != "200" {
			a.t.Errorf("backend pod %s /health/ready answered %s with PostgreSQL back, want 200", b.Name, code)
		}
	}
}

// backendReadyCode asks the backend itself, from inside its pod.
func (a *app) backendReadyCode(ctx context.Context, pod string) string {
	a.t.Helper()
	const probe = `import urllib.request, urllib.error
try:
    print(urllib.request.urlopen("http://127.0.0.1:7860/health/ready", timeout=8).status)
except urllib.error.HTTPError as e:
    print(e.code)`
	out, err := a.kubectl(ctx, "exec", pod, "--", "python", "-c", probe)
	if err != nil {
		a.t.Fatalf("probe /health/ready in %s: %v", pod, err)
	}
	return strings.TrimSpace(out)
}

// builtImages is buildah's store: image ID by name:tag, intermediate
// images included, so any build shows.
func (a *app) builtImages(ctx context.Context) map[string]string {
	a.t.Helper()
	cmd := exec.CommandContext(ctx, "buildah", "images", "--all", "--noheading", "--format", "{{.ID}} {{.Name}}:{{.Tag}}")
	cmd.Env = append(os.Environ(), a.builderEnv...)
	out, err := cmd.Output()
	if err != nil {
		a.t.Fatalf("buildah images: %v", err)
	}
	m := map[string]string{}
	for i, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(l) // buildah pads the columns
		if len(f) != 2 {
			continue
		}
		id, name := f[0], f[1]
		if name == "<none>:<none>" {
			name += strconv.Itoa(i) + id
		}
		m[name] = id
	}
	return m
}

func newImageTags(before, after map[string]string) []string {
	var n []string
	for k := range after {
		if _, ok := before[k]; !ok && !strings.HasPrefix(k, "<none>") {
			n = append(n, k)
		}
	}
	sort.Strings(n)
	return n
}

// registryLog is the rig's registry access log (node.sh).
func (a *app) registryLog() string {
	a.t.Helper()
	b, err := os.ReadFile(filepath.Join(filepath.Dir(a.kubeconfig), "logs", "registry.log"))
	if err != nil {
		a.t.Fatalf("the registry's log: %v", err)
	}
	return string(b)
}

// pushesOf counts the manifest PUTs the registry served for image
// (host/repo:tag): one per push of it. The registry is the rig's, shared:
// only this release's tags are counted.
func (a *app) pushesOf(image string) int {
	rest := image[strings.Index(image, "/")+1:]
	repo, tag, _ := strings.Cut(rest, ":")
	n := 0
	for _, l := range strings.Split(a.registryLog(), "\n") {
		if strings.Contains(l, `"PUT /v2/`+repo+`/manifests/`+tag+` `) {
			n++
		}
	}
	return n
}

// deploymentImages is each Deployment's image by component, as deployed.
func (a *app) deploymentImages(ctx context.Context) map[string]string {
	a.t.Helper()
	m := map[string]string{}
	for _, c := range []string{"backend", "frontend"} {
		d, err := a.c.AppsV1().Deployments(a.ns).Get(ctx, release+"-"+c, metav1.GetOptions{})
		if err != nil {
			a.t.Fatal(err)
		}
		m[c] = d.Spec.Template.Spec.Containers[0].Image
	}
	return m
}

// checkCanary: the canary from --env-file is in the backend container's
// environment, and in no other container's.
func (a *app) checkCanary(ctx context.Context) {
	a.t.Helper()
	for name, p := range a.workloadPods(ctx) {
		for _, c := range p.Spec.Containers {
			out, err := a.kubectl(ctx, "exec", name, "-c", c.Name, "--", "env")
			if err != nil {
				a.t.Fatalf("env of %s/%s: %v", name, c.Name, err)
			}
			has := strings.Contains(out, "OPENROUTER_API_KEY="+canary+"-or\n")
			if component(p) == "backend" && !has {
				a.t.Errorf("backend container %s/%s lacks OPENROUTER_API_KEY from --env-file", name, c.Name)
			}
			if component(p) != "backend" && strings.Contains(out, canary+"-or") {
				a.t.Errorf("%s container %s/%s holds the backend's secret", component(p), name, c.Name)
			}
		}
	}
}

// checkLeaks: no secret value from --env-file in any output of up (all run
// with --debug), in `helm get values --all` or in a Helm release record.
func (a *app) checkLeaks(ctx context.Context) {
	a.t.Helper()
	for i, o := range a.outputs {
		if strings.Contains(o, canary) {
			a.t.Errorf("up run %d printed a secret value", i+1)
		}
	}
	cmd := exec.CommandContext(ctx, a.helm, "get", "values", release, "-n", a.ns, "--all", "-o", "yaml")
	cmd.Env = append(nodeapp.FilteredEnv(), a.helmEnv...)
	vals, err := cmd.CombinedOutput()
	if err != nil || len(vals) == 0 {
		a.t.Fatalf("helm get values: %v\n%s", err, vals)
	}
	if bytes.Contains(vals, []byte(canary)) {
		a.t.Errorf("helm get values --all holds a secret value")
	}
	recs := a.releaseRecords(ctx)
	if len(recs) == 0 {
		a.t.Fatal("no Helm release records")
	}
	for _, r := range recs {
		if bytes.Contains(r.payload, []byte(canary)) {
			a.t.Errorf("release record %s holds a secret value", r.name)
		}
	}
}

type record struct {
	name, status string
	version      int
	payload      []byte
}

// releaseRecords are Helm's release Secrets, decoded, oldest first.
func (a *app) releaseRecords(ctx context.Context) []record {
	a.t.Helper()
	list, err := a.c.CoreV1().Secrets(a.ns).List(ctx, metav1.ListOptions{LabelSelector: "owner=helm,name=" + release})
	if err != nil {
		a.t.Fatal(err)
	}
	var rs []record
	for _, s := range list.Items {
		v, _ := strconv.Atoi(s.Labels["version"])
		rs = append(rs, record{name: s.Name, status: s.Labels["status"], version: v, payload: helmrecord.Decode(a.t, s.Data["release"])})
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].version < rs[j].version })
	return rs
}
