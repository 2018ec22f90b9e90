package cluster

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/image"
	"github.com/helm-todo/helm-todo/internal/testsupport/standin"
)

// built makes a build step whose image the builder stand-in already has.
func built(t *testing.T, rig *standin.Rig, kind image.Kind) *image.BuildStep {
	t.Helper()
	dir := t.TempDir()
	for p, c := range map[string]string{"app/main.py": "print(1)\n", "backend.Dockerfile": "FROM python:3.11-slim\n"} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, p), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := image.NewBuildStep(image.Spec{Component: "backend", Context: filepath.Join(dir, "app"), Dockerfile: filepath.Join(dir, "backend.Dockerfile"), Name: "todo-backend"}, image.Builder{Kind: kind}, command.Exec{})
	if err != nil {
		t.Fatal(err)
	}
	rig.AddImage(string(kind), b.Ref())
	return b
}

func TestLoadStep(t *testing.T) {
	const (
		T = "{tag}"
		A = "{archive}"
		Q = "docker.io/library/todo-backend:" + T
	)
	tests := map[string]struct {
		builder  image.Kind
		cluster  Cluster
		registry string
		first    []string // calls of the first load
		again    []string // calls when nothing changed
		inStore  string   // where the image must end up: "cluster" or "registry"
	}{
		"docker to minikube": {builder: image.Docker, cluster: Cluster{Kind: Minikube, Name: "minikube"},
			first: []string{"minikube -p minikube image ls", "minikube -p minikube image load todo-backend:" + T},
			again: []string{"minikube -p minikube image ls"}, inStore: "cluster"},
		"docker to minikube profile": {builder: image.Docker, cluster: Cluster{Kind: Minikube, Name: "dev"},
			first: []string{"minikube -p dev image ls", "minikube -p dev image load todo-backend:" + T},
			again: []string{"minikube -p dev image ls"}, inStore: "cluster"},
		"docker to kind": {builder: image.Docker, cluster: Cluster{Kind: KindCluster, Name: "dev"},
			first: []string{"docker exec dev-control-plane crictl inspecti " + Q, "kind load docker-image todo-backend:" + T + " --name dev"},
			again: []string{"docker exec dev-control-plane crictl inspecti " + Q}, inStore: "cluster"},
		"docker to k3d": {builder: image.Docker, cluster: Cluster{Kind: K3d, Name: "mycluster"},
			first: []string{"docker exec k3d-mycluster-server-0 crictl inspecti " + Q, "k3d image import todo-backend:" + T + " -c mycluster"},
			again: []string{"docker exec k3d-mycluster-server-0 crictl inspecti " + Q}, inStore: "cluster"},
		"docker to docker-desktop": {builder: image.Docker, cluster: Cluster{Kind: DockerDesktop, Name: "docker-desktop"}},
		"docker to kwok":           {builder: image.Docker, cluster: Cluster{Kind: Kwok, Name: "helm-todo"}},
		"buildah to kwok":          {builder: image.Buildah, cluster: Cluster{Kind: Kwok, Name: "helm-todo"}},
		"docker to a registry": {builder: image.Docker, cluster: Cluster{Kind: Registry}, registry: "reg.example.com/me/",
			first: []string{"docker manifest inspect reg.example.com/me/todo-backend:" + T, "docker tag todo-backend:" + T + " reg.example.com/me/todo-backend:" + T, "docker push reg.example.com/me/todo-backend:" + T},
			again: []string{"docker manifest inspect reg.example.com/me/todo-backend:" + T}, inStore: "registry"},
		"buildah to a registry": {builder: image.Buildah, cluster: Cluster{Kind: Registry}, registry: "reg.example.com",
			first: []string{"buildah manifest inspect docker://reg.example.com/todo-backend:" + T, "buildah tag " + Q + " reg.example.com/todo-backend:" + T, "buildah push reg.example.com/todo-backend:" + T + " docker://reg.example.com/todo-backend:" + T},
			again: []string{"buildah manifest inspect docker://reg.example.com/todo-backend:" + T}, inStore: "registry"},
		"buildah to minikube": {builder: image.Buildah, cluster: Cluster{Kind: Minikube, Name: "minikube"},
			first: []string{"minikube -p minikube image ls", "buildah push " + Q + " docker-archive:" + A + ":" + Q, "minikube -p minikube image load " + A},
			again: []string{"minikube -p minikube image ls"}, inStore: "cluster"},
		"podman to minikube": {builder: image.Podman, cluster: Cluster{Kind: Minikube, Name: "minikube"},
			first: []string{"minikube -p minikube image ls", "podman save --format docker-archive -o " + A + " " + Q, "minikube -p minikube image load " + A},
			again: []string{"minikube -p minikube image ls"}, inStore: "cluster"},
		"podman to kind": {builder: image.Podman, cluster: Cluster{Kind: KindCluster, Name: "dev"},
			first: []string{"podman exec dev-control-plane crictl inspecti " + Q, "podman save --format docker-archive -o " + A + " " + Q, "kind load image-archive " + A + " --name dev"},
			again: []string{"podman exec dev-control-plane crictl inspecti " + Q}, inStore: "cluster"},
		"buildah to kind": {builder: image.Buildah, cluster: Cluster{Kind: KindCluster, Name: "dev"},
			first: []string{"docker exec dev-control-plane crictl inspecti " + Q, "buildah push " + Q + " docker-archive:" + A + ":" + Q, "kind load image-archive " + A + " --name dev"},
			again: []string{"docker exec dev-control-plane crictl inspecti " + Q}, inStore: "cluster"},
		"buildah to k3d": {builder: image.Buildah, cluster: Cluster{Kind: K3d, Name: "mycluster"},
			first: []string{"docker exec k3d-mycluster-server-0 crictl inspecti " + Q, "buildah push " + Q + " docker-archive:" + A + ":" + Q, "k3d image import " + A + " -c mycluster"},
			again: []string{"docker exec k3d-mycluster-server-0 crictl inspecti " + Q}, inStore: "cluster"},
		"podman to k3d": {builder: image.Podman, cluster: Cluster{Kind: K3d, Name: "mycluster"},
			first: []string{"podman exec k3d-mycluster-server-0 crictl inspecti " + Q, "podman save --format docker-archive -o " + A + " " + Q, "k3d image import " + A + " -c mycluster"},
			again: []string{"podman exec k3d-mycluster-server-0 crictl inspecti " + Q}, inStore: "cluster"},
		"buildah to docker-desktop": {builder: image.Buildah, cluster: Cluster{Kind: DockerDesktop, Name: "docker-desktop"},
			first: []string{"docker image inspect --format {{.Id}} " + Q, "buildah push " + Q + " docker-archive:" + A + ":" + Q, "docker load -i " + A},
			again: []string{"docker image inspect --format {{.Id}} " + Q}, inStore: "docker"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			rig := standin.Install(t)
			b := built(t, rig, tc.builder)
			l, err := NewLoadStep(tc.cluster, tc.registry, b, command.Exec{})
			if err != nil {
				t.Fatal(err)
			}
			l.TempDir = t.TempDir()
			archive := filepath.Join(l.TempDir, "helm-todo-todo-backend-"+b.Tag+".tar")
			expand := func(lines []string) []string {
				out := make([]string, len(lines))
				for i, s := range lines {
					out[i] = strings.NewReplacer(T, b.Tag, A, archive).Replace(s)
				}
				return out
			}

			var out bytes.Buffer
			if err := l.Run(context.Background(), &out); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			assertLines(t, "first load", rig.Lines(), expand(tc.first))
			if tc.inStore != "" && !contains(rig.Images(tc.inStore), l.Ref()) {
				t.Errorf("%s does not have %s after the load: %q", tc.inStore, l.Ref(), rig.Images(tc.inStore))
			}
			if _, err := os.Stat(archive); !os.IsNotExist(err) {
				t.Errorf("the archive %s was left behind", archive)
			}
			if l.Loaded != (len(tc.first) > 0) {
				t.Errorf("Loaded = %v", l.Loaded)
			}

			// Nothing changed: the cluster has the tag, nothing is loaded.
			rig.ResetCalls()
			out.Reset()
			if err := l.Run(context.Background(), &out); err != nil {
				t.Fatal(err)
			}
			assertLines(t, "second load", rig.Lines(), expand(tc.again))

			// --dry-run's description lists the same commands.
			desc := strings.Join(l.Describe(), "\n")
			for _, c := range expand(tc.first) {
				if !strings.Contains(unquote(desc), c) {
					t.Errorf("Describe() lacks %q:\n%s", c, desc)
				}
			}
		})
	}
}

