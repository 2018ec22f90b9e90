package up

import (
	"github.com/helm-todo/helm-todo/internal/validate"
)

// preflight refuses inputs the cluster would refuse half-way, before any
// step runs (and so for --dry-run too): bad names, an oversize Secret.
func preflight(o Options) error {
	if err := validate.Names(o.Deploy.Release, o.Deploy.Namespace); err != nil {
		return err
	}
	return o.Secrets.CheckSize()
}
