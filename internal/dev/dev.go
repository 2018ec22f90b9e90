// Package dev is `helm todo dev`: one up, then a loop that watches the
// build contexts, the env file and the values files, and on a change runs
// up again. Each cycle is the same up.Action, so only the
// component whose content tag changed is built and loaded, and the
// redeploy is a helm upgrade of the same release: the release history
// stays the truth. Meanwhile the app's logs stream to the terminal and a
// port-forward to the frontend survives its pods.
package dev

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/clock"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/interrupt"
	"github.com/helm-todo/helm-todo/internal/kubeclient"
	"github.com/helm-todo/helm-todo/internal/logs"
	"github.com/helm-todo/helm-todo/internal/portforward"
	"github.com/helm-todo/helm-todo/internal/secrets"
	"github.com/helm-todo/helm-todo/internal/up"
	"github.com/helm-todo/helm-todo/internal/watch"
)

// Action is `helm todo dev`.
type Action struct {
	// Up is everything up accepts; its Images.Out is the terminal and
	// Images.DryRun is --dry-run.
	Up up.Action
	// Debounce is the quiet time that ends a burst of file events.
	Debounce time.Duration
	// FrontendPort and BackendPort are the local ports forwarded to the
	// Services; 0 forwards none.
	FrontendPort, BackendPort int
	Address                   string
	// NoLogs turns the log streams off; Colour colours their prefixes.
	NoLogs, Colour bool
	// Cleanup, when set, runs on exit (--cleanup: helm todo down).
	Cleanup func(ctx context.Context, out io.Writer) error
	// NoLiveUpdate builds the backend for every edit; by default an edit
	// only to the code its image copies verbatim goes into the running pods.
	NoLiveUpdate bool
	// NoFinalBuild leaves the backend in live-update mode on exit, instead
	// of building and deploying it as up would.
	NoFinalBuild bool

	// Cycle runs one up; nil runs Up.Run. Tests record cycles here.
	Cycle func(ctx context.Context, a *up.Action) (*up.Result, error)
	// Kube connects for logs, port-forwards and restarts; nil uses the
	// settings' kube-context.
	Kube  func() (*kubeclient.Client, error)
	Clock clock.WithDelayedExecution
}

// Result is what dev did.
type Result struct {
	Cycles int // up runs, the first included
	Failed int // of which failed
}

// Run does the first up, then loops until ctx ends. A failed cycle is
// reported and the loop goes on; only a first up that cannot even plan
// (bad flags, a missing secret key) ends dev with its error.
func (a *Action) Run(ctx context.Context) (*Result, error) {
	term := logs.NewLines(a.Up.Images.Out)
	w := term.Writer()
	defer w.Flush()
	a.Up.Images.Out = w
	if a.Clock == nil {
		a.Clock = clock.RealClock{}
	}
	start := a.Clock.Now()
	res := &Result{}
	a.Up.LiveUpdate = !a.NoLiveUpdate
	fwds, err := a.openPorts()
	if err != nil {
		return res, err
	}
	served := false
	defer func() {
		if !served {
			closeAll(fwds)
		}
	}()
	first, err := a.cycle(ctx, res, w)
	if first == nil {
		return res, err
	}
	in := newInputs(first, a.Up.Images.Dir)
	targets, err := in.targets()
	if err != nil {
		return res, err
	}
	if a.Up.Images.DryRun {
		a.printDryRun(w, first, targets)
		return res, nil
	}
	if ctx.Err() != nil {
		a.finalBuild(ctx, res, w, first, nil)
		return res, a.exit(ctx, w, first)
	}
	// Force and --no-cache are for the first build only; later cycles
	// rebuild what changed.
	a.Up.Images.Force, a.Up.Images.NoCache = false, false

	watcher, err := watch.New(targets, a.Debounce, a.Clock)
	if err != nil {
		return res, clierr.New("watch the build contexts", "raise fs.inotify.max_user_watches, or exclude large directories in the dockerignore", err)
	}
	defer watcher.Close()
	bg, stopBg := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { stopBg(); wg.Wait() }()
	kc := a.startBackground(bg, &wg, first, fwds, term, w, start, watcher)
	served = kc != nil
	lu := a.startLive(bg, &wg, first, kc, term, w)
	fmt.Fprintln(w, "dev: watching (Ctrl-C stops watching; the app stays deployed):")
	for _, t := range targets {
		fmt.Fprintln(w, "  "+describe(t))
	}
	a.loop(ctx, res, w, watcher, in, first, kc, lu)
	// Logs and port-forwards end before the last word, so it is last.
	stopBg()
	wg.Wait()
	a.finalBuild(ctx, res, w, first, lu)
	return res, a.exit(ctx, w, first)
}

