package nsowner

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	fakediscovery "k8s.io/client-go/discovery/fake"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"
)

var resources = []*metav1.APIResourceList{
	{GroupVersion: "v1", APIResources: []metav1.APIResource{
		{Name: "configmaps", Kind: "ConfigMap", Namespaced: true, Verbs: []string{"list", "delete"}},
		{Name: "secrets", Kind: "Secret", Namespaced: true, Verbs: []string{"list"}},
		{Name: "serviceaccounts", Kind: "ServiceAccount", Namespaced: true, Verbs: []string{"list"}},
		{Name: "events", Kind: "Event", Namespaced: true, Verbs: []string{"list"}},
		{Name: "pods", Kind: "Pod", Namespaced: true, Verbs: []string{"list"}},
		{Name: "pods/log", Kind: "Pod", Namespaced: true, Verbs: []string{"get"}},
		{Name: "namespaces", Kind: "Namespace", Verbs: []string{"list"}},
	}},
	{GroupVersion: "example.com/v1", APIResources: []metav1.APIResource{
		{Name: "widgets", Kind: "Widget", Namespaced: true, Verbs: []string{"list"}},
	}},
}

var listKinds = map[schema.GroupVersionResource]string{
	{Version: "v1", Resource: "configmaps"}:                    "ConfigMapList",
	{Version: "v1", Resource: "secrets"}:                       "SecretList",
	{Version: "v1", Resource: "serviceaccounts"}:               "ServiceAccountList",
	{Version: "v1", Resource: "events"}:                        "EventList",
	{Version: "v1", Resource: "pods"}:                          "PodList",
	{Group: "example.com", Version: "v1", Resource: "widgets"}: "WidgetList",
}

func obj(apiVersion, kind, name string, labels, ann map[string]string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	u.SetName(name)
	u.SetNamespace("ns")
	u.SetLabels(labels)
	u.SetAnnotations(ann)
	return u
}

// furniture is what every namespace holds, and what the release and up
// leave: none of it stops a delete.
func furniture() []runtime.Object {
	owned := obj("v1", "Pod", "todo-backend-abc", nil, nil)
	owned.SetOwnerReferences([]metav1.OwnerReference{{Kind: "ReplicaSet", Name: "todo-backend-1", APIVersion: "apps/v1", UID: "u"}})
	return []runtime.Object{
		obj("v1", "ConfigMap", "kube-root-ca.crt", nil, nil),
		obj("v1", "ServiceAccount", "default", nil, nil),
		obj("v1", "Event", "x.123", nil, nil),
		obj("v1", "ConfigMap", "todo-config", nil, map[string]string{"meta.helm.sh/release-name": "todo"}),
		obj("v1", "Secret", "todo-secrets", map[string]string{"app.kubernetes.io/managed-by": "helm-todo"}, nil),
		obj("v1", "Secret", "sh.helm.release.v1.todo.v1", map[string]string{"owner": "helm", "name": "todo"}, nil),
		obj("v1", "ConfigMap", "todo-hook", map[string]string{"app.kubernetes.io/name": "todo-app", "app.kubernetes.io/instance": "todo"}, nil),
		owned,
	}
}

func TestCheckDeletable(t *testing.T) {
	created := map[string]string{CreatedByLabel: CreatedByValue}
	for name, tc := range map[string]struct {
		nsLabels map[string]string
		noNS     bool
		extra    []runtime.Object
		want     string // "" when deletable
	}{
		"ours and empty":    {nsLabels: created},
		"absent":            {noNS: true},
		"not created by us": {nsLabels: map[string]string{"team": "x"}, want: "was not created by helm-todo"},
		"a user's configmap": {nsLabels: created, extra: []runtime.Object{obj("v1", "ConfigMap", "user-data", nil, nil)},
			want: "holds objects that are not release todo's nor helm-todo's: configmap/user-data"},
		"another release": {nsLabels: created, extra: []runtime.Object{
			obj("v1", "Secret", "sh.helm.release.v1.other.v1", map[string]string{"owner": "helm", "name": "other"}, nil),
			obj("v1", "ConfigMap", "other-config", nil, map[string]string{"meta.helm.sh/release-name": "other"})},
			want: "configmap/other-config, secret/sh.helm.release.v1.other.v1"},
		"a custom resource": {nsLabels: created, extra: []runtime.Object{obj("example.com/v1", "Widget", "w", nil, nil)},
			want: "widget/w"},
	} {
		t.Run(name, func(t *testing.T) {
			var cs *fake.Clientset
			if tc.noNS {
				cs = fake.NewClientset()
			} else {
				cs = fake.NewClientset(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "ns", Labels: tc.nsLabels}})
			}
			cs.Discovery().(*fakediscovery.FakeDiscovery).Resources = resources
			dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), listKinds, append(furniture(), tc.extra...)...)
			exists, err := CheckDeletable(context.Background(), cs, dyn, "ns", "todo")
			if exists == tc.noNS {
				t.Errorf("exists = %v", exists)
			}
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestCreationLabels(t *testing.T) {
	base := map[string]string{"a": "b"}
	got := CreationLabels(base)
	if got["a"] != "b" || got[CreatedByLabel] != CreatedByValue || len(base) != 1 {
		t.Errorf("got %v, base %v", got, base)
	}
}
