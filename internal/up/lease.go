package up

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/helm-todo/helm-todo/internal/deploy"
	"github.com/helm-todo/helm-todo/internal/lease"
	"github.com/helm-todo/helm-todo/internal/plan"
)

// leaseStep takes the namespace's up lease, so a second up waits for this
// one, and then recovers a release an interrupted up left pending: with the
// lease held, no other helm todo up is working on it. The lease also
// carries the mark of the revision this run starts (markNext), which is how
// the next up tells its predecessor's pending revision from another
// client's.
type leaseStep struct {
	o    Options
	lock *lease.Lock
}

func (s *leaseStep) Name() string { return "lease" }

func (s *leaseStep) Describe() []string {
	lines := []string{
		fmt.Sprintf("Lease %s/%s, held until up ends; while another up holds it, wait (at most %s)", s.o.Deploy.Namespace, lease.Name, s.o.Deploy.Timeout),
		"release left pending-* by an interrupted helm todo up (the revision the lease recorded): helm rollback (pending-install: helm uninstall), said when done",
	}
	if s.o.TakeOverPending {
		return append(lines, "release left pending-* by another client: the same ("+deploy.TakeOverFlag+")")
	}
	return append(lines, fmt.Sprintf("release pending-* by another client: wait for it to end (at most %s), never roll it back", s.o.Deploy.Timeout))
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
	prev := s.lock.Previous()
	if deploy.MaybePending(ctx, cs, s.o.Deploy.Driver, s.o.Deploy.Namespace, s.o.Deploy.Release) {
		rc := deploy.Recovery{Options: s.o.Deploy, Runner: s.o.Runner, TakeOver: s.o.TakeOverPending, Mark: s.mark}
		if prev.Release == s.o.Deploy.Release {
			rc.Ours = prev.Revision
		}
		if err := rc.Run(ctx, out); err != nil {
			return err
		}
	}
	if s.lock.Previous() != (lease.Mark{}) {
		// recovered, or nothing left to recover: an old mark must not make
		// a later client's revision of that number look like up's own
		return s.lock.SetMark(ctx, lease.Mark{})
	}
	return nil
}

func (s *leaseStep) mark(ctx context.Context, revision int) error {
	return s.lock.SetMark(ctx, lease.Mark{Release: s.o.Deploy.Release, Revision: revision})
}

// markNext records the revision the deploy's helm is about to create. A
// release already pending gets no mark: helm will refuse it, and that
// revision is not this run's.
func (s *leaseStep) markNext(ctx context.Context) error {
	if s.lock == nil {
		return nil
	}
	cs, err := s.o.Client()
	if err != nil {
		return err
	}
	rel, err := deploy.Latest(ctx, cs, s.o.Runner, s.o.Deploy)
	if err != nil || strings.HasPrefix(rel.Status, "pending-") {
		return nil // no mark: should this run die, the next up asks the user
	}
	return s.mark(ctx, rel.Revision+1)
}

// settle clears the mark once the release helm left is not pending.
func (s *leaseStep) settle(ctx context.Context, rel deploy.Release) {
	if s.lock != nil && !strings.HasPrefix(rel.Status, "pending-") {
		_ = s.lock.SetMark(ctx, lease.Mark{}) // kept, it names a revision no longer pending: harmless
	}
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