// openPorts checks the local ports and, unless this is a dry run, binds
// them, so a port in use fails before the first up.
func (a *Action) openPorts() ([]*portforward.Forwarder, error) {
	if err := a.checkPorts(); err != nil {
		return nil, err
	}
	if a.Up.Images.DryRun {
		return nil, nil
	}
	return a.listen()
}

// printDryRun is --dry-run's account of what dev would do after the plan.
func (a *Action) printDryRun(w io.Writer, first *up.Result, targets []watch.Target) {
	fmt.Fprintln(w, "dev: after this up, would watch (and run up again on a change):")
	for _, t := range targets {
		fmt.Fprintln(w, "  "+describe(t))
	}
	if r := first.Live.Rule; r != nil {
		fmt.Fprintf(w, "dev: would live-update the backend: an edit only under %s/ goes into its running pods at %s, no image build\n", r.Local, r.Remote)
	} else if a.Up.LiveUpdate {
		fmt.Fprintf(w, "dev: live update off: %s\n", first.Live.Off)
	}
	a.printForwards(w, first)
}

// startBackground starts, under bg, the port-forwards and log streams
// (when the cluster can be reached) and the printing of the watcher's own
// errors. It returns the cluster client, nil when there is none: then the
// forwards were not served, and an env-file change restarts nothing.
func (a *Action) startBackground(bg context.Context, wg *sync.WaitGroup, first *up.Result, fwds []*portforward.Forwarder,
	term *logs.Lines, w io.Writer, start time.Time, watcher *watch.Watcher) *kubeclient.Client {
	kc, err := a.kube()
	if err != nil {
		fmt.Fprintf(w, "dev: no logs or port-forward: %v\n", err)
		kc = nil
	} else {
		a.serve(bg, wg, kc, first, fwds, term)
		if !a.NoLogs {
			s := &logs.Streamer{Client: kc.Clientset, Namespace: first.Options.Deploy.Namespace,
				Selector:   "app.kubernetes.io/instance=" + first.Options.Deploy.Release,
				Components: []string{"backend", "frontend", "migration"}, Out: term, Colour: a.Colour, Since: start}
			wg.Add(1)
			go func() { defer wg.Done(); s.Run(bg) }()
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-bg.Done():
				return
			case err := <-watcher.Errors():
				term.Line("dev: file watcher: " + err.Error())
			}
		}
	}()
	return kc
}

// loop runs a cycle for each change that changes a content tag, until ctx
// ends; after an env-file change it restarts the pods whose Secret changed.
func (a *Action) loop(ctx context.Context, res *Result, w io.Writer, watcher *watch.Watcher, in *inputs, first *up.Result, kc *kubeclient.Client, lu *liveUpdate) {
	for {
		c, err := watcher.Next(ctx)
		if err != nil {
			return
		}
		d := in.decide(c, lu)
		if !d.any() {
			fmt.Fprintf(w, "dev: %s saved with the same content: nothing to do\n", summary(c))
			continue
		}
		fmt.Fprintf(w, "dev: %s changed: %s\n", summary(c), d.plan(first.Options.Deploy.Release))
		if d.live != "" {
			if lu.sync(ctx, w, in.builds["backend"]) {
				in.running["backend"] = d.live
				if !d.cycle() {
					continue
				}
			} else {
				d.rebuild = append(d.rebuild, "backend")
			}
		}
		var before string
		if d.env && kc != nil {
			before = secretVersion(ctx, kc.Clientset, first.Options.Deploy.Namespace, secrets.Name(first.Options.Deploy.Release))
		}
		r, err := a.cycle(ctx, res, w)
		if in.update(r) && err == nil && lu != nil {
			// the new image holds the code; its pods ignore the snapshot
			lu.syncer.Reset()
		}
		if d.env && kc != nil && r != nil && ctx.Err() == nil {
			a.restartAfterSecret(ctx, w, kc.Clientset, first, before)
		}
	}
}

// cycle runs up once and reports how it went; the error is returned for
// the first cycle only to tell "could not plan" apart.
func (a *Action) cycle(ctx context.Context, res *Result, w io.Writer) (*up.Result, error) {
	return a.cycleWith(ctx, res, w, a.Up) // a copy: up fills in fields of its own
}

