package up

import (
	"bytes"
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/nsowner"
	"github.com/helm-todo/helm-todo/internal/secrets"
)

// Bad input is refused by New, before any step runs: --dry-run and a real
// run both build the plan with New, so both refuse it.
func TestBadInputRefusedBeforeAnything(t *testing.T) {
	all := map[string]string{secrets.OpenRouterAPIKey: "a", secrets.BetterAuthSecret: "b", secrets.VapidPrivateKey: "c", secrets.VapidPublicKey: "d"}
	huge := map[string]string{secrets.OpenRouterAPIKey: strings.Repeat("a", secrets.MaxSize), secrets.BetterAuthSecret: "b", secrets.VapidPrivateKey: "c", secrets.VapidPublicKey: "d"}
	for name, tc := range map[string]struct {
		release, namespace string
		vals               map[string]string
		want               string
	}{
		"release":        {release: "Bad Release", namespace: "todo-app", vals: all, want: `release name "Bad Release" is invalid`},
		"namespace":      {release: "todo", namespace: "Bad_NS!", vals: all, want: `namespace "Bad_NS!" is invalid`},
		"secret size":    {release: "todo", namespace: "todo-app", vals: huge, want: "over the 1048576-byte limit of a Secret"},
		"release w/ dot": {release: "todo.dev", namespace: "todo-app", vals: all, want: "is invalid"},
	} {
		t.Run(name, func(t *testing.T) {
			o := opts(tc.vals)
			o.Deploy.Release, o.Deploy.Namespace = tc.release, tc.namespace
			_, err := New(o)
			if err == nil || !strings.Contains(err.Error(), tc.want) || clierr.ExitCode(err) != clierr.ExitUsage {
				t.Fatalf("got %v, want a usage error %q", err, tc.want)
			}
		})
	}
}

// A todo-secrets the user made stops up before the namespace is created
// or labelled.
func TestForeignSecretRefusedBeforeNamespaceIsTouched(t *testing.T) {
	ctx := context.Background()
	cs := fake.NewClientset(
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "theirs"}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "todo-secrets", Namespace: "theirs"}},
	)
	o := opts(map[string]string{secrets.OpenRouterAPIKey: "a", secrets.BetterAuthSecret: "b", secrets.VapidPrivateKey: "c", secrets.VapidPublicKey: "d"})
	o.Deploy.Namespace = "theirs"
	o.Client = func() (kubernetes.Interface, error) { return cs, nil }
	err := namespaceStep(o).Run(ctx, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "exists and is not managed by helm-todo") {
		t.Fatalf("got %v", err)
	}
	ns, _ := cs.CoreV1().Namespaces().Get(ctx, "theirs", metav1.GetOptions{})
	if len(ns.Labels) != 0 {
		t.Errorf("namespace labelled before the refusal: %v", ns.Labels)
	}
}

// Only a namespace up creates carries the mark down needs before deleting.
func TestEnsureNamespaceMarksOnlyWhatItCreates(t *testing.T) {
	ctx := context.Background()
	cs := fake.NewClientset(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "theirs"}})
	for _, ns := range []string{"fresh", "theirs"} {
		if _, err := EnsureNamespace(ctx, cs, ns); err != nil {
			t.Fatal(err)
		}
	}
	fresh, _ := cs.CoreV1().Namespaces().Get(ctx, "fresh", metav1.GetOptions{})
	theirs, _ := cs.CoreV1().Namespaces().Get(ctx, "theirs", metav1.GetOptions{})
	if fresh.Labels[nsowner.CreatedByLabel] != nsowner.CreatedByValue {
		t.Errorf("created namespace lacks the mark: %v", fresh.Labels)
	}
	if _, ok := theirs.Labels[nsowner.CreatedByLabel]; ok {
		t.Errorf("an existing namespace got the mark: %v", theirs.Labels)
	}
}
