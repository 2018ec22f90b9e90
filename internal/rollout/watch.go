package rollout

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

// Watcher follows one release's workloads in one namespace.
type Watcher struct {
	Client    kubernetes.Interface
	Namespace string
	Release   string
	// Interval between polls; 1s when zero. Polling lists a handful of
	// objects: cheaper to reason about than informers for a short command.
	Interval time.Duration
	// LogLines is how many log lines a failure shows; 20 when zero.
	LogLines int64

	mu       sync.Mutex
	last     map[string]Workload // by Ref
	notReady map[string]string   // pod ref -> why
	seenEvt  map[string]bool
	since    time.Time
}

func (w *Watcher) selector() string { return "app.kubernetes.io/instance=" + w.Release }

// Watch prints a line whenever a workload's status changes, and new Warning
// events, until ctx ends. It returns a *Failure as soon as a pod or Job is
// in a state that waiting will not fix; nil when ctx ends first.
func (w *Watcher) Watch(ctx context.Context, out io.Writer) error {
	w.init()
	tick := time.NewTicker(w.interval())
	defer tick.Stop()
	for {
		if f := w.poll(ctx, out); f != nil {
			return f
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// Check takes one snapshot and returns a *Failure when one is visible. It
// explains a helm failure that came before the watcher's next poll: a
// failed hook Job is kept, so its logs are still there.
func (w *Watcher) Check(ctx context.Context, out io.Writer) error {
	w.init()
	if f := w.poll(ctx, out); f != nil {
		return f
	}
	return nil
}

// WaitCurrent polls until every workload of the release is Current, or
// ctx ends, returning an error naming what is not ready.
func (w *Watcher) WaitCurrent(ctx context.Context, out io.Writer) error {
	w.init()
	tick := time.NewTicker(w.interval())
	defer tick.Stop()
	for {
		if f := w.poll(ctx, out); f != nil {
			return f
		}
		pending, n := w.Pending(), w.count()
		if len(pending) == 0 && n > 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			if n == 0 {
				return fmt.Errorf("no workloads of release %s found in namespace %s", w.Release, w.Namespace)
			}
			return fmt.Errorf("not ready: %s", strings.Join(pending, "; "))
		case <-tick.C:
		}
	}
}

func (w *Watcher) init() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.last == nil {
		w.last, w.notReady, w.seenEvt = map[string]Workload{}, map[string]string{}, map[string]bool{}
		// Events from earlier runs are history, not this rollout's news.
		w.since = time.Now().Add(-2 * time.Second)
	}
}

func (w *Watcher) interval() time.Duration {
	if w.Interval <= 0 {
		return time.Second
	}
	return w.Interval
}

func (w *Watcher) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.last)
}

// Pending lists the workloads last seen not Current, with the reasons of
// their pods that are running but not ready: what a timeout should say.
func (w *Watcher) Pending() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var p []string
	for _, wl := range w.last {
		if wl.Status != status.CurrentStatus {
			p = append(p, wl.String())
		}
	}
	for pod, why := range w.notReady {
		p = append(p, pod+": "+why)
	}
	sort.Strings(p)
	return p
}

// poll takes one snapshot. API errors are transient from the watcher's
// point of view: helm, running alongside, reports a cluster that is gone.
func (w *Watcher) poll(ctx context.Context, out io.Writer) *Failure {
	opts := metav1.ListOptions{LabelSelector: w.selector()}
	apps, batch, core := w.Client.AppsV1(), w.Client.BatchV1(), w.Client.CoreV1()
	cur := map[string]Workload{}
	add := func(wl Workload, err error) {
		if err == nil {
			cur[wl.Ref] = wl
		}
	}
	if l, err := apps.Deployments(w.Namespace).List(ctx, opts); err == nil {
		for i := range l.Items {
			add(Compute(&l.Items[i]))
		}
	}
	if l, err := apps.StatefulSets(w.Namespace).List(ctx, opts); err == nil {
		for i := range l.Items {
			add(Compute(&l.Items[i]))
		}
	}
	var fail *Failure
	if l, err := batch.Jobs(w.Namespace).List(ctx, opts); err == nil {
		for i := range l.Items {
			j := &l.Items[i]
			add(Compute(j))
			if failed, why := JobFailure(j); failed && fail == nil {
				fail = &Failure{Object: "job/" + j.Name, Reason: "JobFailed", Message: why,
					Fix: "the migration (or another Job) failed: read its log lines above"}
				if pod := w.lastJobPod(ctx, j.Name); pod != nil {
					fail.Container = firstContainer(pod)
					fail.Logs = w.logs(ctx, pod.Name, fail.Container, false)
					fail.Events = w.warnings(ctx, pod.Name)
				}
				fail.Events = append(fail.Events, w.warnings(ctx, j.Name)...)
			}
		}
	}
	notReady := map[string]string{}
	if l, err := core.Pods(w.Namespace).List(ctx, opts); err == nil {
		for i := range l.Items {
			p := &l.Items[i]
			if why := NotReadyReason(p); why != "" && p.Status.Phase == corev1.PodRunning {
				notReady["pod/"+p.Name] = why
			}
			if fail != nil || p.DeletionTimestamp != nil {
				continue
			}
			if pr := PodProblem(p); pr != nil {
				fail = &Failure{Object: "pod/" + p.Name, Container: pr.Container, Reason: pr.Reason,
					Message: pr.Message, Fix: fatalWaiting[pr.Reason]}
				fail.Logs = w.logs(ctx, p.Name, pr.Container, pr.Previous)
				fail.Events = w.warnings(ctx, p.Name)
			}
		}
	}
	w.report(ctx, out, cur, notReady)
	if fail != nil {
		fmt.Fprintf(out, "   !! %s\n", fail.Error())
		for _, d := range fail.Details() {
			fmt.Fprintf(out, "      %s\n", d)
		}
	}
	return fail
}

