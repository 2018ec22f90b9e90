package dev

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

// RestartAnnotation is what `kubectl rollout restart` sets; a changed
// Secret reaches env vars only through new pods.
const RestartAnnotation = "kubectl.kubernetes.io/restartedAt"

// secretVersion is the Secret's resourceVersion, "" when it is missing:
// it changes exactly when up's secrets step changed the data.
func secretVersion(ctx context.Context, cs kubernetes.Interface, ns, name string) string {
	s, err := cs.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return ""
	}
	return s.ResourceVersion
}

// restartReaders restarts the release's Deployments and StatefulSets whose
// pods read the Secret, and names them. The migration Job needs nothing:
// it runs again on every upgrade.
func restartReaders(ctx context.Context, cs kubernetes.Interface, ns, release, secret string, now time.Time) ([]string, error) {
	sel := metav1.ListOptions{LabelSelector: "app.kubernetes.io/instance=" + release}
	r := restart{secret: secret, patch: fmt.Appendf(nil, `{"spec":{"template":{"metadata":{"annotations":{%q:%q}}}}}`, RestartAnnotation, now.UTC().Format(time.RFC3339))}
	deps, err := cs.AppsV1().Deployments(ns).List(ctx, sel)
	if err != nil {
		return nil, err
	}
	restarted, err := restartEach(ctx, r, nil, "deployment", deps.Items, cs.AppsV1().Deployments(ns).Patch,
		func(d appsv1.Deployment) (string, corev1.PodSpec) { return d.Name, d.Spec.Template.Spec })
	if err != nil {
		return restarted, err
	}
	sts, err := cs.AppsV1().StatefulSets(ns).List(ctx, sel)
	if err != nil {
		return restarted, err
	}
	return restartEach(ctx, r, restarted, "statefulset", sts.Items, cs.AppsV1().StatefulSets(ns).Patch,
		func(s appsv1.StatefulSet) (string, corev1.PodSpec) { return s.Name, s.Spec.Template.Spec })
}

// restart is what restartReaders does to each reader of the Secret: the
// pod-template annotation `kubectl rollout restart` sets.
type restart struct {
	secret string
	patch  []byte
}

// restartEach patches each of one kind's workloads whose pods read the
// Secret, appending kind/name to restarted as it goes.
func restartEach[T, W any](ctx context.Context, r restart, restarted []string, kind string, items []T,
	patch func(context.Context, string, types.PatchType, []byte, metav1.PatchOptions, ...string) (W, error),
	pod func(T) (string, corev1.PodSpec)) ([]string, error) {
	for _, it := range items {
		name, spec := pod(it)
		if !reads(spec, r.secret) {
			continue
		}
		if _, err := patch(ctx, name, types.StrategicMergePatchType, r.patch, metav1.PatchOptions{}); err != nil {
			return restarted, err
		}
		restarted = append(restarted, kind+"/"+name)
	}
	return restarted, nil
}

// reads says whether a pod spec takes anything from the Secret: env,
// envFrom or a volume, in any container.
func reads(spec corev1.PodSpec, secret string) bool {
	for _, v := range spec.Volumes {
		if v.Secret != nil && v.Secret.SecretName == secret {
			return true
		}
		if v.Projected != nil {
			for _, src := range v.Projected.Sources {
				if src.Secret != nil && src.Secret.Name == secret {
					return true
				}
			}
		}
	}
	for _, c := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
		for _, e := range c.EnvFrom {
			if e.SecretRef != nil && e.SecretRef.Name == secret {
				return true
			}
		}
		for _, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && e.ValueFrom.SecretKeyRef.Name == secret {
				return true
			}
		}
	}
	return false
}
