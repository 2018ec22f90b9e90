package deploy

import (
	"context"
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
