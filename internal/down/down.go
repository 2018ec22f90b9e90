// Package down undoes `helm todo up`: the release, the Secret up wrote, the
// hook objects Helm leaves behind, and on request the namespace. Each part
// is skipped when already gone, so running it twice is fine.
package down

import (
	"context"
	"fmt"
	"io"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/deploy"
	"github.com/helm-todo/helm-todo/internal/plan"
	"github.com/helm-todo/helm-todo/internal/secrets"
)

// Options are down's inputs.
type Options struct {
	Deploy          deploy.Options // HelmBin, Release, Namespace, connection
	Client          func() (kubernetes.Interface, error)
	Dynamic         DynamicFunc // lists what a namespace holds (--delete-namespace)
	Runner          command.Runner
	DeleteNamespace bool
}

// Action is `helm todo down`: options in, Result out (the Helm pkg/action
// shape). The CLI only fills it in.
type Action struct {
	Options
	// DryRun prints the plan and removes nothing.
	DryRun bool
	// Out receives the progress, or the plan for DryRun.
	Out io.Writer
}

// Run prints or runs the plan and says what it removed.
func (a *Action) Run(ctx context.Context) (*Result, error) {
	r := &Result{Release: a.Deploy.Release, Namespace: a.Deploy.Namespace, DryRun: a.DryRun}
	p := newPlan(a.Options, r)
	if a.DryRun {
		p.Print(a.Out)
		return r, nil
	}
	_, err := p.Run(ctx, a.Out)
	return r, err
}

// Result counts what was removed.
type Result struct {
	Release, Namespace                           string
	DryRun                                       bool
	Uninstalled, SecretDeleted, NamespaceDeleted bool
	Leftovers                                    []string
}

// Summary is the line the CLI ends with; empty for a dry run.
func (r *Result) Summary() string {
	switch {
	case r.DryRun:
		return ""
	case r.Nothing():
		return fmt.Sprintf("nothing to do: release %s is not installed in namespace %s", r.Release, r.Namespace)
	case !r.Uninstalled:
		return fmt.Sprintf("release %s was not installed in namespace %s; removed what up had left there", r.Release, r.Namespace)
	}
	return fmt.Sprintf("release %s removed from namespace %s", r.Release, r.Namespace)
}

// Nothing reports whether there was nothing to remove.
func (r *Result) Nothing() bool {
	return !r.Uninstalled && !r.SecretDeleted && !r.NamespaceDeleted && len(r.Leftovers) == 0
}

// leftoverSelector matches what the chart labels: hook Jobs kept after a
// failure (before-hook-creation), their pods, and hook Secrets/ConfigMaps.
func leftoverSelector(release string) string {
	return "app.kubernetes.io/name=todo-app,app.kubernetes.io/instance=" + release
}

// newPlan builds the plan; its steps record what they did in r.
func newPlan(o Options, r *Result) *plan.Plan {
	d := o.Deploy
	p := &plan.Plan{Title: fmt.Sprintf("down: release %s in namespace %s", d.Release, d.Namespace)}
	if o.DeleteNamespace {
		p.Add(namespaceCheckStep(o))
	}
	p.Add(plan.Func{
		Label: "uninstall",
		Lines: []string{command.Cmd{Name: d.HelmBin, Args: []string{"uninstall", d.Release, "--namespace", d.Namespace, "--wait"}}.String() + "   # skipped when not installed"},
		Fn: func(ctx context.Context, out io.Writer) error {
			ok, err := deploy.Uninstall(ctx, o.Runner, d)
			if err != nil {
				return clierr.New("helm uninstall "+d.Release, "run `"+d.HelmBin+" uninstall "+d.Release+" -n "+d.Namespace+"` to see helm's full message", err)
			}
			r.Uninstalled = ok
			if ok {
				fmt.Fprintf(out, "   uninstalled release %s\n", d.Release)
			} else {
				fmt.Fprintf(out, "   release %s is not installed in %s\n", d.Release, d.Namespace)
			}
			return nil
		},
	})
	p.Add(plan.Func{
		Label: "secret",
		Lines: []string{fmt.Sprintf("delete Secret %s/%s when labelled app.kubernetes.io/managed-by=%s", d.Namespace, secrets.Name(d.Release), secrets.ManagedBy)},
		Fn: func(ctx context.Context, out io.Writer) error {
			cs, err := o.Client()
			if err != nil {
				return err
			}
			ok, err := secrets.Delete(ctx, cs, d.Namespace, d.Release)
			r.SecretDeleted = ok
			if ok {
				fmt.Fprintf(out, "   deleted secret %s\n", secrets.Name(d.Release))
			}
			return err
		},
	})
	p.Add(plan.Func{
		Label: "leftovers",
		Lines: []string{fmt.Sprintf("delete Jobs, Pods, Secrets and ConfigMaps in %s labelled %s (hook objects Helm keeps)", d.Namespace, leftoverSelector(d.Release))},
		Fn: func(ctx context.Context, out io.Writer) error {
			cs, err := o.Client()
			if err != nil {
				return err
			}
			left, err := DeleteLeftovers(ctx, cs, d.Namespace, d.Release)
			r.Leftovers = left
			for _, l := range left {
				fmt.Fprintf(out, "   deleted %s\n", l)
			}
			return err
		},
	})
	if o.DeleteNamespace {
		p.Add(plan.Func{
			Label: "namespace",
			Lines: []string{fmt.Sprintf("delete Namespace %s and wait until it is gone (at most %s)", d.Namespace, namespaceWait(d.Timeout))},
			Fn: func(ctx context.Context, out io.Writer) error {
				cs, err := o.Client()
				if err != nil {
					return err
				}
				ok, err := deleteOwnedNamespace(ctx, o, cs, namespaceWait(d.Timeout))
				r.NamespaceDeleted = ok
				if ok {
					fmt.Fprintf(out, "   deleted namespace %s\n", d.Namespace)
				}
				return err
			},
		})
	}
	return p
}

