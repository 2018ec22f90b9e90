// Package plan is the one runner for helm-todo's multi-step commands.
//
// A command (up, down, build, load) first builds a Plan: an ordered list of
// steps, each knowing its inputs. --dry-run prints the plan, meaning every
// command and object each step would create, and runs nothing. Otherwise
// Run executes the steps in order, reports progress, and stops at the first
// failure, naming the step. Tests check plans without executing them and
// check steps one at a time.
package plan

import (
	"context"
	"fmt"
	"io"
	"time"
)

// Step is one unit of work in a plan.
type Step interface {
	// Name is a short lowercase label: "build backend", "deploy".
	Name() string
	// Describe returns what the step would do, one line per command or
	// object, for --dry-run. It must not have side effects.
	Describe() []string
	// Run does the work. Progress goes to out.
	Run(ctx context.Context, out io.Writer) error
}

// Plan is an ordered list of steps.
type Plan struct {
	Title string
	Steps []Step
}

// Add appends steps.
func (p *Plan) Add(s ...Step) { p.Steps = append(p.Steps, s...) }

// Print writes the plan for --dry-run.
func (p *Plan) Print(out io.Writer) {
	if p.Title != "" {
		fmt.Fprintf(out, "plan: %s\n", p.Title)
	}
	for i, s := range p.Steps {
		fmt.Fprintf(out, "%d. %s\n", i+1, s.Name())
		for _, line := range s.Describe() {
			fmt.Fprintf(out, "   %s\n", line)
		}
	}
}

// StepError is a failure of one step.
type StepError struct {
	Step string
	Err  error
}

func (e *StepError) Error() string { return e.Step + ": " + e.Err.Error() }
func (e *StepError) Unwrap() error { return e.Err }

// Report is what a run did.
type Report struct {
	Done     []StepTime // steps that finished
	Failed   string     // the step that failed, empty on success
	Canceled bool       // the context was canceled (Ctrl-C)
}

// StepTime is a finished step and how long it took.
type StepTime struct {
	Name     string
	Duration time.Duration
}

// Run executes the steps in order and stops at the first error.
func (p *Plan) Run(ctx context.Context, out io.Writer) (Report, error) {
	var rep Report
	for i, s := range p.Steps {
		if err := ctx.Err(); err != nil {
			rep.Canceled = true
			return rep, &StepError{Step: s.Name(), Err: err}
		}
		fmt.Fprintf(out, "==> [%d/%d] %s\n", i+1, len(p.Steps), s.Name())
		start := time.Now()
		if err := s.Run(ctx, out); err != nil {
			rep.Failed = s.Name()
			rep.Canceled = ctx.Err() != nil
			return rep, &StepError{Step: s.Name(), Err: err}
		}
		rep.Done = append(rep.Done, StepTime{Name: s.Name(), Duration: time.Since(start)})
	}
	return rep, nil
}

// Func adapts a function to a Step, for steps without their own type.
type Func struct {
	Label string
	Lines []string
	Fn    func(ctx context.Context, out io.Writer) error
}

func (f Func) Name() string                                 { return f.Label }
func (f Func) Describe() []string                           { return f.Lines }
func (f Func) Run(ctx context.Context, out io.Writer) error { return f.Fn(ctx, out) }