func unquote(s string) string { return strings.ReplaceAll(s, "'", "") }

func contains(list []string, ref string) bool {
	for _, r := range list {
		if image.SameRef(r, ref) {
			return true
		}
	}
	return false
}

func assertLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s calls:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestLoadStepRequiresBuiltImage(t *testing.T) {
	rig := standin.Install(t)
	b := built(t, rig, image.Docker)
	b.Tag = "0000000000000000" // not what the builder has
	l, err := NewLoadStep(Cluster{Kind: Minikube, Name: "minikube"}, "", b, command.Exec{})
	if err != nil {
		t.Fatal(err)
	}
	l.RequireBuilt = true
	err = l.Run(context.Background(), new(bytes.Buffer))
	if err == nil || !strings.Contains(err.Error(), "is not built") || !strings.Contains(clierr.FixOf(err), "helm todo build") {
		t.Fatalf("got %v", err)
	}
	for _, c := range rig.Lines() {
		if strings.Contains(c, "image load") {
			t.Errorf("loaded an image that was never built: %s", c)
		}
	}
}

func TestLoadStepErrors(t *testing.T) {
	rig := standin.Install(t, "docker") // no minikube on PATH
	b := built(t, rig, image.Docker)
	if _, err := NewLoadStep(Cluster{Kind: Other, Context: "gke_x", Server: "https://34.1.2.3"}, "", b, command.Exec{}); err == nil ||
		!strings.Contains(err.Error(), `context "gke_x"`) || !strings.Contains(clierr.FixOf(err), "--registry") {
		t.Errorf("unknown cluster: got %v", err)
	}
	l, _ := NewLoadStep(Cluster{Kind: Minikube, Name: "minikube", Context: "minikube"}, "", b, command.Exec{})
	err := l.Run(context.Background(), new(bytes.Buffer))
	if err == nil || !strings.Contains(err.Error(), "minikube not found on PATH") || clierr.FixOf(err) == "" {
		t.Errorf("missing minikube: got %v", err)
	}
}

