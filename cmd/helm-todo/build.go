package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/helm-todo/helm-todo/internal/cluster"
	"github.com/helm-todo/helm-todo/internal/delivery"
	"github.com/helm-todo/helm-todo/internal/image"
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
still asks docker/podman whether they answer, to pick the builder; when none
does, it shows docker's commands and says that no builder is installed).`

// imageOptions binds the flags build, load and up share onto the delivery
// options.
type imageOptions struct {
	delivery.Options
	flags *pflag.FlagSet
}

// addBuildFlags adds the flags of commands that build: the builder flags
// and those only a build reads.
func (o *imageOptions) addBuildFlags(fs *pflag.FlagSet) {
	o.addBuilderFlags(fs)
	fs.StringArrayVar(&o.BuilderArgs, "builder-arg", nil, "extra argument for the builder's build command, repeatable (env HELM_TODO_BUILDER_ARGS)")
	fs.StringVar(&o.Pull, "pull", image.PullMissing, "base image pull policy: missing, never or always (docker only knows missing and always)")
	fs.BoolVar(&o.NoCache, "no-cache", false, "build without the builder's layer cache (implies --force for the build)")
}

// addBuilderFlags adds the flags load shares with build: load runs the
// builder to tag, save or push images, but never builds one.
func (o *imageOptions) addBuilderFlags(fs *pflag.FlagSet) {
	o.flags = fs
	o.Pull = image.PullMissing
	fs.StringVar(&o.Builder, "builder", "", "image builder: docker, podman, buildah or auto (env HELM_TODO_BUILDER; default from helm-todo.yaml, else auto)")
	fs.StringArrayVar(&o.BuilderGlobalArgs, "builder-global-arg", nil, "extra argument before every builder subcommand, repeatable (env HELM_TODO_BUILDER_GLOBAL_ARGS)")
	fs.BoolVar(&o.Force, "force", false, "build (and load) even when the tag already exists")
	fs.BoolVar(&o.DryRun, "dry-run", false, "print the commands without running them")
}

func (o *imageOptions) addLoadFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Cluster, "cluster", "", "cluster kind instead of detecting it: "+cluster.Choices()+", optionally KIND:NAME")
	fs.StringVar(&o.Registry, "registry", "", "push images to this registry (e.g. registry.example.com/me) instead of loading them; default from helm-todo.yaml")
}

// bind completes the options from what only the CLI knows: settings, the
// working directory, the output and which flags were given.
func (o *imageOptions) bind(s *settings.Settings, out io.Writer) (delivery.Options, error) {
	wd, err := os.Getwd()
	d := o.Options
	d.Settings, d.Dir, d.Out = s, wd, out
	d.BuilderArgsSet = o.flags.Changed("builder-arg")
	d.BuilderGlobalArgsSet = o.flags.Changed("builder-global-arg")
	return d, err
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
			opts, err := o.bind(s, out)
			if err != nil {
				return err
			}
			return printLines(out)((&delivery.Build{Options: opts}).Run(cmd.Context()))
		},
	}
	o.addBuildFlags(cmd.Flags())
	return cmd
}

// printLines prints a build or load result.
func printLines(out io.Writer) func(*delivery.Result, error) error {
	return func(r *delivery.Result, err error) error {
		if err != nil {
			return err
		}
		for _, l := range r.Lines {
			fmt.Fprintln(out, l)
		}
		return nil
	}
}
