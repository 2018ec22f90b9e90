// Package build_test runs the helm-todo binary's build, load and init
// commands end to end, with recording stand-ins for docker, podman,
// buildah, minikube, kind and k3d on PATH (this machine has no container
// engine and no local cluster), the plugin's real Dockerfiles and its
// example apps.
package build_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/testsupport/standin"
)

var (
	bin     string // the helm-todo binary under test
	repoDir string // the plugin checkout: docker/, examples/
)

func TestMain(m *testing.M) {
	standin.Main()
	os.Exit(run(m))
}

func run(m *testing.M) int {
	wd, _ := os.Getwd()
	repoDir = filepath.Clean(filepath.Join(wd, "..", ".."))
	tmp, err := os.MkdirTemp("", "helm-todo-build-e2e")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(tmp)
	bin = filepath.Join(tmp, "helm-todo")
	build := exec.Command("go", "build", "-o", bin, "./cmd/helm-todo")
	build.Dir = repoDir
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

type result struct {
	out, err string
	code     int
}

// helmTodo runs the binary in dir with the stand-ins' PATH and a
// kubeconfig fixture ("" for none).
func helmTodo(t *testing.T, dir, kubeconfig string, args ...string) result {
	t.Helper()
	return helmTodoEnv(t, dir, kubeconfig, nil, args...)
}

// helmTodoEnv is helmTodo with extra environment, which wins.
func helmTodoEnv(t *testing.T, dir, kubeconfig string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cache := filepath.Join(t.TempDir(), "cache")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"XDG_CACHE_HOME=" + cache,
		"TMPDIR=" + t.TempDir(),
		"HELM_PLUGIN_DIR=" + repoDir,
		"HELM_TODO_STANDIN_DIR=" + os.Getenv("HELM_TODO_STANDIN_DIR"),
	}
	if kubeconfig != "" {
		cmd.Env = append(cmd.Env, "KUBECONFIG="+filepath.Join(repoDir, "internal/cluster/testdata", kubeconfig))
	}
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{out: stdout.String(), err: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.err, "goroutine ") || strings.Contains(r.err, "panic:") {
		t.Fatalf("stack trace on stderr:\n%s", r.err)
	}
	return r
}

// userRepo copies the plugin's example apps into a repository in the
// seed's layout, with a helm-todo.yaml.
func userRepo(t *testing.T, config string) string {
	t.Helper()
	root := t.TempDir()
	for src, dst := range map[string]string{"examples/todo-backend": "phase-3/backend", "examples/todo-frontend": "phase-3/frontend"} {
		if err := os.CopyFS(filepath.Join(root, dst), os.DirFS(filepath.Join(repoDir, src))); err != nil {
			t.Fatal(err)
		}
	}
	if config != "" {
		if err := os.WriteFile(filepath.Join(root, "helm-todo.yaml"), []byte(config), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func count(lines []string, sub string) int {
	n := 0
	for _, l := range lines {
		if strings.Contains(l, sub) {
			n++
		}
	}
	return n
}

func TestBuildThenUnchanged(t *testing.T) {
	rig := standin.Install(t, "docker", "buildah")
	rig.DockerDown() // this machine: a docker CLI, no daemon
	root := userRepo(t, "buildArgs:\n  NEXT_PUBLIC_API_URL: http://localhost:7860\n")

	r := helmTodo(t, filepath.Join(root, "phase-3"), "", "build")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.out, r.err)
	}
	for _, want := range []string{"builder: buildah (auto: docker daemon not answering; podman not found)", "backend: built docker.io/library/todo-backend:", "frontend image: docker.io/library/todo-frontend:"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("output lacks %q:\n%s", want, r.out)
		}
	}
	calls := rig.Lines()
	if count(calls, "buildah build") != 2 {
		t.Fatalf("want two builds:\n%s", strings.Join(calls, "\n"))
	}
	for _, c := range calls {
		if strings.HasPrefix(c, "buildah build") && strings.Contains(c, "frontend.Dockerfile") &&
			!strings.Contains(c, "--build-arg NEXT_PUBLIC_API_URL=http://localhost:7860") {
			t.Errorf("frontend build lacks its public build arg: %s", c)
		}
	}

	rig.ResetCalls()
	r = helmTodo(t, root, "", "build")
	if r.code != 0 || strings.Count(r.out, "build skipped") != 2 || count(rig.Lines(), "buildah build") != 0 {
		t.Fatalf("unchanged inputs: exit %d, calls %q\n%s", r.code, rig.Lines(), r.out)
	}

	// One changed source file: a new backend tag and one build.
	main := filepath.Join(root, "phase-3/backend/src/main.py")
	src, _ := os.ReadFile(main)
	os.WriteFile(main, append(src, []byte("\n# changed\n")...), 0o644)
	rig.ResetCalls()
	r = helmTodo(t, root, "", "build")
	if r.code != 0 || count(rig.Lines(), "buildah build") != 1 || count(rig.Lines(), "buildah build --format docker -f "+filepath.Join(repoDir, "docker/backend.Dockerfile")) != 1 {
		t.Fatalf("one changed file: exit %d, calls\n%s", r.code, strings.Join(rig.Lines(), "\n"))
	}
}

