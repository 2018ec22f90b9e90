package down

import (
	"context"
	"fmt"
	"io"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/helm-todo/helm-todo/internal/nsowner"
	"github.com/helm-todo/helm-todo/internal/plan"
)

// namespaceCheckStep refuses --delete-namespace before anything is
// removed, when the namespace is not helm-todo's to delete: the user can
// rerun without the flag and lose nothing.
func namespaceCheckStep(o Options) plan.Step {
	ns := o.Deploy.Namespace
	return plan.Func{
		Label: "check namespace",
		Lines: []string{fmt.Sprintf("refuse unless Namespace %s carries %s=%s (up created it) and holds only release %s's objects and helm-todo's",
			ns, nsowner.CreatedByLabel, nsowner.CreatedByValue, o.Deploy.Release)},
		Fn: func(ctx context.Context, out io.Writer) error {
			_, err := checkNamespace(ctx, o)
			return err
		},
	}
}

func checkNamespace(ctx context.Context, o Options) (bool, error) {
	cs, err := o.Client()
	if err != nil {
		return false, err
	}
	if o.Dynamic == nil {
		return false, fmt.Errorf("down: no dynamic client to list namespace %s", o.Deploy.Namespace)
	}
	dyn, err := o.Dynamic()
	if err != nil {
		return false, err
	}
	return nsowner.CheckDeletable(ctx, cs, dyn, o.Deploy.Namespace, o.Deploy.Release)
}

// deleteOwnedNamespace checks again right before deleting (something may
// have arrived since the first check), then deletes.
func deleteOwnedNamespace(ctx context.Context, o Options, cs kubernetes.Interface, timeout time.Duration) (bool, error) {
	exists, err := checkNamespace(ctx, o)
	if err != nil || !exists {
		return false, err
	}
	return DeleteNamespace(ctx, cs, o.Deploy.Namespace, timeout)
}

// DynamicFunc connects a dynamic client lazily, like Options.Client.
type DynamicFunc = func() (dynamic.Interface, error)
