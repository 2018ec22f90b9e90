package dev

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/helm-todo/helm-todo/internal/image"
	"github.com/helm-todo/helm-todo/internal/interrupt"
	"github.com/helm-todo/helm-todo/internal/kubeclient"
	"github.com/helm-todo/helm-todo/internal/live"
	"github.com/helm-todo/helm-todo/internal/logs"
	"github.com/helm-todo/helm-todo/internal/migration"
	"github.com/helm-todo/helm-todo/internal/up"
)

// liveUpdate is dev's live update of the backend: the rule from its
// Dockerfile and the syncer into its pods. nil when it is off.
type liveUpdate struct {
	rule    live.Rule
	context string
	syncer  *live.Syncer
}

// startLive says whether the first up deployed the backend in live-update
// mode and, when it did and the cluster answers, starts the pod watch that
// brings a replaced pod to the synced code.
func (a *Action) startLive(bg context.Context, wg *sync.WaitGroup, first *up.Result, kc *kubeclient.Client, term *logs.Lines, w io.Writer) *liveUpdate {
	if first.Live.Rule == nil {
		if a.Up.LiveUpdate {
			fmt.Fprintf(w, "dev: live update off (every backend edit is a build): %s\n", first.Live.Off)
		}
		return nil
	}
	if kc == nil {
		fmt.Fprintln(w, "dev: live update off: no connection to the cluster; every backend edit is a build")
		return nil
	}
	var ctxDir string
	for _, b := range first.Delivery.Builds {
		if b.Spec.Component == "backend" {
			ctxDir = b.Spec.Context
		}
	}
	r := *first.Live.Rule
	lu := &liveUpdate{rule: r, context: ctxDir, syncer: &live.Syncer{Client: kc.Clientset, Config: kc.Config,
		Namespace: first.Options.Deploy.Namespace, Release: first.Options.Deploy.Release, Remote: r.Remote}}
	fmt.Fprintf(w, "dev: live update on: an edit only under %s/ goes into the running backend pods at %s, no image build\n", r.Local, r.Remote)
	wg.Add(1)
	go func() {
		defer wg.Done()
		lu.syncer.Watch(bg, func(pod string, err error) {
			if err != nil {
				term.Line(fmt.Sprintf("dev: live update of new pod %s failed: %v; save again, or restart dev", pod, err))
				return
			}
			term.Line("dev: live update: new pod " + pod + " started without the synced code; synced")
		})
	}()
	return lu
}

// migrationInputs are the context's files the migration Job reads, read
// again for each change (an edit may add an import); none when unknown.
func (lu *liveUpdate) migrationInputs() map[string]bool {
	in, err := migration.ReadInputs(lu.context)
	if err != nil {
		return nil
	}
	m := map[string]bool{}
	for _, f := range in.Files {
		m[f] = true
	}
	return m
}

// sync puts the backend's code as it is now into its pods. It returns
// false when that cannot be done and a build must: it has said why.
func (lu *liveUpdate) sync(ctx context.Context, w io.Writer, b *image.BuildStep) bool {
	ign, err := b.Ignore()
	if err == nil {
		var snap *live.Snapshot
		if snap, err = live.Take(lu.context, lu.rule, ign); err == nil {
			var done *live.Synced
			if done, err = lu.syncer.Sync(ctx, snap); err == nil {
				pods := "no pod runs yet; new pods start with it"
				if len(done.Pods) > 0 {
					pods = strings.Join(done.Pods, "; ")
				}
				fmt.Fprintf(w, "dev: live update done in %s (%s); the server reloads\n", round(done.Took), pods)
				return true
			}
		}
	}
	var se *live.SyntaxError
	if errors.As(err, &se) {
		fmt.Fprintf(w, "dev: live update refused, the pods keep the last good code: %s; fix it and save\n", se.Detail)
		return true // a build would fail the same way
	}
	fmt.Fprintf(w, "dev: live update failed (%v): building instead\n", err)
	return false
}

// finalBuild leaves the release as up would deploy it: the backend image
// built from the tree as it is now (the synced code included), outside
// live-update mode, and the snapshot ConfigMap gone. With --no-final-build
// it only says what runs.
func (a *Action) finalBuild(ctx context.Context, res *Result, w io.Writer, first *up.Result, lu *liveUpdate) {
	if first.Live.Rule == nil || a.Cleanup != nil {
		return // never in live-update mode, or removed anyway
	}
	if a.NoFinalBuild {
		fmt.Fprintln(w, "dev: --no-final-build: the backend stays in live-update mode with the synced code; helm todo up deploys it as built")
		return
	}
	fmt.Fprintln(w, "dev: final build: the backend image from the code as it is now, deployed as up would (--no-final-build skips this; Ctrl-C again stops it)")
	ns, rel := first.Options.Deploy.Namespace, first.Options.Deploy.Release
	defer interrupt.From(ctx).Note(func(context.Context) string {
		return fmt.Sprintf("dev's final build stopped part-way: release %s in namespace %s may still run live-synced code; deploy it as built with: helm todo up -n %s --release %s", rel, ns, ns, rel)
	})()
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), first.Options.Deploy.Timeout+5*time.Minute)
	defer cancel()
	// As up would: no live-update mode, and the chart's probe periods, not
	// dev's one-second ones, so a later up changes nothing.
	u := a.Up
	u.LiveUpdate = false
	u.Dev = false
	if _, err := a.cycleWith(fctx, res, w, u); err != nil {
		return // cycle said it; the release keeps the live-update mode
	}
	if lu != nil {
		if err := lu.syncer.Remove(fctx); err != nil {
			fmt.Fprintf(w, "dev: remove the live-update snapshot: %v; helm todo down removes it\n", err)
		}
	}
}
