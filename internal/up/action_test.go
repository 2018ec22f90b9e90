package up

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/helm-todo/helm-todo/internal/cluster"
	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/delivery"
	"github.com/helm-todo/helm-todo/internal/settings"
	"github.com/helm-todo/helm-todo/internal/testsupport/projectdir"
)

// probe answers helm's version and records every question asked.
type probe struct{ asked []string }

func (p *probe) Run(_ context.Context, c command.Cmd) (command.Result, error) {
	p.asked = append(p.asked, c.String())
	if c.Name == "helm" {
		return command.Result{Stdout: []byte("v4.1.0")}, nil
	}
	return command.Result{}, nil
}

// The up action resolves helm-todo.yaml, env and flags into one plan and,
// dry, only prints it: no cluster, no builder, no helm call beyond version.
func TestActionDryRun(t *testing.T) {
	root, plugin := t.TempDir(), t.TempDir()
	projectdir.Write(t, root, plugin, "release: shop\nnamespace: shop-ns\nbuild:\n  builder: podman\n  registry: localhost:5000/me\n")
	env := map[string]string{"HELM_PLUGIN_DIR": plugin, "HELM_BIN": "helm", "HELM_DATA_HOME": "/d", "HELM_PLUGINS": "/d/plugins", "OPENROUTER_API_KEY": "k", "BETTER_AUTH_SECRET": "s", "VAPID_PRIVATE_KEY": "p", "VAPID_PUBLIC_KEY": "q"}
	s := settings.FromEnv(func(k string) string { return env[k] })
	var out bytes.Buffer
	pr := &probe{}
	a := &Action{
		Images: delivery.Options{Settings: s, Dir: root, Out: &out, DryRun: true, Probe: pr,
			RegistryHosting: func(context.Context) (*cluster.RegistryHosting, error) {
				return nil, errors.New("a registry is given: not read")
			}},
		BackendTag: "pinned", Timeout: 5 * time.Minute,
		Client: func() (kubernetes.Interface, error) { return nil, errors.New("dry run must not connect") },
	}
	r, err := a.Run(context.Background())
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	var names []string
	for _, st := range r.Plan.Steps {
		names = append(names, st.Name())
	}
	want := []string{"build backend", "build frontend", "load backend into registry localhost:5000/me", "load frontend into registry localhost:5000/me", "namespace", "lease", "secrets", "deploy", "wait", "report"}
	if !slices.Equal(names, want) {
		t.Errorf("steps %q, want %q", names, want)
	}
	d := r.Options.Deploy
	if d.Release != "shop" || d.Namespace != "shop-ns" || d.Major != 4 {
		t.Errorf("release %q namespace %q major %d, want shop, shop-ns, 4 from helm-todo.yaml and helm", d.Release, d.Namespace, d.Major)
	}
	if img := d.Images["backend"]; img.Repository != "localhost:5000/me/todo-backend" || img.Tag != "pinned" {
		t.Errorf("backend image %+v, want the registry's repository and --backend-tag", img)
	}
	if img := d.Images["frontend"]; img.Tag == "" || img.Tag == "pinned" {
		t.Errorf("frontend tag %q, want its content hash", img.Tag)
	}
	if !r.DryRun || r.Options.Cluster.Kind != cluster.Registry {
		t.Errorf("dry run %v, cluster %s", r.DryRun, r.Options.Cluster)
	}
	if len(pr.asked) != 1 || pr.asked[0] != "helm version --template '{{.Version}}'" {
		t.Errorf("a dry run asked %q; only helm's version may be asked", pr.asked)
	}
	// Helm 4's deploy finds the post-renderer in helm-todo's own plugin
	// directory, which no Helm 3 scans; nothing goes into the shared one.
	if got := strings.Join(d.Env, " "); got != "HELM_PLUGINS=/d/helm-todo-helm4/plugins:/d/plugins" {
		t.Errorf("deploy env %q, want helm-todo's own plugin directory first in HELM_PLUGINS", got)
	}
	for _, line := range []string{"helm: helm (Helm 4)", "podman push --tls-verify=false localhost:5000/me/todo-backend:",
		"HELM_DATA_HOME=/d/helm-todo-helm4 HELM_PLUGINS=/d/helm-todo-helm4/plugins helm plugin install " + plugin,
		"HELM_PLUGINS=/d/helm-todo-helm4/plugins:/d/plugins helm upgrade --install shop"} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("the printed plan lacks %q:\n%s", line, out.String())
		}
	}
}

