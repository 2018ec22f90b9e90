package rollout

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

// Baseline is what a release's workloads were just before an upgrade, by
// Ref. A workload seen afterwards with the same UID and generation is one
// the upgrade did not touch: its spec (pod template, replicas) is what it
// was, so there is nothing of this upgrade's to wait for. A Job is never
// updated in place, so for it this means a Job kept from an earlier run,
// such as a failed migration Job the chart keeps for its log.
type Baseline map[string]Version

// Version identifies one state of an object's spec.
type Version struct {
	UID        types.UID
	Generation int64
}

// TakeBaseline lists the release's Deployments, StatefulSets and Jobs
// once (three requests). An error means no baseline: wait on everything.
func TakeBaseline(ctx context.Context, cs kubernetes.Interface, namespace, release string) (Baseline, error) {
	opts := metav1.ListOptions{LabelSelector: selectorOf(release)}
	b := Baseline{}
	deps, err := cs.AppsV1().Deployments(namespace).List(ctx, opts)
	if err != nil {
		return nil, err
	}
	for _, d := range deps.Items {
		b.add("deployment/"+d.Name, &d.ObjectMeta)
	}
	sts, err := cs.AppsV1().StatefulSets(namespace).List(ctx, opts)
	if err != nil {
		return nil, err
	}
	for _, s := range sts.Items {
		b.add("statefulset/"+s.Name, &s.ObjectMeta)
	}
	jobs, err := cs.BatchV1().Jobs(namespace).List(ctx, opts)
	if err != nil {
		return nil, err
	}
	for _, j := range jobs.Items {
		b.add("job/"+j.Name, &j.ObjectMeta)
	}
	return b, nil
}

func (b Baseline) add(ref string, m *metav1.ObjectMeta) {
	b[ref] = Version{UID: m.UID, Generation: m.Generation}
}

// Unchanged says whether the object at ref is the one the baseline saw,
// with the same generation.
func (b Baseline) Unchanged(ref string, m *metav1.ObjectMeta) bool {
	v, ok := b[ref]
	return ok && v.UID == m.UID && v.Generation == m.Generation
}

func selectorOf(release string) string { return "app.kubernetes.io/instance=" + release }

// untouched is what a look found the upgrade left alone: the refs, and the
// selectors of their pods (a pod of an untouched workload is not waited
// on either).
type untouched struct {
	refs []string
	pods []labels.Selector
}

func (u *untouched) add(ref string, sel *metav1.LabelSelector) {
	u.refs = append(u.refs, ref)
	if s, err := metav1.LabelSelectorAsSelector(sel); err == nil && sel != nil && !s.Empty() {
		u.pods = append(u.pods, s)
	}
}

func (u *untouched) owns(pod labels.Set) bool {
	for _, s := range u.pods {
		if s.Matches(pod) {
			return true
		}
	}
	return false
}
