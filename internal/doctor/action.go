package doctor

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/cluster"
	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/helmbin"
	"github.com/helm-todo/helm-todo/internal/image"
	"github.com/helm-todo/helm-todo/internal/kubeclient"
	"github.com/helm-todo/helm-todo/internal/postrendersetup"
	"github.com/helm-todo/helm-todo/internal/project"
	"github.com/helm-todo/helm-todo/internal/secrets"
	"github.com/helm-todo/helm-todo/internal/settings"
	"github.com/helm-todo/helm-todo/internal/version"
)

// Action is `helm todo doctor`: options in, Report out. It only asks
// (read-only probes); nothing is changed.
type Action struct {
	Settings    *settings.Settings
	Dir         string // where helm-todo.yaml is looked for
	EnvFile     string
	EnvFileSet  bool // --env-file given: a missing file fails
	AllowRemote bool
	// SkipBuild is up --skip-build's flow: nothing is built or loaded, so
	// neither the builder nor the cluster tool is judged.
	SkipBuild bool

	// Runner asks the builders, helm and the post-renderer; nil is
	// command.Exec.
	Runner command.Runner
	// LookPath finds a cluster tool; nil is exec.LookPath.
	LookPath func(string) (string, error)
	// ServerVersion asks the API server; nil connects to the kube-context.
	ServerVersion func(ctx context.Context) (string, error)
	// RegistryHosting reads the cluster's KEP-1755 ConfigMap; nil reads it
	// from the kube-context's cluster.
	RegistryHosting func(ctx context.Context) (*cluster.RegistryHosting, error)
}

// Report is the checklist.
type Report struct{ Checks []Check }

// Run runs every check; the error is non-nil when a required one failed.
func (a *Action) Run(ctx context.Context) (*Report, error) {
	a.defaults()
	s := a.Settings
	checks := []Check{a.builder(ctx)}
	if c, err := cluster.Detect(s.KubeConfig, s.KubeContext); err != nil {
		checks = append(checks, Check{Name: "kube-context", Level: Fail, Detail: err.Error(), Fix: "start a local cluster or pass --kubeconfig/--kube-context"})
	} else {
		checks = append(checks, a.delivery(ctx, c), Context(c.Kind.Name(), c.Context, c.Server, a.AllowRemote))
	}
	checks = append(checks,
		Probe(ctx, "cluster", "start the cluster (minikube start, ...) or check the kube-context", a.ServerVersion),
		Probe(ctx, "helm", "", a.helm),
		Helm3Plugins(postrendersetup.FindHelm3(ctx, a.Runner, s.Path, ""), s.HelmBin),
		a.postRenderer(ctx))
	checks = append(checks, a.project()...)
	return &Report{Checks: checks}, Result(checks)
}

func (a *Action) defaults() {
	if a.Runner == nil {
		a.Runner = command.Exec{}
	}
	if a.LookPath == nil {
		a.LookPath = exec.LookPath
	}
	if a.ServerVersion == nil {
		a.ServerVersion = a.serverVersion
	}
}

// builder checks the builder up would use: HELM_TODO_BUILDER, then
// helm-todo.yaml's build.builder, then the first that works.
func (a *Action) builder(ctx context.Context) Check {
	if a.SkipBuild {
		return Check{Name: "builder", Level: Skip, Detail: "not needed: --skip-build builds nothing"}
	}
	return Probe(ctx, "builder", "", func(ctx context.Context) (string, error) {
		name, from := a.Settings.Builder, "HELM_TODO_BUILDER"
		if name == "" {
			if p, err := project.Load(a.Dir, a.Settings.ResolvePluginDir()); err == nil && p.Build.Builder != "" {
				name, from = p.Build.Builder, "build.builder in "+filepath.Base(p.ConfigPath)
			}
		}
		kind, err := image.ParseKind(name)
		if err != nil {
			return "", err
		}
		if kind != image.Auto {
			b := image.Builder{Kind: kind}
			if err := b.Check(ctx, a.Runner); err != nil {
				return "", err
			}
			return fmt.Sprintf("%s (%s)", kind, from), nil
		}
		b, why, err := image.Detect(ctx, a.Runner, image.Builder{Kind: image.Auto})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s (%s)", b.Kind, why), nil
	})
}

func (a *Action) serverVersion(context.Context) (string, error) {
	kc, err := kubeclient.New(a.Settings)
	if err != nil {
		return "", err
	}
	kc.Config.Timeout = 10 * time.Second
	cs, err := kubernetes.NewForConfig(kc.Config)
	if err != nil {
		return "", err
	}
	v, err := cs.Discovery().ServerVersion()
	if err != nil {
		return "", fmt.Errorf("%s does not answer: %w", kc.Server, err)
	}
	return fmt.Sprintf("Kubernetes %s at %s", v.GitVersion, kc.Server), nil
}

