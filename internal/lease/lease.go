// Package lease serialises `helm todo up` runs in one namespace with a
// Kubernetes Lease: two ups at once would race on the Secret and on Helm's
// release (one sees the other's pending-upgrade). The second up waits for
// the first, then runs, so each reports the state its own run left.
package lease

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/clock"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

// Name is the Lease's name in the release's namespace.
const Name = "helm-todo-up"

// Busy is the phrase a waiting or refused up prints.
const Busy = "another helm todo up is running here"

// Lock takes and holds the lease. Zero durations take the defaults.
type Lock struct {
	Client    kubernetes.Interface
	Namespace string
	// Holder names this run in the Lease (host/pid/random by default).
	Holder string
	// Duration is how long the lease outlives its last renewal: a crashed
	// up frees the namespace after it.
	Duration time.Duration
	// Wait bounds how long Acquire waits for another up.
	Wait time.Duration
	// Poll is the interval between attempts while waiting.
	Poll time.Duration
	// Clock is this machine's clock (nil: the real one). Expiry is judged
	// on it alone: by how long the record has stayed unchanged since this
	// process saw it, as client-go's leader election does, never by the
	// holder's renewTime, which another machine's clock wrote.
	Clock clock.PassiveClock

	stop chan struct{}
	done chan struct{}
	// out gets a line when a renewal fails.
	out io.Writer
	// observed is the holder's record as last seen, and observedAt when
	// it was first seen so, on Clock.
	observed   string
	observedAt time.Time
	// mark is what the lease said this run's predecessor started.
	mark Mark
	// renewFailing is set while renewals fail, so each streak is said once.
	renewFailing bool
}

// Mark names the release revision an up was about to create when it last
// held the lease. Helm records no client, so this is how a later up tells
// a pending revision its predecessor left from one another client is still
// working on.
type Mark struct {
	Release  string
	Revision int
}

// Annotations on the Lease that hold the Mark.
const (
	MarkReleaseKey  = "helm-todo/pending-release"
	MarkRevisionKey = "helm-todo/pending-revision"
)

func (l *Lock) defaults() {
	if l.Holder == "" {
		host, _ := os.Hostname()
		l.Holder = fmt.Sprintf("%s/%d/%s", host, os.Getpid(), utilrand.String(5))
	}
	if l.Duration <= 0 {
		l.Duration = 30 * time.Second
	}
	if l.Wait <= 0 {
		l.Wait = 5 * time.Minute
	}
	if l.Poll <= 0 {
		l.Poll = time.Second
	}
	if l.Clock == nil {
		l.Clock = clock.RealClock{}
	}
}

// Acquire takes the lease, waiting while another live up holds it, then
// renews it in the background until Release. out gets one line when it
// has to wait.
func (l *Lock) Acquire(ctx context.Context, out io.Writer) error {
	l.defaults()
	l.out = out
	deadline := time.Now().Add(l.Wait)
	said := false
	for {
		holder, err := l.try(ctx)
		if err != nil {
			return err
		}
		if holder == "" {
			l.stop, l.done = make(chan struct{}), make(chan struct{})
			go l.renew()
			return nil
		}
		if !said {
			fmt.Fprintf(out, "   %s (lease %s/%s held by %s); waiting for it to finish, or for its lease to go unrenewed for %s\n", Busy, l.Namespace, Name, holder, l.Duration)
			said = true
		}
		if time.Now().After(deadline) {
			return clierr.New(fmt.Sprintf("%s (lease %s/%s held by %s)", Busy, l.Namespace, Name, holder),
				fmt.Sprintf("wait for it to finish and run up again; if it died, its lease expires once unrenewed for %s", l.Duration), nil)
		}
		select {
		case <-ctx.Done():
			return clierr.New(Busy+"; stopped waiting", "run up again once it has finished", ctx.Err())
		case <-time.After(l.Poll):
		}
	}
}

// try takes the lease if it is free or expired. It returns the live
// holder's name when another holds it.
func (l *Lock) try(ctx context.Context) (string, error) {
	api := l.Client.CoordinationV1().Leases(l.Namespace)
	now := metav1.NewMicroTime(time.Now())
	secs := int32(l.Duration / time.Second)
	cur, err := api.Get(ctx, Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		_, err = api.Create(ctx, &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Name: Name, Namespace: l.Namespace, Labels: map[string]string{"app.kubernetes.io/managed-by": "helm-todo"}},
			Spec:       coordinationv1.LeaseSpec{HolderIdentity: &l.Holder, LeaseDurationSeconds: &secs, AcquireTime: &now, RenewTime: &now},
		}, metav1.CreateOptions{})
		switch {
		case err == nil:
			l.mark = Mark{}
			return "", nil
		case apierrors.IsAlreadyExists(err):
			return "another up", nil // it won the race; its name shows next round
		}
	}
	if err != nil {
		return "", clierr.New("take lease "+l.Namespace+"/"+Name, "check that your kube user may get, create and update Leases (coordination.k8s.io) in "+l.Namespace, err)
	}
	if h := cur.Spec.HolderIdentity; h != nil && *h != "" && *h != l.Holder && !l.expired(cur) {
		return *h, nil
	}
	cur.Spec.HolderIdentity, cur.Spec.LeaseDurationSeconds = &l.Holder, &secs
	cur.Spec.AcquireTime, cur.Spec.RenewTime = &now, &now
	if _, err := api.Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
		if apierrors.IsConflict(err) {
			return "another up", nil
		}
		return "", clierr.New("take lease "+l.Namespace+"/"+Name, "check that your kube user may update Leases in "+l.Namespace, err)
	}
	l.mark = markOf(cur)
	return "", nil
}

