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
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/kubernetes"

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

	stop chan struct{}
	done chan struct{}
}

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
}

// Acquire takes the lease, waiting while another live up holds it, then
// renews it in the background until Release. out gets one line when it
// has to wait.
func (l *Lock) Acquire(ctx context.Context, out io.Writer) error {
	l.defaults()
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
			fmt.Fprintf(out, "   %s (lease %s/%s held by %s); waiting for it to finish\n", Busy, l.Namespace, Name, holder)
			said = true
		}
		if time.Now().After(deadline) {
			return clierr.New(fmt.Sprintf("%s (lease %s/%s held by %s)", Busy, l.Namespace, Name, holder),
				fmt.Sprintf("wait for it to finish and run up again; if it died, its lease expires %s after its last renewal", l.Duration), nil)
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
			return "", nil
		case apierrors.IsAlreadyExists(err):
			return "another up", nil // it won the race; its name shows next round
		}
	}
	if err != nil {
		return "", clierr.New("take lease "+l.Namespace+"/"+Name, "check that your kube user may get, create and update Leases (coordination.k8s.io) in "+l.Namespace, err)
	}
	if h := cur.Spec.HolderIdentity; h != nil && *h != "" && *h != l.Holder && !expired(cur, time.Now()) {
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
	return "", nil
}

func expired(l *coordinationv1.Lease, now time.Time) bool {
	if l.Spec.RenewTime == nil || l.Spec.LeaseDurationSeconds == nil {
		return true
	}
	return now.After(l.Spec.RenewTime.Add(time.Duration(*l.Spec.LeaseDurationSeconds) * time.Second))
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
			ctx, cancel := context.WithTimeout(context.Background(), l.Duration/3)
			api := l.Client.CoordinationV1().Leases(l.Namespace)
			if cur, err := api.Get(ctx, Name, metav1.GetOptions{}); err == nil && cur.Spec.HolderIdentity != nil && *cur.Spec.HolderIdentity == l.Holder {
				now := metav1.NewMicroTime(time.Now())
				cur.Spec.RenewTime = &now
				_, _ = api.Update(ctx, cur, metav1.UpdateOptions{}) // a miss is retried next tick
			}
			cancel()
		}
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
	rv := cur.ResourceVersion
	err = api.Delete(ctx, Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{ResourceVersion: &rv}})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		return clierr.New("release lease "+l.Namespace+"/"+Name, "it expires by itself; or delete it: kubectl -n "+l.Namespace+" delete lease "+Name, err)
	}
	return nil
}