func TestBuildAndLoadDockerToKind(t *testing.T) {
	rig := standin.Install(t, "docker", "kind")
	root := userRepo(t, "")
	if r := helmTodo(t, root, "kind.yaml", "build"); r.code != 0 {
		t.Fatalf("build: %d %s %s", r.code, r.out, r.err)
	}
	rig.ResetCalls()
	r := helmTodo(t, root, "kind.yaml", "load")
	if r.code != 0 {
		t.Fatalf("load: %d %s %s", r.code, r.out, r.err)
	}
	var loads []string
	for _, c := range rig.Lines() {
		if strings.HasPrefix(c, "kind ") {
			loads = append(loads, c)
		}
	}
	if len(loads) != 2 || !strings.HasPrefix(loads[0], "kind load docker-image todo-backend:") || !strings.HasSuffix(loads[0], " --name dev") ||
		!strings.HasPrefix(loads[1], "kind load docker-image todo-frontend:") {
		t.Errorf("kind loads: %q", loads)
	}
	rig.ResetCalls()
	r = helmTodo(t, root, "kind.yaml", "load")
	if r.code != 0 || count(rig.Lines(), "kind load") != 0 || strings.Count(r.out, "load skipped") != 2 {
		t.Errorf("second load: exit %d calls %q\n%s", r.code, rig.Lines(), r.out)
	}
}

func TestDryRunRunsNothing(t *testing.T) {
	rig := standin.Install(t)
	root := userRepo(t, "")
	for _, args := range [][]string{
		{"build", "--dry-run", "--builder", "podman"},
		{"load", "--dry-run", "--builder", "buildah", "--builder-global-arg=--storage-driver=vfs"},
		{"load", "--dry-run", "--builder", "docker", "--registry", "localhost:5000"},
	} {
		r := helmTodo(t, root, "k3d.yaml", args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d %s", args, r.code, r.err)
		}
		if calls := rig.Lines(); len(calls) != 0 {
			t.Errorf("%v ran %q", args, calls)
		}
		if !strings.Contains(r.out, "plan: ") {
			t.Errorf("%v printed no plan:\n%s", args, r.out)
		}
	}
	r := helmTodo(t, root, "k3d.yaml", "load", "--dry-run", "--builder", "buildah", "--builder-global-arg=--storage-driver=vfs")
	for _, want := range []string{"buildah --storage-driver=vfs push docker.io/library/todo-backend:", "k3d image import ", " -c mycluster"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("dry-run load lacks %q:\n%s", want, r.out)
		}
	}
}

