package deploy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/interrupt"
	"github.com/helm-todo/helm-todo/internal/rollout"
)

// Step is the deploy step of up: helm upgrade --install, with a rollout
// watcher running alongside to show progress and stop helm early on a
// failure that waiting will not fix.
type Step struct {
	Options Options
	Runner  command.Runner
	// Prepare runs before helm (Helm 4: install the post-renderer plugin).
	Prepare func(ctx context.Context, out io.Writer) error
	// PrepareLines describe Prepare for --dry-run.
	PrepareLines []string
	// Watcher follows the rollout beside helm; nil disables watching.
	Watcher Watcher
	// HelmOut receives helm's own output (--debug): its stderr live, and
	// the release's NOTES once it is deployed. Nil discards it.
	HelmOut io.Writer
	// Deployed, when set, receives the release as helm printed it once
	// Run succeeded, for the steps after this one (up's report). It stays
	// as it was (Found false) when Run failed or helm's output did not parse.
	Deployed *Release
	// Ended, when set, gets the release as it was once helm ended, read
	// back on a failure (not called when that read failed).
	Ended func(ctx context.Context, rel Release)
}

// Watcher follows a rollout while helm runs (rollout.Watcher).
type Watcher interface {
	// Watch follows the rollout until ctx ends; a non-nil error is a
	// failure helm would only report at its timeout.
	Watch(ctx context.Context, out io.Writer) error
	// Check looks once more after helm failed on its own, for a cause the
	// watcher had not polled yet (helm watches hooks closely).
	Check(ctx context.Context, out io.Writer) error
	// Pending says what is not ready yet, to explain a helm timeout.
	Pending() []string
	// Causes are the Warning events that explain what is pending, with
	// their fixes: a timeout's error carries them.
	Causes() []rollout.Cause
}

func (s *Step) Name() string { return "deploy" }

func (s *Step) Describe() []string {
	c := command.Cmd{Name: s.Options.HelmBin, Args: s.Options.Args(), Env: s.Options.Env}
	return append(append([]string{}, s.PrepareLines...), command.ShellLine(c))
}

// Run deploys. On failure the error says what failed and which state the
// release was left in, read back from helm itself.
func (s *Step) Run(ctx context.Context, out io.Writer) error {
	if s.Prepare != nil {
		if err := s.Prepare(ctx, out); err != nil {
			return err
		}
	}
	helmCtx, stopHelm := context.WithCancelCause(ctx)
	defer stopHelm(nil)
	watchDone := make(chan error, 1)
	if s.Watcher != nil {
		go func() {
			err := s.Watcher.Watch(helmCtx, out)
			if err != nil {
				// helm gets SIGTERM and rolls back (--atomic /
				// --rollback-on-failure): nothing stays half-applied.
				fmt.Fprintln(out, "   stopping helm; it rolls the release back")
				stopHelm(err)
			}
			watchDone <- err
		}()
	} else {
		watchDone <- nil
	}
	// stdout is the release as JSON (with the values and manifest): it is
	// parsed, never shown.
	cmd := command.Cmd{
		Name: s.Options.HelmBin, Args: s.Options.Args(), Env: s.Options.Env,
		Stderr: s.HelmOut,
		// Rollback after a cancel may wait as long as the install did.
		Grace: s.Options.timeout() + time.Minute,
		// helm-todo stops helm itself (SIGTERM on ctx), once.
		OwnGroup: true,
	}
	unnote := interrupt.From(ctx).Note(LeftNote(s.Runner, s.Options))
	res, helmErr := s.Runner.Run(helmCtx, cmd)
	unnote()
	stopHelm(nil)
	watchErr := <-watchDone
	if helmErr == nil && watchErr == nil {
		if rel, err := ParseStatus(res.Stdout); err == nil {
			if s.Deployed != nil {
				*s.Deployed = rel
			}
			if s.Ended != nil {
				s.Ended(ctx, rel)
			}
			if s.HelmOut != nil && rel.Notes != "" {
				fmt.Fprintf(s.HelmOut, "NOTES:\n%s\n", strings.Trim(rel.Notes, "\n"))
			}
		}
		return nil
	}
	stateCtx, cancel := StateContext(ctx)
	defer cancel()
	state := "unknown"
	if rel, err := Status(stateCtx, s.Runner, s.Options); err == nil {
		state = rel.String()
		if s.Ended != nil {
			s.Ended(stateCtx, rel)
		}
	}
	if watchErr == nil && ctx.Err() == nil && s.Watcher != nil {
		watchErr = s.Watcher.Check(stateCtx, out)
	}
	stateLine := fmt.Sprintf("release %s in namespace %s is now %s", s.Options.Release, s.Options.Namespace, state)
	fmt.Fprintln(out, "   "+stateLine)

	switch {
	case watchErr != nil:
		return &clierr.Error{What: "deploy stopped: " + watchErr.Error(), Err: errors.New(stateLine), Fix: fixOf(watchErr)}
	case ctx.Err() != nil:
		return clierr.New("interrupted", "run up again to finish; "+stateLine, ctx.Err())
	default:
		msg := helmErr.Error()
		var pending []string
		if s.Watcher != nil {
			pending = s.Watcher.Pending()
		}
		fix := "see the progress lines above; run with --debug for helm's output"
		if len(pending) > 0 {
			msg += "; not ready: " + strings.Join(pending, "; ")
			fix = "the workloads named never became ready: check their probes and `kubectl describe` them"
			msg, fix = withCauses(msg, fix, s.Watcher.Causes())
		}
		return &clierr.Error{What: "helm upgrade --install failed: " + msg, Err: errors.New(stateLine), Fix: fix}
	}
}

func fixOf(err error) string {
	var f interface{ FixText() string }
	if errors.As(err, &f) {
		return f.FixText()
	}
	return clierr.FixOf(err)
}

// withCauses names the causes seen in Warning events after what is not
// ready, and puts their fixes, one line each, before the general one.
func withCauses(msg, fix string, causes []rollout.Cause) (string, string) {
	const most = 5 // the rest are among the warnings printed above
	var fixes []string
	for i, c := range causes {
		if i == most {
			msg += fmt.Sprintf("; and %d more warnings above", len(causes)-most)
			break
		}
		msg += "; cause: " + c.String()
		if c.Fix != "" && !slices.Contains(fixes, c.Fix) {
			fixes = append(fixes, c.Fix)
		}
	}
	return msg, strings.Join(append(fixes, fix), "\nfix: ")
}
