package deploy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/helm-todo/helm-todo/internal/command"
)

// stateTimeout bounds the reads done after a failure or a Ctrl-C.
const stateTimeout = 30 * time.Second

// StateContext is ctx without its cancellation, bounded: the release's
// state must be read even when the user pressed Ctrl-C, since that is the
// question they are asking.
func StateContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), stateTimeout)
}

// State is the release's state in words ("deployed (revision 3)"), or
// "unknown" when helm cannot say.
func State(ctx context.Context, r command.Runner, o Options) string {
	rel, err := Status(ctx, r, o)
	if err != nil {
		return "unknown"
	}
	return rel.String()
}

// LeftNote is what a second Ctrl-C prints while helm works on the release:
// helm is killed there, so the release stays as helm left it, and the next
// up recovers it (the lease's mark names the revision as up's).
func LeftNote(r command.Runner, o Options) func(context.Context) string {
	return func(ctx context.Context) string {
		rel, err := Status(ctx, r, o)
		if err != nil {
			return fmt.Sprintf("release %s in namespace %s: helm was stopped mid-operation, state unknown: run helm todo up again to recover it", o.Release, o.Namespace)
		}
		if !rel.Found {
			return fmt.Sprintf("release %s in namespace %s is not installed", o.Release, o.Namespace)
		}
		if strings.HasPrefix(rel.Status, "pending-") {
			return fmt.Sprintf("release %s in namespace %s left %s at revision %d: run helm todo up again to recover it", o.Release, o.Namespace, rel.Status, rel.Revision)
		}
		return fmt.Sprintf("release %s in namespace %s left %s at revision %d", o.Release, o.Namespace, rel.Status, rel.Revision)
	}
}