// A missing required secret stops up before anything is printed or run.
func TestActionRefusesMissingSecrets(t *testing.T) {
	root, plugin := t.TempDir(), t.TempDir()
	projectdir.Write(t, root, plugin, "build:\n  registry: r.example.com/me\n")
	s := settings.FromEnv(func(k string) string {
		return map[string]string{"HELM_PLUGIN_DIR": plugin, "HELM_BIN": "helm", "HELM_DATA_HOME": "/d", "HELM_PLUGINS": "/d/plugins"}[k]
	})
	var out bytes.Buffer
	a := &Action{Timeout: time.Minute, Images: delivery.Options{Settings: s, Dir: root, Out: &out, DryRun: true, Builder: "docker", Probe: &probe{}}}
	_, err := a.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "OPENROUTER_API_KEY") {
		t.Fatalf("error %v, want the missing keys named", err)
	}
	if out.Len() != 0 {
		t.Errorf("printed before refusing:\n%s", out.String())
	}
}

// --skip-build names the images as a build and load would: under
// build.registry of helm-todo.yaml (beaten by --registry), else under the
// registry the cluster publishes, by the host its nodes pull from.
func TestActionSkipBuildNamesImages(t *testing.T) {
	for _, tc := range []struct {
		name, config, registry string
		hosting                *cluster.RegistryHosting
		want                   string
	}{
		{"build.registry", "build:\n  registry: localhost:5000/me\n", "", nil, "localhost:5000/me/todo-backend"},
		{"--registry beats it", "build:\n  registry: localhost:5000/me\n", "r.example.com/you", nil, "r.example.com/you/todo-backend"},
		{"published registry", "", "", &cluster.RegistryHosting{Host: "localhost:5000", HostFromContainerRuntime: "10.0.0.1:5000"}, "10.0.0.1:5000/todo-backend"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, plugin := t.TempDir(), t.TempDir()
			projectdir.Write(t, root, plugin, tc.config)
			env := map[string]string{"HELM_PLUGIN_DIR": plugin, "HELM_BIN": "helm", "HELM_DATA_HOME": "/d", "HELM_PLUGINS": "/d/plugins", "OPENROUTER_API_KEY": "k", "BETTER_AUTH_SECRET": "s", "VAPID_PRIVATE_KEY": "p", "VAPID_PUBLIC_KEY": "q"}
			var out bytes.Buffer
			a := &Action{
				Images: delivery.Options{Settings: settings.FromEnv(func(k string) string { return env[k] }), Dir: root, Out: &out, DryRun: true, Probe: &probe{},
					Registry:        tc.registry,
					RegistryHosting: func(context.Context) (*cluster.RegistryHosting, error) { return tc.hosting, nil }},
				SkipBuild: true, BackendTag: "pinned", Timeout: time.Minute,
			}
			r, err := a.Run(context.Background())
			if err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			if img := r.Options.Deploy.Images["backend"]; img.Repository != tc.want || img.Tag != "pinned" {
				t.Errorf("backend image %+v, want %s:pinned", img, tc.want)
			}
			if r.Options.Cluster.Kind != cluster.Registry {
				t.Errorf("cluster %s, want a registry", r.Options.Cluster)
			}
			for _, st := range r.Plan.Steps {
				if strings.HasPrefix(st.Name(), "build") || strings.HasPrefix(st.Name(), "load") {
					t.Errorf("--skip-build planned %q", st.Name())
				}
			}
		})
	}
}

