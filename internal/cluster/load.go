package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/image"
	"github.com/helm-todo/helm-todo/internal/plan"
)

// LoadStep gets one built image into the cluster, unless the cluster
// already has its tag. It implements plan.Step; Repository and Tag are what
// the chart's image values must be set to, known before the step runs.
type LoadStep struct {
	Cluster  Cluster
	Registry string // for Kind Registry: where to push
	Build    *image.BuildStep
	Runner   command.Runner
	// Force loads even when the cluster has the tag.
	Force bool
	// RequireBuilt checks first that the builder has the image, for a load
	// run on its own (`helm todo load`), where no build step precedes it.
	RequireBuilt bool
	// KindProvider is KIND_EXPERIMENTAL_PROVIDER ("podman" puts kind's
	// nodes in podman).
	KindProvider string
	// TempDir holds the image archive podman and buildah hand over.
	TempDir string
	// Loaded is set by Run: false when there was nothing to do.
	Loaded bool
}

var _ plan.Step = (*LoadStep)(nil)

// NewLoadStep checks that images can reach c.
func NewLoadStep(c Cluster, registry string, b *image.BuildStep, r command.Runner) (*LoadStep, error) {
	if c.Kind == Registry && registry == "" {
		return nil, clierr.Usagef("pass --registry", "the registry cluster kind needs a registry")
	}
	if c.Kind == Other {
		return nil, unknownCluster(c)
	}
	return &LoadStep{Cluster: c, Registry: strings.TrimSuffix(registry, "/"), Build: b, Runner: r, TempDir: os.TempDir()}, nil
}

func unknownCluster(c Cluster) error {
	return clierr.Usage(fmt.Sprintf("cannot load images into the cluster of context %q (server %s): not %s", c.Context, c.Server, Choices()),
		"pass --registry <registry the cluster pulls from> to push there, or --cluster "+strings.Join(Names(), "|")+"[:NAME] if detection is wrong", nil)
}

// Repository is the chart's image.repository: for a registry, under the
// host the nodes pull by.
func (s *LoadStep) Repository() string {
	if s.Cluster.Kind == Registry {
		host := s.Registry
		if s.Cluster.Pull != "" {
			host = s.Cluster.Pull
		}
		return host + "/" + lastPath(s.Build.Spec.Name)
	}
	return s.Build.Spec.Name
}

// pushRef is where a registry push goes: the host reached from here.
func (s *LoadStep) pushRef() string {
	return s.Registry + "/" + lastPath(s.Build.Spec.Name) + ":" + s.Tag()
}

// Tag is the chart's image.tag.
func (s *LoadStep) Tag() string { return s.Build.Tag }

// Ref is the image as pods will name it.
func (s *LoadStep) Ref() string { return s.Repository() + ":" + s.Tag() }

// Name implements plan.Step.
func (s *LoadStep) Name() string {
	return "load " + s.Build.Spec.Component + " into " + s.Cluster.String()
}

// Describe implements plan.Step.
func (s *LoadStep) Describe() []string {
	var lines []string
	if s.RequireBuilt && len(s.loadCmds()) > 0 {
		lines = append(lines, s.Build.Builder.ExistsCmd(s.Build.Ref()).String()+"   # the image must be built")
	}
	if !s.Force {
		if s.localRegistry() {
			host, repo, _ := strings.Cut(strings.TrimSuffix(s.pushRef(), ":"+s.Tag()), "/")
			lines = append(lines, "HEAD http://"+host+"/v2/"+repo+"/manifests/"+s.Tag()+"   # load skipped when the registry has "+s.pushRef())
		}
		for _, c := range s.checkCmds() {
			lines = append(lines, c.String()+"   # load skipped when the cluster has "+s.Ref())
		}
	}
	for _, c := range s.loadCmds() {
		lines = append(lines, c.String())
	}
	if len(lines) == 0 {
		lines = append(lines, s.nothingToDo())
	}
	return lines
}

