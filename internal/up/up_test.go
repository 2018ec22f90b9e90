package up

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/deploy"
	"github.com/helm-todo/helm-todo/internal/plan"
	"github.com/helm-todo/helm-todo/internal/secrets"
)

const canary = "CANARY-9f8e7d"

func opts(vals map[string]string) Options {
	v := secrets.NewValues(vals, "/p/.env")
	if v.InClusterDB() {
		v.GenerateIfAbsent(secrets.PostgresPassword)
	}
	return Options{
		Deploy: deploy.Options{HelmBin: "helm", Major: 4, Release: "todo", Namespace: "todo-app", Chart: "/p/charts/todo-app",
			PostRenderer: "helm-todo", ExistingSecret: "todo-secrets", InClusterDB: v.InClusterDB(),
			Images: map[string]deploy.Image{"backend": {Repository: "todo-backend", Tag: "abc"}, "frontend": {Repository: "todo-frontend", Tag: "def"}}},
		Delivery:     []plan.Step{plan.Func{Label: "build backend", Lines: []string{"docker build ..."}}},
		Secrets:      v,
		Client:       func() (kubernetes.Interface, error) { return nil, errors.New("dry run must not connect") },
		Runner:       command.DryRun{Out: &bytes.Buffer{}},
		PrepareLines: []string{"helm plugin list"},
	}
}

func TestPlanPrintsEverythingButSecrets(t *testing.T) {
	all := map[string]string{
		secrets.OpenRouterAPIKey: canary, secrets.BetterAuthSecret: canary + "b",
		secrets.VapidPrivateKey: canary + "c", secrets.VapidPublicKey: canary + "d",
	}
	p, err := New(opts(all))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	p.Print(&out)
	got := out.String()
	var names []string
	for _, s := range p.Steps {
		names = append(names, s.Name())
	}
	if strings.Join(names, ",") != "build backend,namespace,lease,secrets,deploy,wait,report" {
		t.Errorf("steps = %v", names)
	}
	for _, want := range []string{
		"docker build ...",
		"pod-security.kubernetes.io/enforce=restricted",
		"Secret todo-app/todo-secrets",
		"Lease todo-app/helm-todo-up",
		"OPENROUTER_API_KEY=<redacted> (from /p/.env)",
		"POSTGRES_PASSWORD=<redacted> (generated once, then kept)",
		"in-cluster PostgreSQL",
		"helm plugin list",
		"helm upgrade --install todo /p/charts/todo-app --namespace todo-app --create-namespace --wait --timeout 5m0s --rollback-on-failure --output json --post-renderer helm-todo --set-string secrets.existingSecret=todo-secrets --set database.external=false",
		"release status and hook results from helm's --output json",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("plan lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, canary) {
		t.Errorf("plan leaks a secret value:\n%s", got)
	}
}

func TestMissingKeyRefusedBeforeAnything(t *testing.T) {
	_, err := New(opts(map[string]string{secrets.OpenRouterAPIKey: "x", secrets.DatabaseURL: "postgresql://h/db"}))
	if err == nil || clierr.ExitCode(err) != clierr.ExitUsage ||
		!strings.Contains(err.Error(), "BETTER_AUTH_SECRET, VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY") {
		t.Fatalf("got %v", err)
	}
}

func TestEnsureNamespace(t *testing.T) {
	ctx := context.Background()
	cs := fake.NewClientset(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "mine",
		Labels: map[string]string{"pod-security.kubernetes.io/enforce": "baseline"}}})
	tests := []struct{ ns, want string }{
		{"fresh", "created"}, {"fresh", "unchanged"}, {"mine", "labelled"}, {"mine", "unchanged"},
	}
	for _, tc := range tests {
		got, err := EnsureNamespace(ctx, cs, tc.ns)
		if err != nil || got != tc.want {
			t.Fatalf("%s: got %q %v, want %q", tc.ns, got, err, tc.want)
		}
	}
	fresh, _ := cs.CoreV1().Namespaces().Get(ctx, "fresh", metav1.GetOptions{})
	if fresh.Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
		t.Errorf("fresh labels %v", fresh.Labels)
	}
	mine, _ := cs.CoreV1().Namespaces().Get(ctx, "mine", metav1.GetOptions{})
	if mine.Labels["pod-security.kubernetes.io/enforce"] != "baseline" || mine.Labels["pod-security.kubernetes.io/warn"] != "restricted" {
		t.Errorf("a user's own enforce level must be kept, the missing labels added: %v", mine.Labels)
	}
}