// namespaceWait is how long down waits for the namespace to go: --timeout,
// like the uninstall before it.
func namespaceWait(timeout time.Duration) time.Duration {
	if timeout <= 0 {
		return 5 * time.Minute
	}
	return timeout
}

// DeleteLeftovers removes the release's objects helm uninstall leaves: hook
// resources are not part of the release manifest, and a failed hook Job is
// kept for inspection. A kind it cannot list is an error: down must not
// report success with objects left.
func DeleteLeftovers(ctx context.Context, cs kubernetes.Interface, ns, release string) ([]string, error) {
	sel := metav1.ListOptions{LabelSelector: leftoverSelector(release)}
	bg := metav1.DeletePropagationBackground
	del := metav1.DeleteOptions{PropagationPolicy: &bg}
	var gone []string
	for _, k := range leftoverKinds(cs, ns, release) {
		names, err := k.list(ctx, sel)
		if err != nil && !apierrors.IsNotFound(err) {
			return gone, clierr.New("list leftover "+k.plural+" in "+ns,
				"check that your kube user may list and delete "+k.plural+" in "+ns+", then run down again", err)
		}
		for _, name := range names {
			if err := k.delete(ctx, name, del); err != nil && !apierrors.IsNotFound(err) {
				return gone, clierr.New("delete leftover "+k.plural+" in "+ns,
					"delete them with kubectl -n "+ns+" delete "+k.plural+" -l "+leftoverSelector(release), err)
			}
			gone = append(gone, k.singular+"/"+name)
		}
	}
	return gone, nil
}

// leftoverKind lists the names down should delete of one kind, and deletes
// one by name.
type leftoverKind struct {
	singular, plural string
	list             func(context.Context, metav1.ListOptions) ([]string, error)
	delete           func(context.Context, string, metav1.DeleteOptions) error
}

func leftoverKinds(cs kubernetes.Interface, ns, release string) []leftoverKind {
	jobs, pods := cs.BatchV1().Jobs(ns), cs.CoreV1().Pods(ns)
	cms, secs := cs.CoreV1().ConfigMaps(ns), cs.CoreV1().Secrets(ns)
	return []leftoverKind{
		{"job", "jobs", namesOf(jobs.List, nil), jobs.Delete},
		// a pod already terminating is on its way out
		{"pod", "pods", namesOf(pods.List, func(p metav1.Object) bool { return p.GetDeletionTimestamp() == nil }), pods.Delete},
		{"configmap", "configmaps", namesOf(cms.List, nil), cms.Delete},
		{"secret", "secrets", namesOf(secs.List, func(s metav1.Object) bool {
			// a user's own Secret of up's name stays
			return s.GetName() != secrets.Name(release) || s.GetLabels()["app.kubernetes.io/managed-by"] == secrets.ManagedBy
		}), secs.Delete},
	}
}

// namesOf turns a typed client's List into a lister of the names it
// returns, those keep takes (all when keep is nil).
func namesOf[L runtime.Object](list func(context.Context, metav1.ListOptions) (L, error), keep func(metav1.Object) bool) func(context.Context, metav1.ListOptions) ([]string, error) {
	return func(ctx context.Context, o metav1.ListOptions) ([]string, error) {
		l, err := list(ctx, o)
		if err != nil {
			return nil, err
		}
		var names []string
		err = apimeta.EachListItem(l, func(obj runtime.Object) error {
			m, err := apimeta.Accessor(obj)
			if err != nil {
				return err
			}
			if keep == nil || keep(m) {
				names = append(names, m.GetName())
			}
			return nil
		})
		return names, err
	}
}

// DeleteNamespace deletes ns and waits until it is gone, so that an up
// right after does not meet a Terminating namespace.
func DeleteNamespace(ctx context.Context, cs kubernetes.Interface, ns string, timeout time.Duration) (bool, error) {
	err := cs.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, clierr.New("delete namespace "+ns, "delete it with kubectl delete ns "+ns, err)
	}
	err = wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		_, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	if err != nil {
		return true, clierr.New(fmt.Sprintf("namespace %s is still terminating after %s", ns, timeout), "check `kubectl get ns "+ns+" -o yaml` for finalizers", err)
	}
	return true, nil
}
