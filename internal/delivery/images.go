package delivery

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/cluster"
	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/image"
	"github.com/helm-todo/helm-todo/internal/plan"
	"github.com/helm-todo/helm-todo/internal/project"
)

// planInput is what the plans are made from, resolved from Options.
type planInput struct {
	Builder        image.Builder // Kind may be image.Auto
	Force, NoCache bool
	// Target picks the cluster images go to.
	Target cluster.Options
	// KindProvider is KIND_EXPERIMENTAL_PROVIDER, from settings.
	KindProvider string
	PluginDir    string
	// Probe runs the read-only probes that pick a builder (docker info);
	// they run even for --dry-run, where Runner prints instead of running.
	Probe  command.Runner
	Runner command.Runner
	// DryRun only prints the plan: with no builder installed it shows the
	// default builder's commands, and says none is installed, rather than
	// failing; a dry run is how a newcomer learns what would happen.
	DryRun bool
}

// Images is the plan for getting the app's images built and into the
// cluster, with everything later steps need to know about them.
type Images struct {
	Builder    image.Builder
	BuilderWhy string // how the builder was chosen
	Cluster    cluster.Cluster
	Builds     []*image.BuildStep  // backend, frontend
	Loads      []*cluster.LoadStep // same order; empty for build-only plans
	// Notes and Warnings are for the user to read before the plan runs.
	Notes, Warnings []string
}

// planBuild makes the build steps for p's backend and frontend.
func planBuild(ctx context.Context, p *project.Project, o planInput) (*Images, error) {
	d := &Images{Notes: append([]string{}, p.Notes...)}
	b := o.Builder
	if b.Kind == image.Auto || b.Kind == "" {
		found, why, err := image.Detect(ctx, o.Probe, b)
		switch {
		case err == nil:
			b, d.BuilderWhy = found, why
		case o.DryRun:
			b.Kind, d.BuilderWhy = image.Docker, "the default; none is installed or running"
			d.Warnings = append(d.Warnings, fmt.Sprintf("no image builder is installed or running (%v): this plan shows the default, docker; to run it, %s", errors.Unwrap(err), clierr.FixOf(err)))
		default:
			return nil, err
		}
	} else {
		d.BuilderWhy = "--builder"
	}
	d.Builder = b
	for _, app := range []project.App{p.Backend, p.Frontend} {
		warnings, err := app.Check()
		if err != nil {
			return nil, err
		}
		d.Warnings = append(d.Warnings, warnings...)
		spec := image.Spec{
			Component:  app.Name,
			Context:    app.Context,
			Dockerfile: filepath.Join(o.PluginDir, "docker", app.Name+".Dockerfile"),
			IgnoreFile: filepath.Join(o.PluginDir, "docker", app.Name+".dockerignore"),
			Name:       app.Image,
			Args:       app.BuildArgs,
		}
		s, err := image.NewBuildStep(spec, b, o.Runner)
		if err != nil {
			return nil, err
		}
		s.Force, s.NoCache = o.Force, o.NoCache
		d.Builds = append(d.Builds, s)
	}
	return d, nil
}

// planDelivery makes the build steps and, after them, the load steps for
// the cluster of the kube-context.
func planDelivery(ctx context.Context, p *project.Project, o planInput) (*Images, error) {
	c, err := cluster.Target(o.Target)
	if err != nil {
		return nil, err
	}
	d, err := planBuild(ctx, p, o)
	if err != nil {
		return nil, err
	}
	d.Cluster = c
	registry := o.Target.Registry
	if c.Kind == cluster.Registry && registry == "" {
		registry = c.Name // the published registry
	}
	for _, b := range d.Builds {
		l, err := cluster.NewLoadStep(c, registry, b, o.Runner)
		if err != nil {
			return nil, err
		}
		l.Force = o.Force
		l.KindProvider = o.KindProvider
		d.Loads = append(d.Loads, l)
	}
	return d, nil
}

// Steps are the build steps, then the load steps.
func (d *Images) Steps() []plan.Step {
	steps := make([]plan.Step, 0, len(d.Builds)+len(d.Loads))
	for _, s := range d.Builds {
		steps = append(steps, s)
	}
	for _, s := range d.Loads {
		steps = append(steps, s)
	}
	return steps
}

// Image returns the chart's image.repository and image.tag for a
// component ("backend" or "frontend").
func (d *Images) Image(component string) (repository, tag string, ok bool) {
	for _, l := range d.Loads {
		if l.Build.Spec.Component == component {
			return l.Repository(), l.Tag(), true
		}
	}
	for _, b := range d.Builds {
		if b.Spec.Component == component {
			return b.Spec.Name, b.Tag, true
		}
	}
	return "", "", false
}

// Values are the chart values that point the Deployments at these images,
// as dotted keys for --set-string (a hex tag may look like a number).
// IfNotPresent is safe because the tag changes whenever the image does.
func (d *Images) Values() map[string]string {
	v := map[string]string{}
	for _, b := range d.Builds {
		repo, tag, _ := d.Image(b.Spec.Component)
		v[b.Spec.Component+".image.repository"] = repo
		v[b.Spec.Component+".image.tag"] = tag
		v[b.Spec.Component+".image.pullPolicy"] = "IfNotPresent"
	}
	return v
}

// Advice is what the user should read before the plan runs: the notes,
// then the warnings, one line each.
func (d *Images) Advice() []string {
	lines := make([]string, 0, len(d.Notes)+len(d.Warnings))
	for _, n := range d.Notes {
		lines = append(lines, "note: "+n)
	}
	for _, w := range d.Warnings {
		lines = append(lines, "warning: "+w)
	}
	return lines
}

// Summary describes the choices made, one line each.
func (d *Images) Summary() []string {
	lines := []string{fmt.Sprintf("builder: %s (%s)", d.Builder.Kind, d.BuilderWhy)}
	if d.Cluster.Kind != nil {
		lines = append(lines, fmt.Sprintf("cluster: %s (context %q, detected by %s)", d.Cluster, d.Cluster.Context, d.Cluster.Clue))
	}
	for _, b := range d.Builds {
		lines = append(lines, fmt.Sprintf("%s: %s from %s", b.Spec.Component, b.Ref(), b.Spec.Context))
	}
	return lines
}
