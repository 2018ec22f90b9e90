package secrets

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// writes counts the mutating API calls, the property that makes Apply safe
// to interrupt: at most one write per run, carrying the full data.
func writes(cs *fake.Clientset) []k8stesting.Action {
	var w []k8stesting.Action
	for _, a := range cs.Actions() {
		if a.GetVerb() != "get" && a.GetVerb() != "list" && a.GetVerb() != "watch" {
			w = append(w, a)
		}
	}
	return w
}

func TestApply(t *testing.T) {
	ctx := context.Background()
	v1 := NewValues(map[string]string{"A": "1", "B": "2"}, "test")
	v2 := NewValues(map[string]string{"A": "1", "C": "3"}, "test")

	cs := fake.NewClientset()
	if r, err := Apply(ctx, cs, "ns", "todo", v1); err != nil || r != Created {
		t.Fatalf("first apply: %v %v", r, err)
	}
	if r, err := Apply(ctx, cs, "ns", "todo", v1); err != nil || r != Unchanged {
		t.Fatalf("second apply: %v %v", r, err)
	}
	if r, err := Apply(ctx, cs, "ns", "todo", v2); err != nil || r != Updated {
		t.Fatalf("third apply: %v %v", r, err)
	}
	w := writes(cs)
	if len(w) != 2 || w[0].GetVerb() != "create" || w[1].GetVerb() != "update" {
		t.Fatalf("writes = %v, want one create and one update", w)
	}
	got, _ := cs.CoreV1().Secrets("ns").Get(ctx, "todo-secrets", metav1.GetOptions{})
	if len(got.Data) != 2 || string(got.Data["C"]) != "3" || got.Data["B"] != nil {
		t.Errorf("update must replace the data wholesale, got keys %v", keys(got.Data))
	}
	if got.Labels["app.kubernetes.io/managed-by"] != ManagedBy || got.Labels["app.kubernetes.io/instance"] != "todo" {
		t.Errorf("labels = %v", got.Labels)
	}
}

func TestApplyRefusesForeignSecret(t *testing.T) {
	ctx := context.Background()
	cs := fake.NewClientset(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "todo-secrets", Namespace: "ns"}})
	_, err := Apply(ctx, cs, "ns", "todo", NewValues(map[string]string{"A": "1"}, "test"))
	if err == nil {
		t.Fatal("overwrote a Secret helm-todo does not manage")
	}
	if len(writes(cs)) != 0 {
		t.Errorf("wrote despite refusing: %v", writes(cs))
	}
	if ok, err := Delete(ctx, cs, "ns", "todo"); ok || err != nil {
		t.Errorf("deleted a foreign Secret: %v %v", ok, err)
	}
}

func TestDeleteIdempotent(t *testing.T) {
	ctx := context.Background()
	cs := fake.NewClientset()
	if _, err := Apply(ctx, cs, "ns", "todo", NewValues(map[string]string{"A": "1"}, "test")); err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, false} {
		ok, err := Delete(ctx, cs, "ns", "todo")
		if err != nil || ok != want {
			t.Errorf("delete #%d = %v, %v; want %v", i+1, ok, err, want)
		}
	}
}

func keys(m map[string][]byte) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	return k
}

func TestApplyGeneratedKeyIsKept(t *testing.T) {
	ctx := context.Background()
	cs := fake.NewClientset()
	mk := func() *Values {
		v := NewValues(map[string]string{"A": "1"}, "test")
		v.GenerateIfAbsent(PostgresPassword)
		return v
	}
	if r, err := Apply(ctx, cs, "ns", "todo", mk()); err != nil || r != Created {
		t.Fatalf("%v %v", r, err)
	}
	first, _ := cs.CoreV1().Secrets("ns").Get(ctx, "todo-secrets", metav1.GetOptions{})
	if len(first.Data[PostgresPassword]) < 32 {
		t.Fatalf("no generated password: %q", first.Data[PostgresPassword])
	}
	if r, err := Apply(ctx, cs, "ns", "todo", mk()); err != nil || r != Unchanged {
		t.Fatalf("a generated key must be kept, not regenerated: %v %v", r, err)
	}
	given := NewValues(map[string]string{"A": "1", PostgresPassword: "mine"}, "test")
	given.GenerateIfAbsent(PostgresPassword)
	if r, err := Apply(ctx, cs, "ns", "todo", given); err != nil || r != Updated {
		t.Fatalf("%v %v", r, err)
	}
}
