// Package delivery holds the build and load actions (`helm todo build`,
// `helm todo load`) and the delivery plan up shares with them: flags, env
// and helm-todo.yaml resolved into builds and loads.
package delivery

import (
	"context"
	"io"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/cluster"
	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/image"
	"github.com/helm-todo/helm-todo/internal/kubeclient"
	"github.com/helm-todo/helm-todo/internal/project"
	"github.com/helm-todo/helm-todo/internal/settings"
)

// Options are what build, load and up share: the CLI binds its flags here.
type Options struct {
	Settings *settings.Settings
	// Dir is where helm-todo.yaml is looked for (the working directory).
	Dir string
	// Project, when set, is the helm-todo.yaml already loaded from Dir.
	Project *project.Project

	Builder              string
	BuilderArgs          []string
	BuilderGlobalArgs    []string
	BuilderArgsSet       bool // --builder-arg given: beats the env
	BuilderGlobalArgsSet bool // --builder-global-arg given: beats the env
	Pull                 string
	Force, NoCache       bool
	Cluster, Registry    string
	DryRun               bool

	// Out receives progress, or the plan for DryRun.
	Out io.Writer
	// Probe runs read-only questions (is the docker daemon up?) even for
	// DryRun; nil is command.Exec.
	Probe command.Runner
	// Runner runs the steps; nil is command.Exec, or command.DryRun.
	Runner command.Runner
	// RegistryHosting reads the cluster's KEP-1755 ConfigMap; nil reads it
	// from the kube-context.
	RegistryHosting func(ctx context.Context) (*cluster.RegistryHosting, error)
}

// Planned is a delivery plan with the project and runner it was made for.
type Planned struct {
	*Images
	Project *project.Project
	Runner  command.Runner
}

func (o *Options) probe() command.Runner {
	if o.Probe == nil {
		return command.Exec{}
	}
	return o.Probe
}

func (o *Options) runner() command.Runner {
	switch {
	case o.Runner != nil:
		return o.Runner
	case o.DryRun:
		return command.DryRun{Out: o.Out}
	}
	return command.Exec{}
}

// builder resolves the builder settings: flag, then env, then config.
func (o *Options) builder(p *project.Project) (image.Builder, error) {
	s := o.Settings
	name := o.Builder
	if name == "" {
		name = s.Builder
	}
	if name == "" {
		name = p.Build.Builder
	}
	kind, err := image.ParseKind(name)
	if err != nil {
		return image.Builder{}, err
	}
	pull := o.Pull
	if pull == "" {
		pull = image.PullMissing
	}
	switch pull {
	case image.PullMissing, image.PullNever, image.PullAlways:
	default:
		return image.Builder{}, clierr.Usagef("use --pull missing, never or always", "unknown pull policy %q", o.Pull)
	}
	b := image.Builder{Kind: kind, Pull: pull, BuildArgs: o.BuilderArgs, GlobalArgs: o.BuilderGlobalArgs}
	if !o.BuilderArgsSet {
		b.BuildArgs = s.BuilderArgs
	}
	if !o.BuilderGlobalArgsSet {
		b.GlobalArgs = s.BuilderGlobalArgs
	}
	return b, nil
}

// target is where images go, without planning builds: the --cluster or
// registry given, else the registry the cluster publishes, else the
// detected kind. An undetectable cluster is the zero Cluster.
func (o *Options) target(ctx context.Context, registry string) (cluster.Cluster, error) {
	to := cluster.Options{Cluster: o.Cluster, Registry: registry, KubeConfig: o.Settings.KubeConfig, KubeContext: o.Settings.KubeContext}
	if to.Registry == "" && to.Cluster == "" {
		var err error
		if to.RegistryHosting, err = o.registryHosting(ctx); err != nil {
			return cluster.Cluster{}, err
		}
	}
	c, err := cluster.Target(to)
	if err != nil {
		return cluster.Cluster{}, nil // up reports "cluster: unknown" and helm says why
	}
	return c, nil
}

// PlanNames is what up --skip-build deploys: the builds' tags, with the
// images named as a load to the target would name them (build.registry of
// helm-todo.yaml included), and nothing built, loaded or run. An unknown
// target leaves the build's own names.
func (o *Options) PlanNames(ctx context.Context) (*Planned, error) {
	pl, err := o.Plan(ctx, false)
	if err != nil {
		return nil, err
	}
	registry := o.Registry
	if registry == "" {
		registry = pl.Project.Build.Registry
	}
	c, err := o.target(ctx, registry)
	if err != nil || c.Kind == nil {
		return pl, err
	}
	pl.Cluster = c
	if c.Kind == cluster.Registry && registry == "" {
		registry = c.Name // the published registry
	}
	for _, b := range pl.Builds {
		l, err := cluster.NewLoadStep(c, registry, b, pl.Runner)
		if err != nil {
			return pl, nil
		}
		pl.Loads = append(pl.Loads, l)
	}
	return pl, nil
}

// Plan loads the project and plans the builds, and with withLoad the loads
// after them.
func (o *Options) Plan(ctx context.Context, withLoad bool) (*Planned, error) {
	s := o.Settings
	pluginDir := s.ResolvePluginDir()
	p, err := o.Project, error(nil)
	if p == nil {
		if p, err = project.Load(o.Dir, pluginDir); err != nil {
			return nil, err
		}
	}
	b, err := o.builder(p)
	if err != nil {
		return nil, err
	}
	in := planInput{
		Builder: b, Force: o.Force, NoCache: o.NoCache,
		Target:       cluster.Options{Cluster: o.Cluster, Registry: o.Registry, KubeConfig: s.KubeConfig, KubeContext: s.KubeContext},
		KindProvider: s.KindProvider, PluginDir: pluginDir, Probe: o.probe(), Runner: o.runner(),
		DryRun: o.DryRun,
	}
	if in.Target.Registry == "" {
		in.Target.Registry = p.Build.Registry
	}
	var d *Images
	if withLoad {
		if in.Target.Registry == "" && in.Target.Cluster == "" {
			if in.Target.RegistryHosting, err = o.registryHosting(ctx); err != nil {
				return nil, err
			}
		}
		d, err = planDelivery(ctx, p, in)
	} else {
		d, err = planBuild(ctx, p, in)
	}
	if err != nil {
		return nil, err
	}
	return &Planned{Images: d, Project: p, Runner: in.Runner}, nil
}

// registryHosting reads the KEP-1755 ConfigMap of the kube-context's
// cluster; a cluster helm-todo cannot reach has none.
func (o *Options) registryHosting(ctx context.Context) (*cluster.RegistryHosting, error) {
	if o.RegistryHosting != nil {
		return o.RegistryHosting(ctx)
	}
	kc, err := kubeclient.New(o.Settings)
	if err != nil {
		return nil, nil
	}
	return cluster.ReadRegistryHosting(ctx, kc.Clientset)
}
