package up

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/plan"
	"github.com/helm-todo/helm-todo/internal/rollout"
)

// takeBaseline records the release's workloads before helm runs; nil
// (wait on every workload, as before) when they cannot be listed.
func takeBaseline(ctx context.Context, o Options) rollout.Baseline {
	cs, err := o.Client()
	if err != nil {
		return nil
	}
	b, err := rollout.TakeBaseline(ctx, cs, o.Deploy.Namespace, o.Deploy.Release)
	if err != nil {
		return nil
	}
	return b
}

func waitStep(o Options, before *rollout.Baseline) plan.Step {
	d := o.Deploy
	timeout := o.WaitTimeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	return plan.Func{
		Label: "wait",
		Lines: []string{fmt.Sprintf("kstatus of the Deployments, StatefulSets and Jobs labelled app.kubernetes.io/instance=%s that this upgrade changed (new, or a new generation) until all are Current (at most %s); those it left unchanged, a failed Job kept from an earlier up among them, are not waited on", d.Release, timeout)},
		Fn: func(ctx context.Context, out io.Writer) error {
			cs, err := o.Client()
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			w := &rollout.Watcher{Client: cs, Namespace: d.Namespace, Release: d.Release, Baseline: *before}
			if err := w.WaitCurrent(ctx, io.Discard); err != nil {
				return clierr.New("wait for release "+d.Release, "describe the workloads named (kubectl describe -n "+d.Namespace+")", err)
			}
			fmt.Fprintln(out, "   "+waitedLine(w.Waited(), w.Unchanged()))
			return nil
		},
	}
}

// waitedLine says what the wait found once nothing was pending: the
// workloads it waited on are Current, and which ones it left alone.
func waitedLine(waited int, unchanged []string) string {
	switch {
	case len(unchanged) == 0:
		return "all workloads are Current"
	case waited == 0:
		return "no workload changed in this upgrade, none waited on (" + strings.Join(unchanged, ", ") + ")"
	}
	return fmt.Sprintf("the workloads this upgrade changed are Current (%d); unchanged, not waited on: %s", waited, strings.Join(unchanged, ", "))
}
