package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/cluster"
	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/image"
	"github.com/helm-todo/helm-todo/internal/kubeclient"
	"github.com/helm-todo/helm-todo/internal/plan"
	"github.com/helm-todo/helm-todo/internal/project"
	"github.com/helm-todo/helm-todo/internal/settings"
)

const buildLong = `Build the backend and frontend images with the plugin's Dockerfiles
(docker/backend.Dockerfile, docker/frontend.Dockerfile) and the build contexts
from helm-todo.yaml.

The tag is a hash of the build inputs: the context's files minus the
dockerignore, the Dockerfile and the build args. When the builder already has
that tag, the build is skipped: unchanged sources cost nothing. --force or
--no-cache rebuild anyway.

The builder is docker when its daemon answers, else podman, else buildah
(--builder or HELM_TODO_BUILDER picks one). Extra builder arguments:
  --builder-global-arg  before the subcommand of every builder call, e.g.
                        --builder-global-arg=--storage-driver=vfs for buildah
  --builder-arg         to the build subcommand only, e.g.
                        --builder-arg=--isolation=chroot
HELM_TODO_BUILDER_GLOBAL_ARGS and HELM_TODO_BUILDER_ARGS (space-separated)
apply when the flags are not given.

--dry-run prints every command without running any (with --builder auto it
still asks docker/podman whether they answer, to pick the builder).`

// imageOptions are the flags build, load and up share.
type imageOptions struct {
	builder           string
	builderArgs       []string
	builderGlobalArgs []string
	pull              string
	force, noCache    bool
	cluster, registry string
	dryRun            bool
	flags             *pflag.FlagSet
}

func (o *imageOptions) addBuildFlags(fs *pflag.FlagSet) {
	o.flags = fs
	fs.StringVar(&o.builder, "builder", "", "image builder: docker, podman, buildah or auto (env HELM_TODO_BUILDER; default from helm-todo.yaml, else auto)")
	fs.StringArrayVar(&o.builderArgs, "builder-arg", nil, "extra argument for the builder's build command, repeatable (env HELM_TODO_BUILDER_ARGS)")
	fs.StringArrayVar(&o.builderGlobalArgs, "builder-global-arg", nil, "extra argument before every builder subcommand, repeatable (env HELM_TODO_BUILDER_GLOBAL_ARGS)")
	fs.StringVar(&o.pull, "pull", image.PullMissing, "base image pull policy: missing, never or always (docker only knows missing and always)")
	fs.BoolVar(&o.force, "force", false, "build (and load) even when the tag already exists")
	fs.BoolVar(&o.noCache, "no-cache", false, "build without the builder's layer cache (implies --force for the build)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print the commands without running them")
}

func (o *imageOptions) addLoadFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.cluster, "cluster", "", "cluster kind instead of detecting it: minikube, kind, k3d, docker-desktop or kwok, optionally KIND:NAME")
	fs.StringVar(&o.registry, "registry", "", "push images to this registry (e.g. registry.example.com/me) instead of loading them; default from helm-todo.yaml")
}

// builderFrom resolves the builder settings: flag, then env, then config.
func (o *imageOptions) builderFrom(s *settings.Settings, p *project.Project) (image.Builder, error) {
	name := o.builder
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
	switch o.pull {
	case image.PullMissing, image.PullNever, image.PullAlways:
	default:
		return image.Builder{}, clierr.Usagef("use --pull missing, never or always", "unknown pull policy %q", o.pull)
	}
	b := image.Builder{Kind: kind, Pull: o.pull, BuildArgs: o.builderArgs, GlobalArgs: o.builderGlobalArgs}
	if o.flags == nil || !o.flags.Changed("builder-arg") {
		b.BuildArgs = s.BuilderArgs
	}
	if o.flags == nil || !o.flags.Changed("builder-global-arg") {
		b.GlobalArgs = s.BuilderGlobalArgs
	}
	return b, nil
}