// expired says whether the holder's record has stayed unchanged for its
// lease duration, timed on this process's own clock from the moment it
// first saw that record. A holder whose clock runs behind or ahead makes
// no difference; a fresh observer waits a whole duration, as client-go's
// leader election does.
func (l *Lock) expired(cur *coordinationv1.Lease) bool {
	now := l.Clock.Now()
	rec := fmt.Sprintf("%s|%v|%v", deref(cur.Spec.HolderIdentity), cur.Spec.RenewTime, cur.Spec.AcquireTime)
	if rec != l.observed {
		l.observed, l.observedAt = rec, now
		return false
	}
	d := l.Duration
	if s := cur.Spec.LeaseDurationSeconds; s != nil && *s > 0 {
		d = time.Duration(*s) * time.Second
	}
	return now.Sub(l.observedAt) >= d
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func markOf(cur *coordinationv1.Lease) Mark {
	rev, err := strconv.Atoi(cur.Annotations[MarkRevisionKey])
	if err != nil {
		return Mark{}
	}
	return Mark{Release: cur.Annotations[MarkReleaseKey], Revision: rev}
}

// Previous is the mark the lease carried when this run took it: the
// revision an earlier up was about to create, zero when there is none.
func (l *Lock) Previous() Mark { return l.mark }

// SetMark records on the lease the release revision this run is about to
// create, before it starts helm: should this run die, the next up knows
// that revision for its own. The zero Mark clears it. The lease must be
// held.
func (l *Lock) SetMark(ctx context.Context, m Mark) error {
	api := l.Client.CoordinationV1().Leases(l.Namespace)
	cur, err := api.Get(ctx, Name, metav1.GetOptions{})
	if err == nil && deref(cur.Spec.HolderIdentity) != l.Holder {
		err = fmt.Errorf("held by %s now", deref(cur.Spec.HolderIdentity))
	}
	if err == nil {
		if m == (Mark{}) {
			delete(cur.Annotations, MarkReleaseKey)
			delete(cur.Annotations, MarkRevisionKey)
		} else {
			if cur.Annotations == nil {
				cur.Annotations = map[string]string{}
			}
			cur.Annotations[MarkReleaseKey], cur.Annotations[MarkRevisionKey] = m.Release, strconv.Itoa(m.Revision)
		}
		_, err = api.Update(ctx, cur, metav1.UpdateOptions{})
	}
	if err != nil {
		return clierr.New("record on lease "+l.Namespace+"/"+Name+" the revision up is about to create",
			"check that your kube user may update Leases in "+l.Namespace+", then run up again", err)
	}
	l.mark = m
	return nil
}

// renew keeps the lease fresh at a third of its duration.
func (l *Lock) renew() {
	defer close(l.done)
	t := time.NewTicker(l.Duration / 3)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			l.renewOnce()
		}
	}
}

// renewOnce renews the lease, and says so when it cannot: unrenewed for
// its duration, the lease lets another up in beside this one. A miss is
// retried next tick; a streak of misses is said once.
func (l *Lock) renewOnce() {
	ctx, cancel := context.WithTimeout(context.Background(), l.Duration/3)
	defer cancel()
	api := l.Client.CoordinationV1().Leases(l.Namespace)
	cur, err := api.Get(ctx, Name, metav1.GetOptions{})
	if err == nil && deref(cur.Spec.HolderIdentity) != l.Holder {
		err = fmt.Errorf("it is held by %q now", deref(cur.Spec.HolderIdentity))
	}
	if err == nil {
		now := metav1.NewMicroTime(time.Now())
		cur.Spec.RenewTime = &now
		_, err = api.Update(ctx, cur, metav1.UpdateOptions{})
	}
	switch {
	case err != nil && !l.renewFailing:
		l.renewFailing = true
		fmt.Fprintf(l.out, "   warning: could not renew lease %s/%s (%v); unrenewed for %s it lets another helm todo up start here\n", l.Namespace, Name, err, l.Duration)
	case err == nil && l.renewFailing:
		l.renewFailing = false
		fmt.Fprintf(l.out, "   lease %s/%s renewed again\n", l.Namespace, Name)
	}
}

// Release stops renewing and deletes the lease if this run still holds it.
// It runs after Ctrl-C too, so it takes no canceled context.
func (l *Lock) Release() error {
	if l.stop == nil {
		return nil
	}
	close(l.stop)
	<-l.done
	l.stop = nil
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	api := l.Client.CoordinationV1().Leases(l.Namespace)
	cur, err := api.Get(ctx, Name, metav1.GetOptions{})
	if err != nil || cur.Spec.HolderIdentity == nil || *cur.Spec.HolderIdentity != l.Holder {
		return nil // gone, or taken over after it expired
	}
	if markOf(cur) != (Mark{}) {
		// The revision this run started may still be pending: the lease
		// stays, free, carrying the mark for the next up.
		cur.Spec.HolderIdentity = nil
		if _, err := api.Update(ctx, cur, metav1.UpdateOptions{}); err != nil && !apierrors.IsConflict(err) {
			return clierr.New("release lease "+l.Namespace+"/"+Name, "it expires by itself once unrenewed for "+l.Duration.String(), err)
		}
		return nil
	}
	rv := cur.ResourceVersion
	err = api.Delete(ctx, Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{ResourceVersion: &rv}})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		return clierr.New("release lease "+l.Namespace+"/"+Name, "it expires by itself; or delete it: kubectl -n "+l.Namespace+" delete lease "+Name, err)
	}
	return nil
}
