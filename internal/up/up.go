// Package up is `helm todo up` as a plan: build → load → namespace →
// secrets → deploy → wait → report. New builds the plan from
// resolved inputs without touching anything, so --dry-run prints exactly
// what Run would do and tests can check plans without a cluster.
package up

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/helm-todo/helm-todo/internal/appurl"
	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/cluster"
	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/deploy"
	"github.com/helm-todo/helm-todo/internal/migration"
	"github.com/helm-todo/helm-todo/internal/nsowner"
	"github.com/helm-todo/helm-todo/internal/plan"
	"github.com/helm-todo/helm-todo/internal/rollout"
	"github.com/helm-todo/helm-todo/internal/secrets"
)

// Options are up's resolved inputs.
type Options struct {
	Deploy deploy.Options // release, namespace, chart, images, helm
	// Delivery are the build and load steps; empty with --skip-build.
	Delivery []plan.Step
	Secrets  *secrets.Values
	// EnvFile is the env file the secrets were read from ("" for none).
	EnvFile string
	// Client connects lazily: --dry-run calls it only to read the
	// deployed release for the migration decision (read-only).
	Client func() (kubernetes.Interface, error)
	Runner command.Runner
	// PreparePostRenderer installs the Helm 4 post-renderer plugin when
	// missing; PrepareLines describe it.
	PreparePostRenderer func(ctx context.Context, out io.Writer) error
	PrepareLines        []string
	// Cluster is where the app goes, the zero Cluster when unknown.
	Cluster cluster.Cluster
	// Probe runs read-only questions for the report (`minikube ip`).
	Probe command.Runner
	// WaitTimeout bounds the kstatus check after helm's own wait.
	WaitTimeout time.Duration
	// HelmOut receives helm's output (--debug).
	HelmOut io.Writer
	// TakeOverPending recovers a release another client left pending-*.
	TakeOverPending bool
	// Migration are the backend's migration inputs; the deploy skips the
	// Job when the deployed release recorded the same hash.
	Migration migration.Inputs
	// MigrationLines describe that decision for --dry-run.
	MigrationLines []string
}

// PSALabels enforce Pod Security restricted on the namespace, so the API
// server itself refuses any pod the post-renderer failed to harden.
var PSALabels = map[string]string{
	"pod-security.kubernetes.io/enforce":         "restricted",
	"pod-security.kubernetes.io/enforce-version": "latest",
	"pod-security.kubernetes.io/warn":            "restricted",
	"pod-security.kubernetes.io/audit":           "restricted",
}

// New builds the plan. It refuses missing required secret keys here, before
// any step runs: nothing is built or deployed for a run that cannot work.
func New(o Options) (*plan.Plan, error) {
	if err := o.Secrets.Check(); err != nil {
		return nil, err
	}
	if err := preflight(o); err != nil {
		return nil, err
	}
	d := o.Deploy
	p := &plan.Plan{Title: fmt.Sprintf("up: release %s in namespace %s", d.Release, d.Namespace)}
	p.Add(o.Delivery...)
	ls := &leaseStep{o: o}
	p.Add(namespaceStep(o), ls, secretStep(o))
	// deploy hands the release helm printed to the report.
	deployed := new(deploy.Release)
	// before is the release's workloads just before helm: the wait after
	// it skips those the upgrade left unchanged.
	before := new(rollout.Baseline)
	var dep *deploy.Step
	dep = &deploy.Step{
		Options: d, Runner: o.Runner,
		Prepare: func(ctx context.Context, out io.Writer) error {
			if o.PreparePostRenderer != nil {
				if err := o.PreparePostRenderer(ctx, out); err != nil {
					return err
				}
			}
			// Three independent reads (the lease's mark also writes), a
			// round trip or two each: at once, so the deploy waits for
			// the slowest, not their sum.
			var wg sync.WaitGroup
			var markErr error
			var mig migration.Decision
			wg.Add(3)
			go func() { defer wg.Done(); markErr = ls.markNext(ctx) }()
			go func() { defer wg.Done(); mig = decideMigration(ctx, o) }()
			go func() { defer wg.Done(); *before = takeBaseline(ctx, o) }()
			wg.Wait()
			if markErr != nil {
				return markErr
			}
			applyMigration(dep, mig, out)
			return nil
		},
		PrepareLines: append(append([]string{}, o.PrepareLines...), o.MigrationLines...),
		Watcher:      &rollout.Watcher{Connect: o.Client, Namespace: d.Namespace, Release: d.Release},
		HelmOut:      o.HelmOut,
		Deployed:     deployed,
		Ended:        ls.settle,
	}
	p.Add(dep, waitStep(o, before), reportStep(o, deployed))
	return p, nil
}

func namespaceStep(o Options) plan.Step {
	ns := o.Deploy.Namespace
	return plan.Func{
		Label: "namespace",
		Lines: []string{fmt.Sprintf("Namespace %s, labels %s (created if missing, labels added if absent)", ns, labelString(PSALabels))},
		Fn: func(ctx context.Context, out io.Writer) error {
			cs, err := o.Client()
			if err != nil {
				return err
			}
			if err := secrets.CheckOwned(ctx, cs, ns, o.Deploy.Release); err != nil {
				return err
			}
			did, err := EnsureNamespace(ctx, cs, ns)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "   namespace %s %s (pod security: restricted)\n", ns, did)
			return nil
		},
	}
}

