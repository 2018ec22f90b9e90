package e2e

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/helm-todo/helm-todo/test/e2e/cluster"
)

// jobRun is one Job object as a watch saw it over its life. Hook Jobs are
// deleted by hook-succeeded as soon as they complete, so only a watch opened
// before Helm runs proves that they ran and how they ended.
type jobRun struct {
	Name     string
	UID      types.UID
	Images   []string
	Complete bool
	Failed   bool
	Reason   string
	Failures int32
	Deleted  bool
}

// jobWatch records every Job in a namespace from the moment it is opened.
type jobWatch struct {
	mu   sync.Mutex
	runs map[types.UID]*jobRun
	w    watch.Interface
	done chan struct{}
}

func watchJobs(t *testing.T, c *cluster.Cluster, ns string) *jobWatch {
	t.Helper()
	// Opened synchronously: Watch returns once the API server has accepted
	// it, so nothing created afterwards can be missed.
	w, err := c.Client.BatchV1().Jobs(ns).Watch(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatalf("watch jobs in %s: %v", ns, err)
	}
	jw := &jobWatch{runs: map[types.UID]*jobRun{}, w: w, done: make(chan struct{})}
	go func() {
		defer close(jw.done)
		for ev := range w.ResultChan() {
			job, ok := ev.Object.(*batchv1.Job)
			if !ok {
				continue
			}
			jw.record(job, ev.Type == watch.Deleted)
		}
	}()
	t.Cleanup(jw.stop)
	return jw
}

func (jw *jobWatch) record(job *batchv1.Job, deleted bool) {
	jw.mu.Lock()
	defer jw.mu.Unlock()
	r := jw.runs[job.UID]
	if r == nil {
		r = &jobRun{Name: job.Name, UID: job.UID}
		for _, c := range job.Spec.Template.Spec.Containers {
			r.Images = append(r.Images, c.Image)
		}
		jw.runs[job.UID] = r
	}
	r.Deleted = r.Deleted || deleted
	r.Failures = max(r.Failures, job.Status.Failed)
	for _, cond := range job.Status.Conditions {
		if cond.Status != corev1.ConditionTrue {
			continue
		}
		switch cond.Type {
		case batchv1.JobComplete:
			r.Complete = true
		case batchv1.JobFailed:
			r.Failed, r.Reason = true, cond.Reason
		}
	}
}

func (jw *jobWatch) stop() {
	jw.w.Stop()
	<-jw.done
}

