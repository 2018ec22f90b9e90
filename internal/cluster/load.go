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
	return clierr.Usage(fmt.Sprintf("cannot load images into the cluster of context %q (server %s): not minikube, kind, k3d, docker-desktop or kwok", c.Context, c.Server),
		"pass --registry <registry the cluster pulls from> to push there, or --cluster minikube|kind|k3d|docker-desktop|kwok[:NAME] if detection is wrong", nil)
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

func (s *LoadStep) nothingToDo() string {
	if s.Cluster.Kind == Kwok {
		return "nothing to load: kwok runs no containers, pods only need the image name"
	}
	return "nothing to load: docker-desktop's cluster uses the docker daemon's images"
}

// archive is the docker-archive file podman and buildah images travel in,
// "" when the image goes by name (docker builder, or a registry).
func (s *LoadStep) archive() string {
	if s.Build.Builder.Kind == image.Docker || s.Cluster.Kind == Registry || s.Cluster.Kind == Kwok {
		return ""
	}
	name := strings.NewReplacer("/", "_", ":", "_").Replace(s.Build.Spec.Name) + "-" + s.Build.Tag + ".tar"
	return filepath.Join(s.TempDir, "helm-todo-"+name)
}

// loadCmds are the commands that put the image into the cluster.
func (s *LoadStep) loadCmds() []command.Cmd {
	b := s.Build.Builder
	src := s.Build.Ref()
	if s.Cluster.Kind == Registry {
		return []command.Cmd{b.TagCmd(src, s.pushRef()), b.PushCmd(s.pushRef())}
	}
	var cmds []command.Cmd
	if a := s.archive(); a != "" {
		cmds = append(cmds, b.SaveCmd(src, a))
		src = a
	}
	n := s.Cluster.Name
	switch s.Cluster.Kind {
	case Minikube:
		cmds = append(cmds, command.Cmd{Name: "minikube", Args: []string{"-p", n, "image", "load", src}})
	case KindCluster:
		if s.archive() != "" {
			cmds = append(cmds, command.Cmd{Name: "kind", Args: []string{"load", "image-archive", src, "--name", n}})
		} else {
			cmds = append(cmds, command.Cmd{Name: "kind", Args: []string{"load", "docker-image", src, "--name", n}})
		}
	case K3d:
		cmds = append(cmds, command.Cmd{Name: "k3d", Args: []string{"image", "import", src, "-c", n}})
	case DockerDesktop:
		if s.archive() == "" {
			return nil
		}
		cmds = append(cmds, command.Cmd{Name: "docker", Args: []string{"load", "-i", src}})
	case Kwok:
		return nil
	}
	return cmds
}

// checkCmds ask the cluster whether it already has the image.
func (s *LoadStep) checkCmds() []command.Cmd {
	ref := image.Qualified(s.Build.Spec.Name) + ":" + s.Build.Tag
	switch s.Cluster.Kind {
	case Minikube:
		return []command.Cmd{{Name: "minikube", Args: []string{"-p", s.Cluster.Name, "image", "ls"}}}
	case KindCluster:
		return []command.Cmd{{Name: nodeEngine(s.Build.Builder, s.KindProvider), Args: []string{"exec", s.Cluster.Name + "-control-plane", "crictl", "inspecti", ref}}}
	case K3d:
		return []command.Cmd{{Name: nodeEngine(s.Build.Builder, s.KindProvider), Args: []string{"exec", "k3d-" + s.Cluster.Name + "-server-0", "crictl", "inspecti", ref}}}
	case Registry:
		if s.localRegistry() {
			return nil // LocalRegistryHas, in has
		}
		return []command.Cmd{s.Build.Builder.RemoteExistsCmd(s.pushRef())}
	case DockerDesktop:
		if s.archive() != "" {
			return []command.Cmd{image.Builder{Kind: image.Docker}.ExistsCmd(ref)}
		}
	}
	return nil
}

// localRegistry: a registry on this machine, asked in-process (see
// image.LocalRegistryHas) whatever the builder.
func (s *LoadStep) localRegistry() bool {
	return s.Cluster.Kind == Registry && image.LoopbackRegistry(s.pushRef())
}

// nodeEngine runs the kind and k3d node containers: docker, or podman when
// that is what the user builds with (kind's podman provider).
func nodeEngine(b image.Builder, kindProvider string) string {
	if b.Kind == image.Podman || kindProvider == "podman" {
		return "podman"
	}
	return "docker"
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
		if s.Cluster.Kind == Minikube {
			return listed(string(res.Stdout), s.Ref()), nil
		}
	}
	return len(s.checkCmds()) > 0, nil
}

// listed finds ref in `minikube image ls` output, one reference a line.
func listed(out, ref string) bool {
	for _, line := range strings.Split(out, "\n") {
		if l := strings.TrimSpace(line); l != "" && image.SameRef(l, ref) {
			return true
		}
	}
	return false
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