// KIND_EXPERIMENTAL_PROVIDER comes through settings: podman then runs the
// node containers even for a docker-built image.
func TestNodeEngine(t *testing.T) {
	tests := map[string]struct {
		builder  image.Kind
		provider string
		want     string
	}{
		"docker":                  {builder: image.Docker, want: "docker"},
		"podman builder":          {builder: image.Podman, want: "podman"},
		"buildah, podman's kind":  {builder: image.Buildah, provider: "podman", want: "podman"},
		"docker, docker provider": {builder: image.Docker, provider: "docker", want: "docker"},
	}
	for name, tc := range tests {
		if got := nodeEngine(image.Builder{Kind: tc.builder}, tc.provider); got != tc.want {
			t.Errorf("%s: nodeEngine = %q, want %q", name, got, tc.want)
		}
	}
}

// A registry on this machine is asked over its HTTP API, whatever the
// builder: buildah 1.28's `manifest inspect` has no --tls-verify, so asking
// through it always said "not there" and every up pushed again.
func TestLoadStepLocalRegistry(t *testing.T) {
	for _, kind := range []image.Kind{image.Buildah, image.Podman, image.Docker} {
		t.Run(string(kind), func(t *testing.T) {
			rig := standin.Install(t)
			b := built(t, rig, kind)
			var mu sync.Mutex
			have := map[string]bool{}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				if r.Method == http.MethodHead && have[r.URL.Path] {
					w.Header().Set("Content-Type", "application/vnd.docker.distribution.manifest.v2+json")
					w.Header().Set("Docker-Content-Digest", "sha256:"+strings.Repeat("a", 64))
					w.Header().Set("Content-Length", "2")
					return
				}
				http.NotFound(w, r)
			}))
			defer srv.Close()
			host := strings.TrimPrefix(srv.URL, "http://")
			l, err := NewLoadStep(Cluster{Kind: Registry}, host, b, command.Exec{})
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := l.Run(context.Background(), &out); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			if !l.Loaded || !strings.Contains(strings.Join(rig.Lines(), "\n"), " push ") {
				t.Fatalf("the registry lacks the tag, yet nothing was pushed: %q\n%s", rig.Lines(), out.String())
			}
			mu.Lock()
			have["/v2/todo-backend/manifests/"+b.Tag] = true
			mu.Unlock()
			rig.ResetCalls()
			out.Reset()
			if err := l.Run(context.Background(), &out); err != nil {
				t.Fatal(err)
			}
			if len(rig.Lines()) != 0 {
				t.Errorf("the registry has the tag, yet the builder ran: %q", rig.Lines())
			}
			if !strings.Contains(out.String(), "load skipped") {
				t.Errorf("no skip reported:\n%s", out.String())
			}
			if d := strings.Join(l.Describe(), "\n"); !strings.Contains(d, "HEAD http://"+host+"/v2/") {
				t.Errorf("Describe() does not show the registry check:\n%s", d)
			}
		})
	}
}
