package deploy

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/command"
)

// Recover brings back a release an interrupted operation left pending-*:
// helm refuses any upgrade of it ("another operation is in progress")
// forever. The caller holds up's lease, so no other helm todo up is
// running it. A pending install is uninstalled (there is nothing to go
// back to); a pending upgrade or rollback is rolled back to the revision
// before it. It says what it did, and never asks the user to run helm.
func Recover(ctx context.Context, r command.Runner, o Options, out io.Writer) error {
	rel, err := Status(ctx, r, o)
	if err != nil || !rel.Found || !strings.HasPrefix(rel.Status, "pending-") {
		return nil // helm upgrade reports any other trouble itself
	}
	what := "rolling it back to the revision before"
	args := []string{"rollback", o.Release, "--namespace", o.Namespace, "--wait", "--timeout", o.timeout().String()}
	if rel.Status == "pending-install" || rel.Revision <= 1 {
		what = "uninstalling it so that the install starts over"
		args = []string{"uninstall", o.Release, "--namespace", o.Namespace, "--wait", "--timeout", o.timeout().String()}
	}
	fmt.Fprintf(out, "   release %s is %s, left by an interrupted run (no helm todo up holds the lease); %s\n", o.Release, rel, what)
	cmd := command.Cmd{Name: o.HelmBin, Args: append(args, o.connArgs()...), Grace: o.timeout(), OwnGroup: true}
	if _, err := r.Run(ctx, cmd); err != nil {
		return clierr.New(fmt.Sprintf("recover release %s from %s", o.Release, rel.Status),
			"run up again; if it fails the same way, check the release's pods (kubectl get pods -n "+o.Namespace+")", err)
	}
	now, err := Status(ctx, r, o)
	if err == nil {
		fmt.Fprintf(out, "   release %s is now %s\n", o.Release, now)
	}
	return nil
}
