package down

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	fakediscovery "k8s.io/client-go/discovery/fake"
	"k8s.io/client-go/dynamic"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/deploy"
	"github.com/helm-todo/helm-todo/internal/nsowner"
)

// down --delete-namespace on a namespace up did not create, or that holds
// someone else's objects, refuses before removing anything.
func TestDeleteNamespaceOnlyWhenOurs(t *testing.T) {
	userCM := &unstructured.Unstructured{}
	userCM.SetAPIVersion("v1")
	userCM.SetKind("ConfigMap")
	userCM.SetName("user-data")
	userCM.SetNamespace("ns")
	created := map[string]string{nsowner.CreatedByLabel: nsowner.CreatedByValue}
	for name, tc := range map[string]struct {
		labels  map[string]string
		objects []runtime.Object
		stuck   bool   // the namespace stays Terminating
		want    string // "" when the namespace goes
	}{
		"ours, stuck terminating":  {labels: created, stuck: true, want: "namespace ns is still terminating after 1s"},
		"not created by helm-todo": {labels: nil, want: "was not created by helm-todo"},
		"holds a user's configmap": {labels: created, objects: []runtime.Object{userCM}, want: "configmap/user-data"},
		"ours and empty":           {labels: created},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			helm := filepath.Join(dir, "helm")
			script := "#!/bin/sh\necho \"$@\" >>" + dir + "/calls\necho 'Error: uninstall: Release not loaded: todo: release: not found' >&2\nexit 1\n"
			if err := os.WriteFile(helm, []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
			cs := fake.NewClientset(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "ns", Labels: tc.labels}})
			if tc.stuck {
				cs.PrependReactor("delete", "namespaces", func(k8stesting.Action) (bool, runtime.Object, error) { return true, nil, nil })
			}
			cs.Discovery().(*fakediscovery.FakeDiscovery).Resources = []*metav1.APIResourceList{{GroupVersion: "v1", APIResources: []metav1.APIResource{
				{Name: "configmaps", Kind: "ConfigMap", Namespaced: true, Verbs: []string{"list"}}}}}
			dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(),
				map[schema.GroupVersionResource]string{{Version: "v1", Resource: "configmaps"}: "ConfigMapList"}, tc.objects...)
			o := Options{
				Deploy:          deploy.Options{HelmBin: helm, Release: "todo", Namespace: "ns", Timeout: time.Second},
				Client:          func() (kubernetes.Interface, error) { return cs, nil },
				Dynamic:         func() (dynamic.Interface, error) { return dyn, nil },
				Runner:          command.Exec{},
				DeleteNamespace: true,
			}
			// down waits --timeout (1s here) for the namespace to go, not a
			// fixed time: the context only keeps a regression from hanging.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			r, err := (&Action{Options: o, Out: &bytes.Buffer{}}).Run(ctx)
			_, getErr := cs.CoreV1().Namespaces().Get(context.Background(), "ns", metav1.GetOptions{})
			if tc.want == "" {
				if err != nil || !r.NamespaceDeleted || getErr == nil {
					t.Fatalf("err %v, deleted %v, namespace still there: %v", err, r.NamespaceDeleted, getErr == nil)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want a refusal naming %q", err, tc.want)
			}
			if tc.stuck {
				return
			}
			if getErr != nil || r.NamespaceDeleted {
				t.Errorf("namespace deleted despite the refusal: %v", getErr)
			}
			if calls, _ := os.ReadFile(filepath.Join(dir, "calls")); len(calls) > 0 {
				t.Errorf("helm ran before the refusal: %s", calls)
			}
		})
	}
}
