package deploy

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/interrupt"
)

// TakeOverFlag is up's flag that recovers a pending release no helm todo
// up started.
const TakeOverFlag = "--take-over-pending"

// Recovery brings back a release an interrupted helm todo up left pending-*:
// helm refuses any upgrade of it ("another operation is in progress")
// forever. Helm records no client, so only a pending revision the lease's
// mark names (Ours) is taken for an interrupted up's. Any other is another
// client's operation, a colleague's or a CI job's helm upgrade still
// running: Recovery names it and waits for it to end, at most the deploy
// timeout, and never rolls it back unless TakeOver is set.
type Recovery struct {
	Options Options
	Runner  command.Runner
	// Ours is the first revision the last helm todo up started (its
	// upgrade, or its rollback); a failed upgrade's automatic rollback is
	// the one after. Zero when no up left a mark.
	Ours int
	// TakeOver recovers any pending release: one a crashed plain helm left.
	TakeOver bool
	// Mark records the revision a rollback is about to create, before it
	// runs, so that an interrupted recovery is recovered in turn.
	Mark func(ctx context.Context, revision int) error
	// Poll is the interval while waiting for another client; 0 is 2s.
	Poll time.Duration
}

func (rc Recovery) ours(rel Release) bool {
	return rc.Ours > 0 && (rel.Revision == rc.Ours || rel.Revision == rc.Ours+1)
}

// Run recovers or waits, says what it did, and never asks the user to run
// helm.
func (rc Recovery) Run(ctx context.Context, out io.Writer) error {
	o := rc.Options
	rel, err := Status(ctx, rc.Runner, o)
	if err != nil || !rel.Found || !strings.HasPrefix(rel.Status, "pending-") {
		return nil // helm upgrade reports any other trouble itself
	}
	by := "left by an interrupted helm todo up"
	if !rc.ours(rel) {
		if !rc.TakeOver {
			return rc.wait(ctx, rel, out)
		}
		by = "started by another client, taken over (" + TakeOverFlag + ")"
	}
	what := "rolling it back to the revision before"
	args := []string{"rollback", o.Release, "--namespace", o.Namespace, "--wait", "--timeout", o.timeout().String()}
	if rel.Status == "pending-install" || rel.Revision <= 1 {
		what = "uninstalling it so that the install starts over"
		args = []string{"uninstall", o.Release, "--namespace", o.Namespace, "--wait", "--timeout", o.timeout().String()}
	} else if rc.Mark != nil {
		if err := rc.Mark(ctx, rel.Revision+1); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "   release %s is %s, %s; %s\n", o.Release, rel, by, what)
	cmd := command.Cmd{Name: o.HelmBin, Args: append(args, o.connArgs()...), Grace: o.timeout(), OwnGroup: true}
	unnote := interrupt.From(ctx).Note(LeftNote(rc.Runner, o))
	_, err = rc.Runner.Run(ctx, cmd)
	unnote()
	if err != nil {
		return clierr.New(fmt.Sprintf("recover release %s from %s", o.Release, rel.Status),
			"run up again; if it fails the same way, check the release's pods (kubectl get pods -n "+o.Namespace+")", err)
	}
	now, err := Status(ctx, rc.Runner, o)
	if err == nil {
		fmt.Fprintf(out, "   release %s is now %s\n", o.Release, now)
	}
	return nil
}

// wait waits for another client's operation to end, however it ends.
func (rc Recovery) wait(ctx context.Context, rel Release, out io.Writer) error {
	o := rc.Options
	poll := rc.Poll
	if poll <= 0 {
		poll = 2 * time.Second
	}
	fmt.Fprintf(out, "   release %s is %s, an operation no helm todo up started (another helm client's); waiting for it to end (at most %s), never rolling it back\n",
		o.Release, rel, o.timeout())
	deadline := time.NewTimer(o.timeout())
	defer deadline.Stop()
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return clierr.New(fmt.Sprintf("stopped waiting for release %s, %s by another client", o.Release, rel), "run up again once that operation has ended", ctx.Err())
		case <-deadline.C:
			return clierr.New(fmt.Sprintf("release %s is still %s after %s, an operation another helm client started", o.Release, rel, o.timeout()),
				"wait for that helm to end and run up again; if no helm is working on it any more (it crashed), run up again with "+TakeOverFlag+" to roll it back", nil)
		case <-tick.C:
		}
		now, err := Status(ctx, rc.Runner, o)
		if err == nil && (!now.Found || !strings.HasPrefix(now.Status, "pending-")) {
			fmt.Fprintf(out, "   release %s is now %s; going on\n", o.Release, now)
			return nil
		}
	}
}
