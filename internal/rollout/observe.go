package rollout

import (
	"bytes"
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// Snapshot is what one look at the cluster saw: the observe half of the
// watcher. It holds facts only; progress.update decides what is news.
type Snapshot struct {
	// Workloads are the release's Deployments, StatefulSets and Jobs by
	// Ref, with their kstatus.
	Workloads map[string]Workload
	// NotReady are the release's running pods that are not ready, by
	// pod ref, with why.
	NotReady map[string]string
	// Failure is the first pod or Job in a state waiting will not fix,
	// with its logs and events; nil when there is none.
	Failure *Failure
	// Warnings are the namespace's Warning events, for any object.
	Warnings []corev1.Event
	// Claims are the PersistentVolumeClaims each of the release's pods
	// mounts, by pod name: a FailedScheduling event only says "unbound".
	Claims map[string][]string
	// Unchanged are the workloads the watcher's Baseline holds unchanged,
	// left out of Workloads with their pods.
	Unchanged []string
	// Partial: a list of workloads or pods failed (the API server, or the
	// deadline), so what is missing may be there: this look proves nothing
	// done or gone.
	Partial bool
}

// observe takes one snapshot with client-go. API errors are transient from
// the watcher's point of view: helm, running alongside, reports a cluster
// that is gone, so what could not be listed is simply missing.
func (w *Watcher) observe(ctx context.Context) Snapshot {
	opts := metav1.ListOptions{LabelSelector: w.selector()}
	apps, batch, core := w.Client.AppsV1(), w.Client.BatchV1(), w.Client.CoreV1()
	s := Snapshot{Workloads: map[string]Workload{}, NotReady: map[string]string{}, Claims: map[string][]string{}}
	var same untouched
	// keep says whether to judge a workload: not when the baseline holds
	// it unchanged.
	keep := func(ref string, m *metav1.ObjectMeta, sel *metav1.LabelSelector) bool {
		if w.Baseline.Unchanged(ref, m) {
			same.add(ref, sel)
			return false
		}
		return true
	}
	add := func(wl Workload, err error) {
		if err == nil {
			s.Workloads[wl.Ref] = wl
		}
	}
	if l, err := apps.Deployments(w.Namespace).List(ctx, opts); err != nil {
		s.Partial = true
	} else {
		for i := range l.Items {
			if d := &l.Items[i]; keep("deployment/"+d.Name, &d.ObjectMeta, d.Spec.Selector) {
				add(Compute(d))
			}
		}
	}
	if l, err := apps.StatefulSets(w.Namespace).List(ctx, opts); err != nil {
		s.Partial = true
	} else {
		for i := range l.Items {
			if st := &l.Items[i]; keep("statefulset/"+st.Name, &st.ObjectMeta, st.Spec.Selector) {
				add(Compute(st))
			}
		}
	}
	if l, err := batch.Jobs(w.Namespace).List(ctx, opts); err != nil {
		s.Partial = true
	} else {
		old := w.failedBefore(l.Items, nil, true)
		for i := range l.Items {
			j := &l.Items[i]
			if !keep("job/"+j.Name, &j.ObjectMeta, j.Spec.Selector) {
				continue
			}
			add(Compute(j))
			if failed, why := JobFailure(j); failed && s.Failure == nil && !old[j.UID] {
				s.Failure = w.jobFailure(ctx, j.Name, why)
			}
		}
	}
	s.Unchanged = same.refs
	if w.Baseline != nil && len(s.Workloads) == 0 && len(same.refs) > 0 {
		// The upgrade touched no workload: no pod or event of this
		// release is this upgrade's news.
		return s
	}
	if l, err := core.Pods(w.Namespace).List(ctx, opts); err != nil {
		s.Partial = true
	} else {
		old := w.failedBefore(nil, l.Items, false)
		for i := range l.Items {
			p := &l.Items[i]
			if same.owns(p.Labels) {
				continue
			}
			if c := claimsOf(p); len(c) > 0 {
				s.Claims[p.Name] = c
			}
			if why := NotReadyReason(p); why != "" && p.Status.Phase == corev1.PodRunning {
				s.NotReady["pod/"+p.Name] = why
			}
			if s.Failure != nil || p.DeletionTimestamp != nil || old[p.UID] {
				continue
			}
			if pr := PodProblem(p); pr != nil {
				s.Failure = &Failure{Object: "pod/" + p.Name, Container: pr.Container, Reason: pr.Reason,
					Message: pr.Message, Fix: fatalWaiting[pr.Reason]}
				ectx, cancel := evidenceContext(ctx)
				s.Failure.Logs = w.logs(ectx, p.Name, pr.Container, pr.Previous)
				s.Failure.Events = w.warnings(ectx, p.Name)
				cancel()
			}
		}
	}
	if l, err := core.Events(w.Namespace).List(ctx, metav1.ListOptions{FieldSelector: "type=Warning"}); err == nil {
		s.Warnings = l.Items
	}
	return s
}

// failedBefore returns the Jobs, and the Jobs' pods, that were already
// failing when the watcher first looked (the first call for each kind
// records them): a failed hook Job the chart keeps from an earlier up, or
// its pod stuck in ImagePullBackOff, is history. Judging them stopped every
// later up within seconds, blaming the old run (seen on the real node).
// Helm replaces the hook Job (before-hook-creation), so this run's has a
// new UID. A watcher with a Baseline has none of this history: the
// baseline says what was there before. A Deployment's crashing pods stay judged: a failed up rolls them
// away, and a no-change up over them should fail fast, not time out.
func (w *Watcher) failedBefore(jobs []batchv1.Job, pods []corev1.Pod, ofJobs bool) map[types.UID]bool {
	if w.Baseline != nil {
		// Taken before helm ran, it tells history better than a first
		// look taken after.
		return nil
	}
	w.histMu.Lock()
	defer w.histMu.Unlock()
	if w.history == nil {
		w.history = map[types.UID]bool{}
	}
	if ofJobs && !w.jobsSeen {
		w.jobsSeen = true
		for i := range jobs {
			if failed, _ := JobFailure(&jobs[i]); failed {
				w.history[jobs[i].UID] = true
			}
		}
	}
	if !ofJobs && !w.podsSeen {
		w.podsSeen = true
		for i := range pods {
			if ownedByJob(&pods[i]) && PodProblem(&pods[i]) != nil {
				w.history[pods[i].UID] = true
			}
		}
	}
	return w.history
}

// evidenceContext is for gathering a failure's evidence once it is seen.
// helm often exits on the same failure, which cancels the watch's context
// between the look and the log fetch; the log is what the user needs, so
// it is fetched anyway, within evidenceTimeout.
func evidenceContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), evidenceTimeout)
}

const evidenceTimeout = 15 * time.Second

// jobFailure gathers a failed Job's evidence: its last pod's log and the
// Warning events of both.
func (w *Watcher) jobFailure(ctx context.Context, job, why string) *Failure {
	ctx, cancel := evidenceContext(ctx)
	defer cancel()
	f := &Failure{Object: "job/" + job, Reason: "JobFailed", Message: why,
		Fix: "the migration (or another Job) failed: read its log lines above"}
	if pod := w.lastJobPod(ctx, job); pod != nil {
		f.Container = firstContainer(pod)
		f.Logs = w.logs(ctx, pod.Name, f.Container, false)
		f.Events = w.warnings(ctx, pod.Name)
	}
	f.Events = append(f.Events, w.warnings(ctx, job)...)
	return f
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

func ownedByJob(p *corev1.Pod) bool {
	for _, o := range p.OwnerReferences {
		if o.Kind == "Job" {
			return true
		}
	}
	return p.Labels["job-name"] != ""
}