// EnsureNamespace creates ns with the PSA labels, or adds the labels an
// existing namespace lacks. A label the user set to another value is kept:
// their namespace, their policy.
func EnsureNamespace(ctx context.Context, cs kubernetes.Interface, ns string) (string, error) {
	api := cs.CoreV1().Namespaces()
	cur, err := api.Get(ctx, ns, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		_, err = api.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: nsowner.CreationLabels(PSALabels)}}, metav1.CreateOptions{})
		if err != nil {
			return "", clierr.New("create namespace "+ns, "check that your kube user may create namespaces, or create it yourself", err)
		}
		return "created", nil
	}
	if err != nil {
		return "", clierr.New("read namespace "+ns, "check that the cluster is reachable (kubectl get ns)", err)
	}
	changed := false
	if cur.Labels == nil {
		cur.Labels = map[string]string{}
	}
	for k, v := range PSALabels {
		if _, ok := cur.Labels[k]; !ok {
			cur.Labels[k], changed = v, true
		}
	}
	if !changed {
		return "unchanged", nil
	}
	if _, err := api.Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
		return "", clierr.New("label namespace "+ns, "label it yourself: kubectl label ns "+ns+" pod-security.kubernetes.io/enforce=restricted", err)
	}
	return "labelled", nil
}

func secretStep(o Options) plan.Step {
	d := o.Deploy
	lines := []string{fmt.Sprintf("Secret %s/%s, labelled app.kubernetes.io/managed-by=%s, one create or update with the full data; keys (values never shown):",
		d.Namespace, secrets.Name(d.Release), secrets.ManagedBy)}
	for _, l := range o.Secrets.Describe() {
		lines = append(lines, "  "+l)
	}
	if o.Secrets.InClusterDB() {
		lines = append(lines, "no DATABASE_URL: the chart's in-cluster PostgreSQL is deployed (database.external=false)")
	}
	return plan.Func{
		Label: "secrets",
		Lines: lines,
		Fn: func(ctx context.Context, out io.Writer) error {
			cs, err := o.Client()
			if err != nil {
				return err
			}
			res, err := secrets.Apply(ctx, cs, d.Namespace, d.Release, o.Secrets)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "   secret %s/%s %s (keys: %s)\n", d.Namespace, secrets.Name(d.Release), res, strings.Join(o.Secrets.Names(), ", "))
			if o.Secrets.InClusterDB() {
				fmt.Fprintln(out, "   no DATABASE_URL given: using the chart's in-cluster PostgreSQL")
			}
			return nil
		},
	}
}

// reportStep reads the release from the deploy step's helm output, and asks
// `helm status` only if that is missing.
func reportStep(o Options, deployed *deploy.Release) plan.Step {
	d := o.Deploy
	return plan.Func{
		Label: "report",
		Lines: []string{
			"release status and hook results from helm's --output json above",
			fmt.Sprintf("Service %s/%s → frontend URL", d.Namespace, appurl.ServiceName(d.Release)),
		},
		Fn: func(ctx context.Context, out io.Writer) error {
			rel, err := *deployed, error(nil)
			if !rel.Found {
				rel, err = deploy.Status(ctx, o.Runner, d)
			}
			if err == nil {
				fmt.Fprintf(out, "   release %s: %s\n", d.Release, rel)
				hooks := rel.Hooks
				sort.Slice(hooks, func(i, j int) bool { return hooks[i].Name < hooks[j].Name })
				for _, h := range hooks {
					fmt.Fprintf(out, "   hook %s/%s: %s\n", strings.ToLower(h.Kind), h.Name, h.Phase)
				}
			}
			in := appurl.Input{Cluster: o.Cluster, Probe: o.Probe, Namespace: d.Namespace, Release: d.Release}
			if cs, err := o.Client(); err == nil {
				if svc, err := cs.CoreV1().Services(d.Namespace).Get(ctx, appurl.ServiceName(d.Release), metav1.GetOptions{}); err == nil {
					in.Service = svc
				}
				if o.Cluster.RunsContainers() {
					in.NodeIPs, in.Answers = nodeIPs(ctx, cs), appurl.Answers
				}
			}
			for _, l := range appurl.Frontend(ctx, in).Lines() {
				fmt.Fprintln(out, l)
			}
			if n := o.Cluster.Note(); n != "" {
				fmt.Fprintln(out, "note: "+n)
			}
			return nil
		},
	}
}

// nodeIPs lists the nodes' InternalIP addresses, for appurl.Input.
func nodeIPs(ctx context.Context, cs kubernetes.Interface) []string {
	nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil
	}
	var ips []string
	for _, n := range nodes.Items {
		for _, a := range n.Status.Addresses {
			if a.Type == corev1.NodeInternalIP {
				ips = append(ips, a.Address)
			}
		}
	}
	return ips
}

func labelString(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return strings.Join(parts, ",")
}

// run runs the plan. When it stops early, the release's state is printed:
// on Ctrl-C during build the release is untouched, during deploy helm rolls
// it back; either way the user is told what is there now.
func run(ctx context.Context, p *plan.Plan, o Options, out io.Writer) (plan.Report, error) {
	defer releaseLeases(p)
	rep, err := p.Run(ctx, out)
	if err == nil {
		return rep, nil
	}
	if rep.Failed != "deploy" && (rep.Canceled || ctx.Err() != nil) {
		stateCtx, cancel := deploy.StateContext(ctx)
		defer cancel()
		state := deploy.State(stateCtx, o.Runner, o.Deploy)
		fmt.Fprintf(out, "interrupted; release %s in namespace %s is %s (not changed by this run)\n", o.Deploy.Release, o.Deploy.Namespace, state)
	}
	return rep, err
}
