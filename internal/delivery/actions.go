package delivery

import (
	"context"
	"fmt"

	"github.com/helm-todo/helm-todo/internal/plan"
)

// Result is what build or load did: one line per image for the CLI to
// print; none for a dry run, whose plan went to Out.
type Result struct {
	Planned *Planned
	DryRun  bool
	Lines   []string
}

// Build is `helm todo build`.
type Build struct{ Options }

// Run builds the images whose tags the builder lacks.
func (a *Build) Run(ctx context.Context) (*Result, error) {
	pl, err := a.Plan(ctx, false)
	if err != nil {
		return nil, err
	}
	steps := make([]plan.Step, 0, len(pl.Builds))
	for _, b := range pl.Builds {
		steps = append(steps, b)
	}
	r := &Result{Planned: pl, DryRun: a.DryRun}
	if err := a.run(ctx, pl, "build images", steps); err != nil || a.DryRun {
		return r, err
	}
	for _, b := range pl.Builds {
		state := "up to date"
		if b.Result.Built {
			state = "built"
		} else if b.Result.Size == "" {
			b.Result.Size = b.SizeNow(ctx)
		}
		r.Lines = append(r.Lines, fmt.Sprintf("%s image: %s (%s, %s)", b.Spec.Component, b.Ref(), state, sizeOr(b.Result.Size)))
	}
	return r, nil
}

// Load is `helm todo load`.
type Load struct{ Options }

// Run loads the built images the cluster lacks, or pushes them.
func (a *Load) Run(ctx context.Context) (*Result, error) {
	pl, err := a.Plan(ctx, true)
	if err != nil {
		return nil, err
	}
	steps := make([]plan.Step, 0, len(pl.Loads))
	for _, l := range pl.Loads {
		l.RequireBuilt = true
		steps = append(steps, l)
	}
	r := &Result{Planned: pl, DryRun: a.DryRun}
	if err := a.run(ctx, pl, "load images into "+pl.Cluster.String(), steps); err != nil || a.DryRun {
		return r, err
	}
	for _, l := range pl.Loads {
		r.Lines = append(r.Lines, fmt.Sprintf("%s image in cluster: %s", l.Build.Spec.Component, l.Ref()))
	}
	return r, nil
}

// run prints what was decided, then prints or runs the steps.
func (o *Options) run(ctx context.Context, pl *Planned, title string, steps []plan.Step) error {
	for _, l := range append(pl.Advice(), pl.Summary()...) {
		fmt.Fprintln(o.Out, l)
	}
	p := &plan.Plan{Title: title, Steps: steps}
	if o.DryRun {
		p.Print(o.Out)
		return nil
	}
	_, err := p.Run(ctx, o.Out)
	return err
}

func sizeOr(s string) string {
	if s == "" {
		return "size unknown"
	}
	return s
}
