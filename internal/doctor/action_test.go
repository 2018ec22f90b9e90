package doctor

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/cluster"
	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/settings"
	"github.com/helm-todo/helm-todo/internal/testsupport/projectdir"
	"github.com/helm-todo/helm-todo/internal/version"
)

// answers is a runner that answers by program name and fails the rest.
type answers map[string]string

func (a answers) Run(_ context.Context, c command.Cmd) (command.Result, error) {
	if out, ok := a[filepath.Base(c.Name)]; ok {
		return command.Result{Stdout: []byte(out)}, nil
	}
	return command.Result{}, errors.New(c.Name + ": not found")
}

func TestActionChecklist(t *testing.T) {
	root, plugin := t.TempDir(), t.TempDir()
	projectdir.Write(t, root, plugin, "backend: {context: backend}\n")
	kubeconfig, err := filepath.Abs("../cluster/testdata/kind.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HELM_PLUGIN_DIR": plugin, "HELM_BIN": "helm", "KUBECONFIG": kubeconfig, "OPENROUTER_API_KEY": "x", "BETTER_AUTH_SECRET": "x", "VAPID_PRIVATE_KEY": "x"}
	base := func() *Action {
		return &Action{
			Settings: settings.FromEnv(func(k string) string { return env[k] }), Dir: root,
			Runner:          answers{"podman": "amd64", "helm": "v3.18.4", "helm-todo-postrender": version.Version},
			LookPath:        func(tool string) (string, error) { return "/usr/bin/" + tool, nil },
			ServerVersion:   func(context.Context) (string, error) { return "Kubernetes v1.31.0 at https://127.0.0.1:40123", nil },
			RegistryHosting: func(context.Context) (*cluster.RegistryHosting, error) { return nil, nil },
		}
	}
	levels := func(r *Report) map[string]Level {
		m := map[string]Level{}
		for _, c := range r.Checks {
			m[c.Name] = c.Level
		}
		return m
	}

	// VAPID_PUBLIC_KEY is missing: secrets fail, and so does the run.
	r, err := base().Run(context.Background())
	got := levels(r)
	want := map[string]Level{"builder": OK, "cluster tool": OK, "kube-context": OK, "cluster": OK, "helm": OK, "post-renderer": OK, "secrets": Fail}
	for name, lvl := range want {
		if got[name] != lvl {
			t.Errorf("%s: %s, want %s (all: %v)", name, got[name], lvl, got)
		}
	}
	if err == nil {
		t.Error("a failed secrets check returned no error")
	}

	env["VAPID_PUBLIC_KEY"] = "x"
	if r, err := base().Run(context.Background()); err != nil {
		t.Errorf("everything in place, yet: %v\n%v", err, r.Checks)
	}
	a := base()
	a.LookPath = func(string) (string, error) { return "", os.ErrNotExist }
	r, err = a.Run(context.Background())
	if got := levels(r); got["secrets"] != OK || got["cluster tool"] != Fail || err == nil {
		t.Errorf("kind without the kind tool: %v, err %v; want secrets ok, cluster tool FAIL and an error", got, err)
	}
}

// Doctor judges what up would use: the builder helm-todo.yaml names, and a
// registry the cluster advertises instead of the kind's load tool (both
// were missed on the real node rig: doctor said podman and kwok while up
// built with buildah and pushed to the advertised registry).
func TestActionFollowsProjectAndCluster(t *testing.T) {
	root, plugin := t.TempDir(), t.TempDir()
	projectdir.Write(t, root, plugin, "backend: {context: backend}\nbuild: {builder: buildah}\n")
	kubeconfig, err := filepath.Abs("../cluster/testdata/kind.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HELM_PLUGIN_DIR": plugin, "HELM_BIN": "helm", "KUBECONFIG": kubeconfig}
	check := func(r *Report, name string) Check {
		for _, c := range r.Checks {
			if c.Name == name {
				return c
			}
		}
		t.Fatalf("no %s check in %v", name, r.Checks)
		return Check{}
	}
	a := &Action{
		Settings: settings.FromEnv(func(k string) string { return env[k] }), Dir: root,
		Runner:        answers{"podman": "amd64", "helm": "v3.18.4", "helm-todo-postrender": version.Version},
		LookPath:      func(string) (string, error) { return "", os.ErrNotExist },
		ServerVersion: func(context.Context) (string, error) { return "Kubernetes v1.31.0", nil },
		RegistryHosting: func(context.Context) (*cluster.RegistryHosting, error) {
			return &cluster.RegistryHosting{Host: "127.0.0.1:5000"}, nil
		},
	}
	r, _ := a.Run(context.Background())
	if b := check(r, "builder"); b.Level != Fail || !strings.Contains(b.Detail+b.Fix, "buildah") {
		t.Errorf("helm-todo.yaml names buildah, which does not answer; builder check: %+v", b)
	}
	if c := check(r, "cluster tool"); c.Level != OK || !strings.Contains(c.Detail, "127.0.0.1:5000") {
		t.Errorf("the cluster advertises a registry, so no kind tool is needed; got %+v", c)
	}
	a.Runner = answers{"buildah": "1.28", "helm": "v3.18.4", "helm-todo-postrender": version.Version}
	r, _ = a.Run(context.Background())
	if b := check(r, "builder"); b.Level != OK || !strings.HasPrefix(b.Detail, "buildah (build.builder in helm-todo.yaml)") {
		t.Errorf("builder check with buildah answering: %+v", b)
	}
}

// With --skip-build nothing is built or loaded: a machine with no builder
// and no cluster tool passes, and says it skipped them rather than failing.
func TestActionSkipBuild(t *testing.T) {
	root, plugin := t.TempDir(), t.TempDir()
	projectdir.Write(t, root, plugin, "backend: {context: backend}\n")
	kubeconfig, err := filepath.Abs("../cluster/testdata/kind.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HELM_PLUGIN_DIR": plugin, "HELM_BIN": "helm", "KUBECONFIG": kubeconfig, "OPENROUTER_API_KEY": "x", "BETTER_AUTH_SECRET": "x", "VAPID_PRIVATE_KEY": "x", "VAPID_PUBLIC_KEY": "x"}
	for _, skip := range []bool{false, true} {
		a := &Action{
			Settings: settings.FromEnv(func(k string) string { return env[k] }), Dir: root, SkipBuild: skip,
			// no docker, podman or buildah answers
			Runner:          answers{"helm": "v3.18.4", "helm-todo-postrender": version.Version},
			LookPath:        func(string) (string, error) { return "", os.ErrNotExist },
			ServerVersion:   func(context.Context) (string, error) { return "Kubernetes v1.31.0 at https://127.0.0.1:40123", nil },
			RegistryHosting: func(context.Context) (*cluster.RegistryHosting, error) { return nil, nil },
		}
		r, err := a.Run(context.Background())
		got := map[string]Level{}
		for _, c := range r.Checks {
			got[c.Name] = c.Level
		}
		want, wantErr := Fail, true
		if skip {
			want, wantErr = Skip, false
		}
		if got["builder"] != want || got["cluster tool"] != want || (err != nil) != wantErr {
			t.Errorf("SkipBuild=%v: builder %s, cluster tool %s, err %v; want both %s", skip, got["builder"], got["cluster tool"], err, want)
		}
	}
}
