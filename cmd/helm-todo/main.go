// Command helm-todo is the Helm plugin `helm todo` and the post-renderer
// `helm-todo`. main only builds the root command, prints errors and maps
// them to exit codes; everything else lives in packages.
package main

import (
	"context"
	"os"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/interrupt"
	"github.com/helm-todo/helm-todo/internal/settings"
)

func main() {
	// The first Ctrl-C cancels ctx; a second exits at once (interrupt).
	ctx, stop := interrupt.NotifyContext(context.Background(), os.Stderr)
	defer stop()
	err := newRootCmd(settings.New(), os.Stdin, os.Stdout, os.Stderr).ExecuteContext(ctx)
	clierr.Print(os.Stderr, err)
	interrupted := ctx.Err() != nil
	stop()
	os.Exit(exitCode(err, interrupted))
}
