package down

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/deploy"
	"github.com/helm-todo/helm-todo/internal/secrets"
)

func meta(name string, labels map[string]string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: "ns", Labels: labels}
}

func TestDeleteLeftovers(t *testing.T) {
	mine := map[string]string{"app.kubernetes.io/name": "todo-app", "app.kubernetes.io/instance": "todo"}
	other := map[string]string{"app.kubernetes.io/name": "todo-app", "app.kubernetes.io/instance": "other"}
	terminating := meta("todo-old-x", mine)
	terminating.DeletionTimestamp = &metav1.Time{Time: time.Now()}
	terminating.Finalizers = []string{"example.com/hold"}
	cs := fake.NewClientset(
		&batchv1.Job{ObjectMeta: meta("todo-migrate", mine)},
		&batchv1.Job{ObjectMeta: meta("other-migrate", other)},
		&corev1.Pod{ObjectMeta: meta("todo-migrate-x", mine)},
		&corev1.ConfigMap{ObjectMeta: meta("todo-hook-cm", mine)},
		&corev1.ConfigMap{ObjectMeta: meta("unlabelled", nil)},
		&corev1.Secret{ObjectMeta: meta("todo-secrets", mine)}, // same name, not managed by helm-todo
		&corev1.Secret{ObjectMeta: meta("todo-hook-secret", mine)},
		&corev1.Pod{ObjectMeta: terminating},
	)
	got, err := DeleteLeftovers(context.Background(), cs, "ns", "todo")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(got)
	want := []string{"configmap/todo-hook-cm", "job/todo-migrate", "pod/todo-migrate-x", "secret/todo-hook-secret"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("deleted %v, want %v", got, want)
	}
	if _, err := cs.BatchV1().Jobs("ns").Get(context.Background(), "other-migrate", metav1.GetOptions{}); err != nil {
		t.Errorf("another release's job was deleted: %v", err)
	}
	if again, _ := DeleteLeftovers(context.Background(), cs, "ns", "todo"); len(again) != 0 {
		t.Errorf("second run deleted %v", again)
	}
}

// The whole plan twice, with a stand-in helm that knows no release: the
// first run removes the Secret, the second has nothing to do.
func TestDownTwice(t *testing.T) {
	dir := t.TempDir()
	helm := filepath.Join(dir, "helm")
	script := "#!/bin/sh\necho 'Error: uninstall: Release not loaded: todo: release: not found' >&2\nexit 1\n"
	if err := os.WriteFile(helm, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cs := fake.NewClientset()
	if _, err := secrets.Apply(context.Background(), cs, "ns", "todo", secrets.NewValues(map[string]string{"A": "1"}, "t")); err != nil {
		t.Fatal(err)
	}
	o := Options{
		Deploy: deploy.Options{HelmBin: helm, Release: "todo", Namespace: "ns"},
		Client: func() (kubernetes.Interface, error) { return cs, nil },
		Runner: command.Exec{},
	}
	for i, wantNothing := range []bool{false, true} {
		var out bytes.Buffer
		r, err := (&Action{Options: o, Out: &out}).Run(context.Background())
		if err != nil {
			t.Fatalf("run %d: %v", i+1, err)
		}
		if r.Nothing() != wantNothing || r.Uninstalled {
			t.Errorf("run %d: result %+v", i+1, r)
		}
		if !strings.Contains(out.String(), "release todo is not installed in ns") {
			t.Errorf("run %d output:\n%s", i+1, out.String())
		}
	}
}

// The action with a dry-run runner: the plan names every removal and
// nothing is touched, not even the cluster client.
func TestActionDryRun(t *testing.T) {
	var out bytes.Buffer
	a := &Action{
		Options: Options{
			Deploy: deploy.Options{HelmBin: "helm4", Release: "todo", Namespace: "ns"},
			Client: func() (kubernetes.Interface, error) {
				t.Fatal("a dry run must not connect")
				return nil, nil
			},
			Runner:          command.DryRun{Out: &out},
			DeleteNamespace: true,
		},
		DryRun: true, Out: &out,
	}
	r, err := a.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"helm4 uninstall todo --namespace ns --wait", "delete Secret ns/todo-secrets", "delete Namespace ns"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("plan lacks %q:\n%s", want, out.String())
		}
	}
	if r.Summary() != "" || !r.Nothing() {
		t.Errorf("a dry run removed something: %+v", r)
	}
	r.DryRun = false
	if s := r.Summary(); s != "nothing to do: release todo is not installed in namespace ns" {
		t.Errorf("summary %q", s)
	}
	r.Uninstalled = true
	if s := r.Summary(); s != "release todo removed from namespace ns" {
		t.Errorf("summary %q", s)
	}
}

// A kind down cannot list is an error naming it, not a silent success with
// objects left behind.
func TestDeleteLeftoversListError(t *testing.T) {
	for _, plural := range []string{"jobs", "pods", "configmaps", "secrets"} {
		t.Run(plural, func(t *testing.T) {
			cs := fake.NewClientset()
			cs.PrependReactor("list", plural, func(k8stesting.Action) (bool, runtime.Object, error) {
				return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: plural}, "", errors.New("no list"))
			})
			_, err := DeleteLeftovers(context.Background(), cs, "ns", "todo")
			if err == nil || !strings.Contains(err.Error(), "list leftover "+plural+" in ns") {
				t.Errorf("got %v, want an error naming %s", err, plural)
			}
		})
	}
}
