// Package rollout watches a release's workloads come up and explains why
// they don't.
//
// Readiness is kstatus's (sigs.k8s.io/cli-utils/pkg/kstatus), the same rules
// Helm 4 and kpt use, rather than hand-written ones. On top of it, pods are
// inspected for the conditions that never heal by waiting (a crash loop, an
// image that cannot be pulled, a missing Secret key) so that up fails in
// seconds with the cause and the last log lines instead of hanging until
// helm's timeout.
package rollout

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

// Workload is one object's kstatus verdict.
type Workload struct {
	Ref     string // "deployment/todo-backend"
	Status  status.Status
	Message string
}

func (w Workload) String() string {
	if w.Message == "" {
		return fmt.Sprintf("%s: %s", w.Ref, w.Status)
	}
	return fmt.Sprintf("%s: %s: %s", w.Ref, w.Status, w.Message)
}

// Compute runs kstatus on a typed object. Typed objects from a List carry
// no TypeMeta, and kstatus dispatches on the kind, so it is set here.
func Compute(obj runtime.Object) (Workload, error) {
	var kind, apiVersion, name string
	switch o := obj.(type) {
	case *appsv1.Deployment:
		kind, apiVersion, name = "Deployment", "apps/v1", o.Name
	case *appsv1.StatefulSet:
		kind, apiVersion, name = "StatefulSet", "apps/v1", o.Name
	case *batchv1.Job:
		kind, apiVersion, name = "Job", "batch/v1", o.Name
	case *corev1.Pod:
		kind, apiVersion, name = "Pod", "v1", o.Name
	default:
		return Workload{}, fmt.Errorf("rollout: unsupported object %T", obj)
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return Workload{}, err
	}
	u := &unstructured.Unstructured{Object: m}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	res, err := status.Compute(u)
	if err != nil {
		return Workload{}, fmt.Errorf("status of %s/%s: %w", kind, name, err)
	}
	return Workload{Ref: refOf(kind, name), Status: res.Status, Message: res.Message}, nil
}

func refOf(kind, name string) string {
	switch kind {
	case "Deployment":
		return "deployment/" + name
	case "StatefulSet":
		return "statefulset/" + name
	case "Job":
		return "job/" + name
	case "Pod":
		return "pod/" + name
	}
	return kind + "/" + name
}