// Run implements plan.Step.
func (s *LoadStep) Run(ctx context.Context, out io.Writer) error {
	cmds := s.loadCmds()
	if len(cmds) == 0 {
		fmt.Fprintf(out, "%s: %s\n", s.Build.Spec.Component, s.nothingToDo())
		return nil
	}
	if !s.Force {
		has, err := s.has(ctx)
		if err != nil {
			return err
		}
		if has {
			fmt.Fprintf(out, "%s: %s already has %s; load skipped\n", s.Build.Spec.Component, s.Cluster, s.Ref())
			return nil
		}
	}
	if s.RequireBuilt {
		if _, err := s.Runner.Run(ctx, s.Build.Builder.ExistsCmd(s.Build.Ref())); err != nil {
			return clierr.New(fmt.Sprintf("%s image %s is not built (%s has no such image)", s.Build.Spec.Component, s.Build.Ref(), s.Build.Builder.Kind), "run `helm todo build` first (its tag follows the current sources), or `helm todo up`", nil)
		}
	}
	if archive := s.archive(); archive != "" {
		defer os.Remove(archive)
	}
	for _, c := range cmds {
		fmt.Fprintf(out, "%s: %s\n", s.Build.Spec.Component, c)
		c.Stdout, c.Stderr = out, out
		if _, err := s.Runner.Run(ctx, c); err != nil {
			return s.explain(c, err)
		}
	}
	s.Loaded = true
	fmt.Fprintf(out, "%s: %s is in %s\n", s.Build.Spec.Component, s.Ref(), s.Cluster)
	return nil
}

func (s *LoadStep) nothingToDo() string { return s.Cluster.Kind.NothingToLoad() }

// archive is the docker-archive file podman and buildah images travel in,
// "" when the image goes by name (docker builder, or a registry).
func (s *LoadStep) archive() string {
	if !s.Cluster.Kind.Archive(s.Build.Builder) {
		return ""
	}
	name := strings.NewReplacer("/", "_", ":", "_").Replace(s.Build.Spec.Name) + "-" + s.Build.Tag + ".tar"
	return filepath.Join(s.TempDir, "helm-todo-"+name)
}

// image is the built image as the cluster's kind sees it.
func (s *LoadStep) image() Image {
	img := Image{
		Builder: s.Build.Builder, Source: s.Build.Ref(),
		Qualified: image.Qualified(s.Build.Spec.Name) + ":" + s.Build.Tag, Ref: s.Ref(),
		Push: s.pushRef(), KindProvider: s.KindProvider,
	}
	if a := s.archive(); a != "" {
		img.Source = a
	}
	return img
}

// loadCmds are the commands that put the image into the cluster: the
// kind's, after a save to the archive when it takes one.
func (s *LoadStep) loadCmds() []command.Cmd {
	cmds := s.Cluster.Kind.Load(s.Cluster, s.image())
	if a := s.archive(); a != "" && len(cmds) > 0 {
		cmds = append([]command.Cmd{s.Build.Builder.SaveCmd(s.Build.Ref(), a)}, cmds...)
	}
	return cmds
}

// checkCmds ask the cluster whether it already has the image.
func (s *LoadStep) checkCmds() []command.Cmd {
	return s.Cluster.Kind.Check(s.Cluster, s.image())
}

// localRegistry: a registry on this machine, asked in-process (see
// image.LocalRegistryHas) whatever the builder.
func (s *LoadStep) localRegistry() bool {
	return s.Cluster.Kind == Registry && image.LoopbackRegistry(s.pushRef())
}

// has runs checkCmds. A check that fails means "not there": the load
// itself will report a cluster that is really unreachable.
func (s *LoadStep) has(ctx context.Context) (bool, error) {
	if s.localRegistry() {
		return image.LocalRegistryHas(ctx, s.pushRef()), nil
	}
	for _, c := range s.checkCmds() {
		res, err := s.Runner.Run(ctx, c)
		if err != nil {
			return false, nil
		}
		if !s.Cluster.Kind.Has(res.Stdout, s.image()) {
			return false, nil
		}
	}
	return len(s.checkCmds()) > 0, nil
}

func (s *LoadStep) explain(c command.Cmd, err error) error {
	var nf *command.NotFoundError
	if errors.As(err, &nf) {
		target := "the cluster"
		if s.Cluster.Context != "" {
			target = "context " + s.Cluster.Context
		}
		return clierr.New(c.Name+" not found on PATH", fmt.Sprintf("install %s, or pass --cluster/--registry if %s is not a %s cluster", c.Name, target, s.Cluster.Kind), nil)
	}
	return clierr.New("load "+s.Build.Spec.Component+" image into "+s.Cluster.String(), "check that the cluster is running (context "+s.Cluster.Context+"), then run `helm todo load` again", err)
}

func lastPath(name string) string {
	return name[strings.LastIndexByte(name, '/')+1:]
}
