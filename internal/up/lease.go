package up

import (
	"context"
	"fmt"
	"io"

	"github.com/helm-todo/helm-todo/internal/deploy"
	"github.com/helm-todo/helm-todo/internal/lease"
	"github.com/helm-todo/helm-todo/internal/plan"
)

// leaseStep takes the namespace's up lease, so a second up waits for this
// one, and then recovers a release an interrupted run left pending: with
// the lease held, no other helm todo up is working on it.
type leaseStep struct {
	o    Options
	lock *lease.Lock
}

func (s *leaseStep) Name() string { return "lease" }

func (s *leaseStep) Describe() []string {
	return []string{
		fmt.Sprintf("Lease %s/%s, held until up ends; while another up holds it, wait (at most %s)", s.o.Deploy.Namespace, lease.Name, s.o.Deploy.Timeout),
		"release left pending-* by an interrupted run: helm rollback (pending-install: helm uninstall), said when done",
	}
}

func (s *leaseStep) Run(ctx context.Context, out io.Writer) error {
	cs, err := s.o.Client()
	if err != nil {
		return err
	}
	s.lock = &lease.Lock{Client: cs, Namespace: s.o.Deploy.Namespace, Wait: s.o.Deploy.Timeout}
	if err := s.lock.Acquire(ctx, out); err != nil {
		return err
	}
	fmt.Fprintf(out, "   lease %s/%s taken\n", s.o.Deploy.Namespace, lease.Name)
	if !deploy.MaybePending(ctx, cs, s.o.Deploy.Driver, s.o.Deploy.Namespace, s.o.Deploy.Release) {
		return nil
	}
	return deploy.Recover(ctx, s.o.Runner, s.o.Deploy, out)
}

// releaseLeases lets the next up in: it runs when the plan ends, however
// it ends.
func releaseLeases(p *plan.Plan) {
	for _, st := range p.Steps {
		if l, ok := st.(*leaseStep); ok && l.lock != nil {
			_ = l.lock.Release() // unreleased, it expires on its own
		}
	}
}
