package delivery

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/cluster"
	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/image"
	"github.com/helm-todo/helm-todo/internal/plan"
	"github.com/helm-todo/helm-todo/internal/project"
	"github.com/helm-todo/helm-todo/internal/testsupport/standin"
)

// repo makes a user repository in the original app's layout and a plugin dir
// with Dockerfiles named as shipped.
func repo(t *testing.T) (root, plugin string) {
	t.Helper()
	root, plugin = t.TempDir(), t.TempDir()
	files := map[string]string{
		filepath.Join(root, "helm-todo.yaml"):                              "buildArgs:\n  NEXT_PUBLIC_API_URL: http://localhost:7860\n",
		filepath.Join(root, "phase-3/backend/requirements.txt"):            "fastapi\n",
		filepath.Join(root, "phase-3/backend/src/main.py"):                 "app = 1\n",
		filepath.Join(root, "phase-3/frontend/package.json"):               "{}\n",
		filepath.Join(root, "phase-3/frontend/next.config.mjs"):            "export default { output: \"standalone\" }\n",
		filepath.Join(root, "phase-3/frontend/app/page.tsx"):               "export default function P() {}\n",
		filepath.Join(root, "phase-3/frontend/node_modules/next/index.js"): "big\n",
		filepath.Join(plugin, "docker/backend.Dockerfile"):                 "FROM python:3.11-slim\n",
		filepath.Join(plugin, "docker/backend.dockerignore"):               "__pycache__\n",
		filepath.Join(plugin, "docker/frontend.Dockerfile"):                "FROM node:20-alpine\n",
		filepath.Join(plugin, "docker/frontend.dockerignore"):              "node_modules\n",
	}
	for p, c := range files {
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root, plugin
}

func deliver(t *testing.T, root, plugin string, o planInput) *Images {
	t.Helper()
	p, err := project.Load(root, plugin)
	if err != nil {
		t.Fatal(err)
	}
	o.PluginDir = plugin
	o.Probe, o.Runner = command.Exec{}, command.Exec{}
	d, err := planDelivery(context.Background(), p, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range d.Loads {
		l.TempDir = t.TempDir()
	}
	return d
}

func runPlan(t *testing.T, d *Images) string {
	t.Helper()
	var out bytes.Buffer
	if _, err := (&plan.Plan{Steps: d.Steps()}).Run(context.Background(), &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	return out.String()
}

// kubeconfig is one of the cluster package's kubeconfigs, one per kind.
func kubeconfig(name string) string { return filepath.Join("..", "cluster", "testdata", name) }

func count(lines []string, sub string) int {
	n := 0
	for _, l := range lines {
		if strings.Contains(l, sub) {
			n++
		}
	}
	return n
}

// The whole of `helm todo up`'s image half on this machine's situation: no
// docker daemon, so buildah is picked; a minikube cluster (kvm driver, say)
// from the kubeconfig.
func TestDeliveryUnchangedInputsNoBuildNoLoad(t *testing.T) {
	rig := standin.Install(t, "docker", "buildah", "minikube")
	rig.DockerDown()
	root, plugin := repo(t)
	o := planInput{Target: cluster.Options{KubeConfig: kubeconfig("minikube-profile.yaml")}, Builder: image.Builder{Kind: image.Auto}}

	d := deliver(t, root, plugin, o)
	if d.Builder.Kind != image.Buildah || d.Cluster.Kind != cluster.Minikube || d.Cluster.Name != "dev" {
		t.Fatalf("builder %s, cluster %s", d.Builder.Kind, d.Cluster)
	}
	out := runPlan(t, d)
	calls := rig.Lines()
	if count(calls, "buildah build") != 2 || count(calls, "minikube -p dev image load") != 2 {
		t.Fatalf("first run: want 2 builds and 2 loads, got\n%s\n%s", strings.Join(calls, "\n"), out)
	}
	front := calls[slicesIndex(calls, "buildah build --format docker -f "+filepath.Join(plugin, "docker/frontend.Dockerfile"))]
	if !strings.Contains(front, "--build-arg NEXT_PUBLIC_API_URL=http://localhost:7860") || !strings.Contains(front, "--ignorefile "+filepath.Join(plugin, "docker/frontend.dockerignore")) {
		t.Errorf("frontend build: %s", front)
	}

	// Unchanged: a new plan (a new `helm todo up`) builds and loads nothing.
	rig.ResetCalls()
	again := deliver(t, root, plugin, o)
	runPlan(t, again)
	calls = rig.Lines()
	if n := count(calls, " build ") + count(calls, " load ") + count(calls, " push "); n != 0 {
		t.Errorf("unchanged inputs ran builds or loads:\n%s", strings.Join(calls, "\n"))
	}

	// One changed file in node_modules (ignored): still nothing. One changed
	// source file: that image only is rebuilt and reloaded.
	os.WriteFile(filepath.Join(root, "phase-3/frontend/node_modules/next/index.js"), []byte("changed\n"), 0o644)
	os.WriteFile(filepath.Join(root, "phase-3/backend/src/main.py"), []byte("app = 2\n"), 0o644)
	rig.ResetCalls()
	changed := deliver(t, root, plugin, o)
	runPlan(t, changed)
	calls = rig.Lines()
	if count(calls, "buildah build") != 1 || count(calls, "todo-backend:"+changed.Builds[0].Tag) == 0 || count(calls, "minikube -p dev image load") != 1 {
		t.Errorf("one changed backend file: want one backend build and load, got\n%s", strings.Join(calls, "\n"))
	}
	if changed.Builds[0].Tag == d.Builds[0].Tag || changed.Builds[1].Tag != d.Builds[1].Tag {
		t.Errorf("tags: backend %s -> %s, frontend %s -> %s", d.Builds[0].Tag, changed.Builds[0].Tag, d.Builds[1].Tag, changed.Builds[1].Tag)
	}

	v := changed.Values()
	if v["backend.image.repository"] != "todo-backend" || v["backend.image.tag"] != changed.Builds[0].Tag || v["frontend.image.pullPolicy"] != "IfNotPresent" {
		t.Errorf("values %v", v)
	}
}

func slicesIndex(lines []string, prefix string) int {
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return i
		}
	}
	return 0
}

func TestDeliveryDryRunRunsNothing(t *testing.T) {
	rig := standin.Install(t)
	root, plugin := repo(t)
	p, err := project.Load(root, plugin)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	d, err := planDelivery(context.Background(), p, planInput{
		Target: cluster.Options{KubeConfig: kubeconfig("minikube.yaml")}, PluginDir: plugin,
		Builder: image.Builder{Kind: image.Podman}, Probe: command.Exec{}, Runner: command.DryRun{Out: &out},
	})
	if err != nil {
		t.Fatal(err)
	}
	(&plan.Plan{Steps: d.Steps()}).Print(&out)
	if calls := rig.Lines(); len(calls) != 0 {
		t.Errorf("dry run ran %q", calls)
	}
	for _, want := range []string{"podman build --format docker -f " + filepath.Join(plugin, "docker/backend.Dockerfile"), "podman save --format docker-archive", "minikube -p minikube image load"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestDeliveryUnknownClusterNeedsRegistry(t *testing.T) {
	standin.Install(t)
	root, plugin := repo(t)
	p, _ := project.Load(root, plugin)
	_, err := planDelivery(context.Background(), p, planInput{Target: cluster.Options{KubeConfig: kubeconfig("gke.yaml")}, PluginDir: plugin, Builder: image.Builder{Kind: image.Docker}, Probe: command.Exec{}, Runner: command.Exec{}})
	if err == nil || !strings.Contains(err.Error(), "gke_proj_europe-west1_prod") {
		t.Fatalf("got %v", err)
	}
	d, err := planDelivery(context.Background(), p, planInput{Target: cluster.Options{KubeConfig: kubeconfig("gke.yaml"), Registry: "r.io/me"}, PluginDir: plugin, Builder: image.Builder{Kind: image.Docker}, Probe: command.Exec{}, Runner: command.Exec{}})
	if err != nil {
		t.Fatal(err)
	}
	if repo, _, _ := d.Image("frontend"); repo != "r.io/me/todo-frontend" {
		t.Errorf("frontend repository %q", repo)
	}
}

func TestAdvice(t *testing.T) {
	d := &Images{Notes: []string{"n1"}, Warnings: []string{"w1", "w2"}}
	if got := strings.Join(d.Advice(), "|"); got != "note: n1|warning: w1|warning: w2" {
		t.Errorf("advice %q", got)
	}
}

// The images are pushed to host, and the chart names them by the host the
// node pulls from.
func TestDeliveryToPublishedRegistry(t *testing.T) {
	standin.Install(t)
	root, plugin := repo(t)
	h, _ := cluster.ParseRegistryHosting("host: \"k3d-myregistry.localhost:5000\"\nhostFromContainerRuntime: \"k3d-myregistry:5000\"\n")
	d := deliver(t, root, plugin, planInput{Target: cluster.Options{KubeConfig: kubeconfig("kind.yaml"), RegistryHosting: &h}, Builder: image.Builder{Kind: image.Docker}})
	repo, tag, _ := d.Image("backend")
	if repo != "k3d-myregistry:5000/todo-backend" {
		t.Errorf("chart repository %q, want the runtime's host", repo)
	}
	lines := strings.Join(d.Loads[0].Describe(), "\n")
	push := "docker push k3d-myregistry.localhost:5000/todo-backend:" + tag
	if !strings.Contains(lines, push) || strings.Contains(lines, "push k3d-myregistry:5000") {
		t.Errorf("plan does not push to host:\n%s", lines)
	}
}