func TestErrors(t *testing.T) {
	tests := map[string]struct {
		config     string
		kubeconfig string
		args       []string
		setup      func(rig *standin.Rig)
		code       int
		want       string
	}{
		"unknown field":   {config: "backend:\n  contxt: api\n", args: []string{"build"}, code: 2, want: `unknown field "contxt"`},
		"missing context": {config: "frontend:\n  context: web\n", args: []string{"build"}, code: 2, want: "frontend build context"},
		"unknown cluster": {kubeconfig: "gke.yaml", args: []string{"load", "--builder", "docker"}, code: 2, want: "--registry"},
		"daemon down":     {args: []string{"build", "--builder", "docker"}, setup: func(r *standin.Rig) { r.DockerDown() }, code: 1, want: "the docker daemon is not answering"},
		"bad builder":     {args: []string{"build", "--builder", "kaniko"}, code: 2, want: `unknown builder "kaniko"`},
		"failing build": {args: []string{"build", "--builder", "buildah"}, code: 1,
			setup: func(r *standin.Rig) {
				r.FailBuild(`Error: building at STEP "COPY missing /x": no such file or directory`)
			},
			want: `buildah exited with code 1: Error: building at STEP "COPY missing /x": no such file or directory`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			rig := standin.Install(t)
			if tc.setup != nil {
				tc.setup(rig)
			}
			r := helmTodo(t, userRepo(t, tc.config), tc.kubeconfig, tc.args...)
			if r.code != tc.code || !strings.Contains(r.err, tc.want) {
				t.Fatalf("exit %d, want %d with %q; stderr:\n%s", r.code, tc.code, tc.want, r.err)
			}
			lines := strings.Split(strings.TrimSpace(r.err), "\n")
			if len(lines) != 2 || !strings.HasPrefix(lines[0], "error: ") || !strings.HasPrefix(lines[1], "fix: ") {
				t.Errorf("want exactly an error line and a fix line, got:\n%s", r.err)
			}
		})
	}
}

func TestNotStandaloneWarns(t *testing.T) {
	standin.Install(t)
	root := userRepo(t, "")
	for _, name := range []string{"next.config.mjs", "next.config.js", "next.config.ts"} {
		os.Remove(filepath.Join(root, "phase-3/frontend", name))
	}
	os.WriteFile(filepath.Join(root, "phase-3/frontend/next.config.mjs"), []byte("export default { reactStrictMode: true }\n"), 0o644)
	r := helmTodo(t, root, "", "build", "--dry-run", "--builder", "docker")
	if r.code != 0 || !strings.Contains(r.out, "warning: ") || !strings.Contains(r.out, `output: "standalone"`) {
		t.Errorf("exit %d, want a standalone warning:\n%s", r.code, r.out)
	}
}

func TestExamplesFallback(t *testing.T) {
	standin.Install(t)
	r := helmTodo(t, t.TempDir(), "", "build", "--dry-run", "--builder", "docker")
	if r.code != 0 || !strings.Contains(r.out, "using the plugin's example apps") || !strings.Contains(r.out, filepath.Join(repoDir, "examples/todo-backend")) {
		t.Errorf("exit %d:\n%s\n%s", r.code, r.out, r.err)
	}
}

func TestInit(t *testing.T) {
	standin.Install(t)
	root := userRepo(t, "")
	r := helmTodo(t, root, "", "init")
	if r.code != 0 || !strings.Contains(r.out, "wrote ") {
		t.Fatalf("init: %d %s %s", r.code, r.out, r.err)
	}
	data, _ := os.ReadFile(filepath.Join(root, "helm-todo.yaml"))
	if !strings.Contains(string(data), "context: phase-3/backend") {
		t.Errorf("starter did not pick up the layout:\n%s", data)
	}
	// The env file holds the secrets: init keeps it out of git.
	if gi, _ := os.ReadFile(filepath.Join(root, ".gitignore")); !strings.Contains(string(gi), "/.env\n") {
		t.Errorf(".gitignore after init does not list /.env:\n%s", gi)
	}
	if r := helmTodo(t, root, "", "init"); r.code != 2 || !strings.Contains(r.err, "already exists") {
		t.Errorf("second init: %d %s", r.code, r.err)
	}
	// The starter is a valid config: build reads it.
	if r := helmTodo(t, root, "", "build", "--dry-run", "--builder", "docker"); r.code != 0 || strings.Contains(r.out, "no helm-todo.yaml") {
		t.Errorf("build after init: %d %s %s", r.code, r.out, r.err)
	}
}