// Runs returns the runs of the Job called name. Callers compare them as a
// set: each object that carried the name is one run of the hook.
func (jw *jobWatch) Runs(name string) []jobRun {
	jw.mu.Lock()
	defer jw.mu.Unlock()
	var out []jobRun
	for _, r := range jw.runs {
		if r.Name == name {
			out = append(out, *r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UID < out[j].UID })
	return out
}

// Settled waits until the watch has seen n runs of Job name and each has
// ended (complete or failed) and, if it completed, been deleted; then it
// returns the runs. Used after helm returns, when all of that has happened
// on the API server and only the watch's delivery may lag. Past the
// deadline it returns what it has, for the caller to report.
func (jw *jobWatch) Settled(t *testing.T, name string, n int) []jobRun {
	t.Helper()
	settled := func(runs []jobRun) bool {
		if len(runs) < n {
			return false
		}
		for _, r := range runs {
			if !(r.Complete && r.Deleted) && !r.Failed {
				return false
			}
		}
		return true
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		runs := jw.Runs(name)
		if settled(runs) || time.Now().After(deadline) {
			return runs
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// releaseRevisions reads Helm's own storage on the API server: the release
// Secrets labelled owner=helm, as revision -> status.
func releaseRevisions(ctx context.Context, t *testing.T, c *cluster.Cluster, ns, release string) map[string]string {
	t.Helper()
	secrets, err := c.Client.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{
		LabelSelector: "owner=helm,name=" + release,
	})
	if err != nil {
		t.Fatalf("list release secrets of %s in %s: %v", release, ns, err)
	}
	out := map[string]string{}
	for _, s := range secrets.Items {
		if s.Type != "helm.sh/release.v1" {
			t.Errorf("release secret %s has type %q, want helm.sh/release.v1", s.Name, s.Type)
		}
		out[s.Labels["version"]] = s.Labels["status"]
	}
	return out
}

// deploymentRolledOut is the condition `kubectl rollout status` waits for,
// plus Available: the controller saw the latest spec, every replica runs
// it, and all are ready.
func deploymentRolledOut(d *appsv1.Deployment) (bool, string) {
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	s := d.Status
	note := fmt.Sprintf("%s: generation %d observed %d, replicas %d updated %d ready %d available %d",
		d.Name, d.Generation, s.ObservedGeneration, s.Replicas, s.UpdatedReplicas, s.ReadyReplicas, s.AvailableReplicas)
	if s.ObservedGeneration < d.Generation || s.UpdatedReplicas != want || s.ReadyReplicas != want ||
		s.AvailableReplicas != want || s.Replicas != want {
		return false, note
	}
	for _, cond := range s.Conditions {
		if cond.Type == appsv1.DeploymentAvailable && cond.Status == corev1.ConditionTrue {
			return true, note
		}
	}
	return false, note + ", no Available=True condition"
}

// requireRolledOut fails unless each named Deployment is rolled out.
// Helm's --wait has returned by the time this runs, but Helm judges a
// Deployment by its new ReplicaSet's ready count, and the Deployment's own
// status follows that ReplicaSet a moment later (seen once on a loaded
// machine: --wait returned with the status still at "updated 1" of 2). So the
// status gets rolloutGrace to catch up; a Deployment that is still not rolled
// out after that means --wait returned too early.
func requireRolledOut(ctx context.Context, t *testing.T, c *cluster.Cluster, ns string, names ...string) map[string]*appsv1.Deployment {
	t.Helper()
	out := map[string]*appsv1.Deployment{}
	for _, name := range names {
		var d *appsv1.Deployment
		var note string
		err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, rolloutGrace, true, func(ctx context.Context) (bool, error) {
			var err error
			if d, err = c.Client.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{}); err != nil {
				return false, err
			}
			var ok bool
			ok, note = deploymentRolledOut(d)
			return ok, nil
		})
		if d == nil {
			t.Fatalf("get deployment %s/%s: %v", ns, name, err)
		}
		if err != nil {
			t.Errorf("deployment %s/%s is not rolled out %s after helm --wait returned: %s", ns, name, rolloutGrace, note)
		}
		out[name] = d
	}
	return out
}

// rolloutGrace is how long a Deployment's status may lag its ReplicaSet's.
const rolloutGrace = 15 * time.Second

// jobEvents returns the reasons of the events recorded for Job name.
func jobEvents(ctx context.Context, t *testing.T, c *cluster.Cluster, ns, name string) []string {
	t.Helper()
	evs, err := c.Client.CoreV1().Events(ns).List(ctx, metav1.ListOptions{
		FieldSelector: "involvedObject.kind=Job,involvedObject.name=" + name,
	})
	if err != nil {
		t.Fatalf("list events of job %s/%s: %v", ns, name, err)
	}
	var reasons []string
	for _, e := range evs.Items {
		for range max(e.Count, 1) {
			reasons = append(reasons, e.Reason)
		}
	}
	return reasons
}

func count(xs []string, x string) int {
	n := 0
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}

// leftovers lists every object in ns, of every namespaced kind the API
// server serves, that belongs to the release: by label, by Helm's ownership
// annotation, by name prefix, or as Helm's release record. keep names
// objects the test made itself. Events are history, not resources, and are
// not counted.
func leftovers(ctx context.Context, t *testing.T, c *cluster.Cluster, ns, release string, keep ...string) ([]string, error) {
	t.Helper()
	lists, err := c.Client.Discovery().ServerPreferredNamespacedResources()
	if err != nil && len(lists) == 0 {
		return nil, fmt.Errorf("discover namespaced resources: %w", err)
	}
	var found []string
	for _, list := range lists {
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		if err != nil {
			return nil, err
		}
		for _, r := range list.APIResources {
			if !slices.Contains(r.Verbs, "list") || r.Kind == "Event" {
				continue
			}
			objs, err := c.Dynamic.Resource(gv.WithResource(r.Name)).Namespace(ns).List(ctx, metav1.ListOptions{})
			if apierrors.IsNotFound(err) || apierrors.IsMethodNotSupported(err) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("list %s in %s: %w", r.Name, ns, err)
			}
			for _, o := range objs.Items {
				name := o.GetName()
				if slices.Contains(keep, name) {
					continue
				}
				if o.GetLabels()["app.kubernetes.io/instance"] == release ||
					o.GetAnnotations()["meta.helm.sh/release-name"] == release ||
					strings.HasPrefix(name, release+"-") ||
					strings.HasPrefix(name, "sh.helm.release.v1."+release+".") {
					found = append(found, r.Kind+"/"+name)
				}
			}
		}
	}
	sort.Strings(found)
	return found, nil
}

// workloads lists what would still run in ns: Deployments, ReplicaSets,
// StatefulSets, DaemonSets, and pods not yet finished.
func workloads(ctx context.Context, c *cluster.Cluster, ns string) ([]string, error) {
	var found []string
	deps, err := c.Client.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	for _, d := range deps.Items {
		found = append(found, "Deployment/"+d.Name)
	}
	rss, err := c.Client.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	for _, r := range rss.Items {
		found = append(found, "ReplicaSet/"+r.Name)
	}
	sts, err := c.Client.AppsV1().StatefulSets(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	for _, s := range sts.Items {
		found = append(found, "StatefulSet/"+s.Name)
	}
	dss, err := c.Client.AppsV1().DaemonSets(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	for _, d := range dss.Items {
		found = append(found, "DaemonSet/"+d.Name)
	}
	pods, err := c.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	for _, p := range pods.Items {
		if p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed {
			found = append(found, fmt.Sprintf("Pod/%s (%s)", p.Name, p.Status.Phase))
		}
	}
	sort.Strings(found)
	return found, nil
}

// scenarioTimer logs a scenario's wall time in a fixed format that
// test/e2e/run.sh collects into the closing summary.
func scenarioTimer(t *testing.T, h int) {
	start := time.Now()
	t.Cleanup(func() {
		t.Logf("E2E-TIME helm%d %s %.1fs", h, t.Name(), time.Since(start).Seconds())
	})
}