// dev's up passes the chart's short probe periods before the project's and
// the user's values files, so theirs win; plain up passes none.
func TestActionDevProbeValues(t *testing.T) {
	for _, dev := range []bool{false, true} {
		root, plugin := t.TempDir(), t.TempDir()
		projectdir.Write(t, root, plugin, "valuesFiles: [project.yaml]\nbuild:\n  registry: localhost:5000/me\n")
		if err := os.WriteFile(filepath.Join(root, "project.yaml"), []byte("{}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		env := map[string]string{"HELM_PLUGIN_DIR": plugin, "HELM_BIN": "helm", "HELM_DATA_HOME": "/d", "HELM_PLUGINS": "/d/plugins", "OPENROUTER_API_KEY": "k", "BETTER_AUTH_SECRET": "s", "VAPID_PRIVATE_KEY": "p", "VAPID_PUBLIC_KEY": "q"}
		a := &Action{
			Images: delivery.Options{Settings: settings.FromEnv(func(k string) string { return env[k] }), Dir: root, Out: &bytes.Buffer{}, DryRun: true, Probe: &probe{},
				RegistryHosting: func(context.Context) (*cluster.RegistryHosting, error) { return nil, nil }},
			SkipBuild: true, BackendTag: "pinned", Timeout: time.Minute, ValuesFiles: []string{"mine.yaml"}, Dev: dev,
		}
		r, err := a.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var values []string
		args := r.Options.Deploy.Args()
		for i, arg := range args {
			if arg == "--values" {
				values = append(values, args[i+1])
			}
		}
		user := []string{filepath.Join(root, "project.yaml"), "mine.yaml"}
		want := user
		if dev {
			want = append([]string{plugin + "/charts/todo-app/" + DevProbeValues}, want...)
		}
		if !slices.Equal(values, want) {
			t.Errorf("dev %v: --values %q, want %q", dev, values, want)
		}
		if got := r.Options.Deploy.ValuesFiles; !slices.Equal(got, user) {
			t.Errorf("dev %v: ValuesFiles %q: the chart's own file must not be among the user's (dev watches those)", dev, got)
		}
	}
}

// A major read from helm's build information starts no helm; without an
// answer, helm is asked.
func TestActionKnownMajor(t *testing.T) {
	for _, tc := range []struct {
		name      string
		known     func(string) (int, bool)
		wantMajor int
		wantAsked []string
	}{
		{"build info", func(string) (int, bool) { return 3, true }, 3, nil},
		{"no answer", func(string) (int, bool) { return 0, false }, 4, []string{"helm version --template '{{.Version}}'"}},
		{"not given", nil, 4, []string{"helm version --template '{{.Version}}'"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, plugin := t.TempDir(), t.TempDir()
			projectdir.Write(t, root, plugin, "build:\n  registry: localhost:5000/me\n")
			env := map[string]string{"HELM_PLUGIN_DIR": plugin, "HELM_BIN": "helm", "HELM_DATA_HOME": "/d", "HELM_PLUGINS": "/d/plugins", "OPENROUTER_API_KEY": "k", "BETTER_AUTH_SECRET": "s", "VAPID_PRIVATE_KEY": "p", "VAPID_PUBLIC_KEY": "q"}
			pr := &probe{}
			a := &Action{
				Images: delivery.Options{Settings: settings.FromEnv(func(k string) string { return env[k] }), Dir: root, Out: &bytes.Buffer{}, DryRun: true, Probe: pr,
					RegistryHosting: func(context.Context) (*cluster.RegistryHosting, error) { return nil, nil }},
				SkipBuild: true, BackendTag: "pinned", Timeout: time.Minute, KnownMajor: tc.known,
			}
			if tc.wantMajor == 3 {
				// Helm 3 runs the post-renderer by path: it must exist.
				if err := os.MkdirAll(filepath.Join(plugin, "bin"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(plugin, "bin", "helm-todo-postrender"), nil, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			r, err := a.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if r.Options.Deploy.Major != tc.wantMajor || !slices.Equal(pr.asked, tc.wantAsked) {
				t.Errorf("major %d, asked %q; want %d, %q", r.Options.Deploy.Major, pr.asked, tc.wantMajor, tc.wantAsked)
			}
		})
	}
}
