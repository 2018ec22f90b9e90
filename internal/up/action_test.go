package up

import (
	"bytes"
	"context"
	"errors"
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
	env := map[string]string{"HELM_PLUGIN_DIR": plugin, "HELM_BIN": "helm", "OPENROUTER_API_KEY": "k", "BETTER_AUTH_SECRET": "s", "VAPID_PRIVATE_KEY": "p", "VAPID_PUBLIC_KEY": "q"}
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
	for _, line := range []string{"helm: helm (Helm 4)", "podman push --tls-verify=false localhost:5000/me/todo-backend:", "helm plugin install " + plugin} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("the printed plan lacks %q:\n%s", line, out.String())
		}
	}
}

// A missing required secret stops up before anything is printed or run.
func TestActionRefusesMissingSecrets(t *testing.T) {
	root, plugin := t.TempDir(), t.TempDir()
	projectdir.Write(t, root, plugin, "build:\n  registry: r.example.com/me\n")
	s := settings.FromEnv(func(k string) string { return map[string]string{"HELM_PLUGIN_DIR": plugin, "HELM_BIN": "helm"}[k] })
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