// report prints what changed since the last poll.
func (w *Watcher) report(ctx context.Context, out io.Writer, cur map[string]Workload, notReady map[string]string) {
	w.mu.Lock()
	var lines []string
	for ref, wl := range cur {
		if prev, ok := w.last[ref]; !ok || prev.Status != wl.Status || prev.Message != wl.Message {
			lines = append(lines, wl.String())
		}
	}
	for ref, prev := range w.last {
		if _, ok := cur[ref]; !ok && prev.Status == status.CurrentStatus && strings.HasPrefix(ref, "job/") {
			// A hook Job with hook-succeeded vanishes once done.
			lines = append(lines, ref+": done and removed by helm")
		}
	}
	// Keep workloads across polls: a hook Job deleted mid-rollout should
	// not be counted as pending, nor forgotten.
	for ref := range w.last {
		if _, ok := cur[ref]; !ok && strings.HasPrefix(ref, "job/") {
			delete(w.last, ref)
		}
	}
	for ref, wl := range cur {
		w.last[ref] = wl
	}
	// A rollback deletes everything; keep the last picture of what was not
	// ready, since that is what explains the failure.
	if len(cur) > 0 || len(notReady) > 0 {
		w.notReady = notReady
	}
	w.mu.Unlock()
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Fprintf(out, "   %s\n", l)
	}
	for _, e := range w.newWarnings(ctx) {
		fmt.Fprintf(out, "   warning: %s\n", e)
	}
}

// newWarnings returns Warning events about the release's objects not
// printed yet. Objects are matched by name prefix: every chart object is
// named <release>-*, and events carry no labels.
func (w *Watcher) newWarnings(ctx context.Context) []string {
	l, err := w.Client.CoreV1().Events(w.Namespace).List(ctx, metav1.ListOptions{FieldSelector: "type=Warning"})
	if err != nil {
		return nil
	}
	// seenEvt is shared state: it lives under the same lock as the rest.
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, e := range l.Items {
		if !strings.HasPrefix(e.InvolvedObject.Name, w.Release+"-") || w.seenEvt[string(e.UID)] || eventTime(&e).Before(w.since) {
			continue
		}
		w.seenEvt[string(e.UID)] = true
		out = append(out, fmt.Sprintf("%s/%s: %s: %s", strings.ToLower(e.InvolvedObject.Kind), e.InvolvedObject.Name, e.Reason, oneLine(e.Message)))
	}
	return out
}

// warnings returns the Warning events of one object, oldest first.
func (w *Watcher) warnings(ctx context.Context, name string) []string {
	l, err := w.Client.CoreV1().Events(w.Namespace).List(ctx, metav1.ListOptions{
		FieldSelector: "type=Warning,involvedObject.name=" + name,
	})
	if err != nil {
		return nil
	}
	sort.Slice(l.Items, func(i, j int) bool { return eventTime(&l.Items[i]).Before(eventTime(&l.Items[j])) })
	var out []string
	for _, e := range l.Items {
		out = append(out, e.Reason+": "+oneLine(e.Message))
	}
	return out
}

func eventTime(e *corev1.Event) time.Time {
	switch {
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	}
	return e.CreationTimestamp.Time
}

func (w *Watcher) lastJobPod(ctx context.Context, job string) *corev1.Pod {
	l, err := w.Client.CoreV1().Pods(w.Namespace).List(ctx, metav1.ListOptions{LabelSelector: "job-name=" + job})
	if err != nil || len(l.Items) == 0 {
		return nil
	}
	sort.Slice(l.Items, func(i, j int) bool {
		return l.Items[i].CreationTimestamp.Before(&l.Items[j].CreationTimestamp)
	})
	return &l.Items[len(l.Items)-1]
}

func firstContainer(p *corev1.Pod) string {
	if len(p.Spec.Containers) == 0 {
		return ""
	}
	return p.Spec.Containers[0].Name
}

// logs returns the last lines of a container's log, or one line saying
// why there are none (a simulated cluster has no container runtime).
func (w *Watcher) logs(ctx context.Context, pod, container string, previous bool) []string {
	n := w.LogLines
	if n <= 0 {
		n = 20
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	raw, err := w.Client.CoreV1().Pods(w.Namespace).GetLogs(pod, &corev1.PodLogOptions{
		Container: container, TailLines: &n, Previous: previous,
	}).DoRaw(ctx)
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return nil
		}
		return []string{"(no logs: " + oneLine(err.Error()) + ")"}
	}
	raw = bytes.TrimRight(raw, "\n")
	if len(raw) == 0 {
		return []string{"(the log is empty)"}
	}
	return strings.Split(string(raw), "\n")
}