// cycleWith is cycle with u for up.
func (a *Action) cycleWith(ctx context.Context, res *Result, w io.Writer, u up.Action) (*up.Result, error) {
	run := a.Cycle
	if run == nil {
		run = func(ctx context.Context, u *up.Action) (*up.Result, error) { return u.Run(ctx) }
	}
	started := a.Clock.Now()
	r, err := run(ctx, &u)
	res.Cycles++
	if r != nil && r.DryRun {
		return r, err
	}
	took := a.Clock.Since(started)
	switch {
	case err == nil && r != nil:
		fmt.Fprintf(w, "dev: cycle %d done in %s (%s); watching\n", res.Cycles, round(took), stepTimes(r))
	case ctx.Err() != nil:
		// Ctrl-C: up has said what state the release is in.
	default:
		res.Failed++
		if r == nil && res.Cycles == 1 {
			return nil, err
		}
		clierr.Print(w, err)
		fmt.Fprintf(w, "dev: cycle %d failed after %s; the last good release keeps running; fix it and save to try again\n", res.Cycles, round(took))
	}
	return r, err
}

func (a *Action) kube() (*kubeclient.Client, error) {
	if a.Kube != nil {
		return a.Kube()
	}
	return kubeclient.New(a.Up.Images.Settings)
}

func (a *Action) restartAfterSecret(ctx context.Context, w io.Writer, cs kubernetes.Interface, r *up.Result, before string) {
	ns, rel := r.Options.Deploy.Namespace, r.Options.Deploy.Release
	name := secrets.Name(rel)
	if after := secretVersion(ctx, cs, ns, name); after == before {
		fmt.Fprintf(w, "dev: secret %s/%s unchanged: no restart\n", ns, name)
		return
	}
	restarted, err := restartReaders(ctx, cs, ns, rel, name, a.Clock.Now())
	if err != nil {
		fmt.Fprintf(w, "dev: restart the readers of secret %s/%s: %v; restart them yourself: kubectl rollout restart -n %s deployment\n", ns, name, err, ns)
		return
	}
	fmt.Fprintf(w, "dev: secret %s/%s changed: restarted %s\n", ns, name, strings.Join(restarted, ", "))
}

// exit leaves the app deployed and says how to remove it, or removes it
// with --cleanup (on a context of its own: ctx is over). Stopped by Ctrl-C,
// it ends with clierr.ErrInterrupted, so dev exits 130 as up does.
func (a *Action) exit(ctx context.Context, w io.Writer, r *up.Result) error {
	if err := a.stop(ctx, w, r); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return clierr.ErrInterrupted
	}
	return nil
}

func (a *Action) stop(ctx context.Context, w io.Writer, r *up.Result) error {
	if a.Cleanup == nil {
		hint := fmt.Sprintf("helm todo down -n %s --release %s", r.Options.Deploy.Namespace, r.Options.Deploy.Release)
		if c := a.Up.Images.Settings.KubeContext; c != "" {
			hint += " --kube-context " + c
		}
		fmt.Fprintf(w, "dev: stopped; the app stays deployed. Remove it with: %s\n", hint)
		return nil
	}
	fmt.Fprintln(w, "dev: stopped; --cleanup: removing the app (Ctrl-C again stops at once)")
	ns, rel := r.Options.Deploy.Namespace, r.Options.Deploy.Release
	defer interrupt.From(ctx).Note(func(context.Context) string {
		return fmt.Sprintf("dev --cleanup stopped part-way: release %s in namespace %s may be partly removed; finish with: helm todo down -n %s --release %s", rel, ns, ns, rel)
	})()
	// without ctx's cancellation, with its values (the second Ctrl-C)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.Options.Deploy.Timeout+time.Minute)
	defer cancel()
	return a.Cleanup(ctx, w)
}

// summary names what changed, a few paths per target.
func summary(c watch.Change) string {
	var parts []string
	for _, n := range c.Names() {
		paths := c[n]
		shown := paths
		if len(shown) > 3 {
			shown = shown[:3]
		}
		s := n + " (" + strings.Join(shown, ", ")
		if len(paths) > 3 {
			s += fmt.Sprintf(" and %d more", len(paths)-3)
		}
		parts = append(parts, s+")")
	}
	return strings.Join(parts, ", ")
}

func describe(t watch.Target) string {
	var parts []string
	if t.Dir != "" {
		parts = append(parts, t.Dir+" (minus what its dockerignore excludes)")
	}
	parts = append(parts, t.Files...)
	return t.Name + ": " + strings.Join(parts, ", ")
}

// stepTimes are the steps that took time, for the benchmark and the user.
func stepTimes(r *up.Result) string {
	var parts []string
	for _, s := range r.Report.Done {
		if s.Duration >= 50*time.Millisecond {
			parts = append(parts, fmt.Sprintf("%s %s", s.Name, round(s.Duration)))
		}
	}
	return strings.Join(parts, ", ")
}

func round(d time.Duration) time.Duration { return d.Round(100 * time.Millisecond) }