func (a *Action) helm(ctx context.Context) (string, error) {
	bin := a.Settings.HelmBin
	res, err := a.Runner.Run(ctx, command.Cmd{Name: bin, Args: []string{"version", "--template", "{{.Version}}"}})
	if err != nil {
		return "", err
	}
	major, err := helmbin.ParseMajor(string(res.Stdout))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s %s (Helm %d)", bin, strings.TrimSpace(string(res.Stdout)), major), nil
}

func (a *Action) postRenderer(ctx context.Context) Check {
	bin := postrendersetup.Binary(a.Settings.ResolvePluginDir())
	res, err := a.Runner.Run(ctx, command.Cmd{Name: bin, Args: []string{"--version"}})
	return PostRenderer(bin, string(res.Stdout), err, version.Version)
}

// project checks what helm-todo.yaml and the env file decide.
func (a *Action) project() []Check {
	s := a.Settings
	p, err := project.Load(a.Dir, s.ResolvePluginDir())
	if err != nil {
		return []Check{{Name: "project", Level: Fail, Detail: err.Error(), Fix: "fix helm-todo.yaml (helm todo init writes a starter)"}}
	}
	envFile, err := p.EnvFileOr(a.EnvFile)
	if err != nil {
		return []Check{{Name: "secrets", Level: Fail, Detail: err.Error(), Fix: "pass the env file's full path"}}
	}
	return []Check{
		Secrets(envFile, a.EnvFileSet, s.Getenv),
		Standalone(p.Frontend.Context),
		APIURL(apiURLSources(p, envFile, s.Getenv)),
	}
}

// delivery checks how images will reach the cluster: a registry the
// cluster advertises (KEP-1755) wins, as it does for up, else the cluster
// kind's tool.
func (a *Action) delivery(ctx context.Context, c cluster.Cluster) Check {
	if a.SkipBuild {
		return Check{Name: "cluster tool", Level: Skip, Detail: "not needed: --skip-build loads no images"}
	}
	if p, err := project.Load(a.Dir, a.Settings.ResolvePluginDir()); err == nil && p.Build.Registry != "" {
		return Check{Name: "cluster tool", Level: OK, Detail: "none needed: images are pushed to " + p.Build.Registry + " (build.registry in helm-todo.yaml)"}
	}
	if c.Kind.RunsContainers() {
		h, err := a.registryHosting(ctx)
		if err != nil {
			return Check{Name: "cluster tool", Level: Fail, Detail: err.Error(), Fix: clierr.FixOf(err)}
		}
		if h != nil {
			return Check{Name: "cluster tool", Level: OK, Detail: fmt.Sprintf("none needed: the cluster advertises registry %s (%s/%s); images are pushed there", h.Host, cluster.RegistryHostingNamespace, cluster.RegistryHostingName)}
		}
	}
	return a.clusterTool(c)
}

func (a *Action) registryHosting(ctx context.Context) (*cluster.RegistryHosting, error) {
	if a.RegistryHosting != nil {
		return a.RegistryHosting(ctx)
	}
	kc, err := kubeclient.New(a.Settings)
	if err != nil {
		return nil, nil
	}
	return cluster.ReadRegistryHosting(ctx, kc.Clientset)
}

// clusterTool is the kind's own check: the program it loads images with.
func (a *Action) clusterTool(c cluster.Cluster) Check {
	t := c.Kind.Tool(c, a.LookPath)
	level := map[string]Level{"ok": OK, "warn": Warn, "fail": Fail}[t.Level]
	return Check{Name: "cluster tool", Level: level, Detail: t.Detail, Fix: t.Fix}
}

// apiURLSources collects NEXT_PUBLIC_API_URL from everywhere a build could
// take it: helm-todo.yaml, the environment, the env file and the
// frontend's own .env files.
func apiURLSources(p *project.Project, envFile string, getenv func(string) string) map[string]string {
	const key = "NEXT_PUBLIC_API_URL"
	src := map[string]string{}
	if v := p.Frontend.BuildArgs[key]; v != "" {
		src["helm-todo.yaml"] = v
	}
	if v := getenv(key); v != "" {
		src["environment"] = v
	}
	files := []string{envFile}
	for _, n := range []string{".env", ".env.local", ".env.production", ".env.production.local"} {
		files = append(files, filepath.Join(p.Frontend.Context, n))
	}
	for _, f := range files {
		if vals, err := secrets.ParseFile(f); err == nil && vals[key] != "" {
			src[f] = vals[key]
		}
	}
	return src
}