// plan loads the project and makes the delivery plan. withLoad adds the
// load steps after the builds.
func (o *imageOptions) plan(ctx context.Context, s *settings.Settings, out io.Writer, withLoad bool) (*cluster.Delivery, command.Runner, error) {
	wd, err := os.Getwd()
	if err != nil {
		return nil, nil, err
	}
	pluginDir := s.ResolvePluginDir()
	p, err := project.Load(wd, pluginDir)
	if err != nil {
		return nil, nil, err
	}
	b, err := o.builderFrom(s, p)
	if err != nil {
		return nil, nil, err
	}
	var runner command.Runner = command.Exec{}
	if o.dryRun {
		runner = command.DryRun{Out: out}
	}
	opts := cluster.Options{
		Builder:      b,
		Force:        o.force,
		NoCache:      o.noCache,
		Cluster:      o.cluster,
		Registry:     o.registry,
		KubeConfig:   s.KubeConfig,
		KubeContext:  s.KubeContext,
		KindProvider: s.KindProvider,
		PluginDir:    pluginDir,
		Probe:        command.Exec{},
		Runner:       runner,
	}
	if opts.Registry == "" {
		opts.Registry = p.Build.Registry
	}
	var d *cluster.Delivery
	if withLoad && opts.Registry == "" && opts.Cluster == "" {
		if opts.RegistryHosting, err = registryHosting(ctx, s); err != nil {
			return nil, nil, err
		}
	}
	if withLoad {
		d, err = cluster.PlanDelivery(ctx, p, opts)
	} else {
		d, err = cluster.PlanBuild(ctx, p, opts)
	}
	return d, runner, err
}

// registryHosting reads the KEP-1755 ConfigMap of the kube-context's
// cluster; a cluster helm-todo cannot reach has none.
func registryHosting(ctx context.Context, s *settings.Settings) (*cluster.RegistryHosting, error) {
	kc, err := kubeclient.New(s)
	if err != nil {
		return nil, nil
	}
	return cluster.ReadRegistryHosting(ctx, kc.Clientset)
}

// runDelivery prints what was decided, then prints or runs the steps.
func (o *imageOptions) runDelivery(ctx context.Context, d *cluster.Delivery, title string, steps []plan.Step, out io.Writer) error {
	for _, l := range append(d.Advice(), d.Summary()...) {
		fmt.Fprintln(out, l)
	}
	p := &plan.Plan{Title: title, Steps: steps}
	if o.dryRun {
		p.Print(out)
		return nil
	}
	_, err := p.Run(ctx, out)
	return err
}

func newBuildCmd(s *settings.Settings, out io.Writer) *cobra.Command {
	var o imageOptions
	cmd := &cobra.Command{
		Use:   "build",
		Short: "Build the backend and frontend images, tagged by a hash of their inputs",
		Long:  buildLong,
		Example: `  helm todo build                       # both images; unchanged inputs build nothing
  helm todo build --dry-run             # print the build commands and tags
  helm todo build --builder buildah     # no Docker daemon needed
  helm todo build --force --pull always # rebuild on fresh base images`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, _, err := o.plan(cmd.Context(), s, out, false)
			if err != nil {
				return err
			}
			steps := make([]plan.Step, 0, len(d.Builds))
			for _, b := range d.Builds {
				steps = append(steps, b)
			}
			if err := o.runDelivery(cmd.Context(), d, "build images", steps, out); err != nil || o.dryRun {
				return err
			}
			for _, b := range d.Builds {
				state := "up to date"
				if b.Result.Built {
					state = "built"
				}
				fmt.Fprintf(out, "%s image: %s (%s, %s)\n", b.Spec.Component, b.Ref(), state, sizeOr(b.Result.Size))
			}
			return nil
		},
	}
	o.addBuildFlags(cmd.Flags())
	return cmd
}

func sizeOr(s string) string {
	if s == "" {
		return "size unknown"
	}
	return s
}
