package deploy

import (
	"context"

	"github.com/helm-todo/helm-todo/internal/command"
)

// Uninstall runs `helm uninstall --wait`. It reports false when there was
// no release to remove.
func Uninstall(ctx context.Context, r command.Runner, o Options) (bool, error) {
	args := append([]string{"uninstall", o.Release, "--namespace", o.Namespace, "--wait", "--timeout", o.timeout().String()}, o.connArgs()...)
	_, err := r.Run(ctx, command.Cmd{Name: o.HelmBin, Args: args, Grace: o.timeout()})
	if IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}
