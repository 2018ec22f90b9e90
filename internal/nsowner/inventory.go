package nsowner

import (
	"context"
	"fmt"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
)

// derived are resources the cluster makes from others (events, endpoints):
// never a user's own object, and gone with their source.
var derived = map[schema.GroupResource]bool{
	{Resource: "events"}:                                    true,
	{Group: "events.k8s.io", Resource: "events"}:            true,
	{Resource: "endpoints"}:                                 true,
	{Group: "discovery.k8s.io", Resource: "endpointslices"}: true,
}

// Foreign lists "kind/name" of every object in ns that is neither release's
// nor helm-todo's, over every namespaced resource the API server serves
// (custom resources included). An object with an owner is skipped: its
// owner is listed, or is itself the release's.
func Foreign(ctx context.Context, disc discovery.DiscoveryInterface, dyn dynamic.Interface, ns, release string) ([]string, error) {
	_, lists, err := disc.ServerGroupsAndResources()
	if err != nil {
		// A partial answer could hide a kind holding a user's data.
		return nil, fmt.Errorf("discover the API's resources: %w", err)
	}
	seen := map[schema.GroupResource]bool{}
	var out []string
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			return nil, err
		}
		for _, r := range l.APIResources {
			gr := schema.GroupResource{Group: gv.Group, Resource: r.Name}
			if !r.Namespaced || strings.Contains(r.Name, "/") || !slices.Contains(r.Verbs, "list") || derived[gr] || seen[gr] {
				continue
			}
			seen[gr] = true
			items, err := dyn.Resource(gv.WithResource(r.Name)).Namespace(ns).List(ctx, metav1.ListOptions{})
			if err != nil {
				return nil, fmt.Errorf("list %s in %s: %w", gr, ns, err)
			}
			for i := range items.Items {
				if o := &items.Items[i]; !ours(o, release) {
					out = append(out, strings.ToLower(r.Kind)+"/"+o.GetName())
				}
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// ours says whether o belongs to the release, to helm-todo, or to
// Kubernetes' own furniture of every namespace.
func ours(o *unstructured.Unstructured, release string) bool {
	labels, ann := o.GetLabels(), o.GetAnnotations()
	switch {
	case len(o.GetOwnerReferences()) > 0:
		return true
	case ann["meta.helm.sh/release-name"] == release: // every object Helm applied for it
		return true
	case labels["app.kubernetes.io/managed-by"] == CreatedByValue: // up's Secret, the up lease
		return true
	case labels["app.kubernetes.io/name"] == "todo-app" && labels["app.kubernetes.io/instance"] == release:
		return true // hook leftovers, the database's volume claims
	case labels["owner"] == "helm" && labels["name"] == release: // Helm's release records
		return true
	}
	switch o.GetKind() + "/" + o.GetName() {
	case "ConfigMap/kube-root-ca.crt", "ServiceAccount/default":
		return true
	}
	return o.GetKind() == "Secret" && ann["kubernetes.io/service-account.name"] == "default"
}
