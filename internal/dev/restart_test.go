package dev

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

func TestRestartReaders(t *testing.T) {
	const secret = "todo-secrets"
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	meta := func(name, release string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: name, Namespace: "ns", Labels: map[string]string{"app.kubernetes.io/instance": release}}
	}
	envFrom := corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c",
		EnvFrom: []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: secret}}}}}}}}
	volume := corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c"}},
		Volumes: []corev1.Volume{{Name: "v", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: secret}}}}}}
	none := corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c"}}}}
	objects := func() []runtime.Object {
		return []runtime.Object{
			&appsv1.Deployment{ObjectMeta: meta("backend", "todo"), Spec: appsv1.DeploymentSpec{Template: envFrom}},
			&appsv1.Deployment{ObjectMeta: meta("frontend", "todo"), Spec: appsv1.DeploymentSpec{Template: none}},
			&appsv1.Deployment{ObjectMeta: meta("elsewhere", "other"), Spec: appsv1.DeploymentSpec{Template: envFrom}},
			&appsv1.StatefulSet{ObjectMeta: meta("db", "todo"), Spec: appsv1.StatefulSetSpec{Template: volume}},
		}
	}
	tests := map[string]struct {
		failPatchOf string // the resource whose patches fail
		want        []string
		wantErr     bool
	}{
		"readers of each kind, deployments first":             {want: []string{"deployment/backend", "statefulset/db"}},
		"a failed statefulset patch keeps what was restarted": {failPatchOf: "statefulsets", want: []string{"deployment/backend"}, wantErr: true},
		"a failed deployment patch stops before statefulsets": {failPatchOf: "deployments", want: nil, wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			cs := fake.NewClientset(objects()...)
			if tc.failPatchOf != "" {
				cs.PrependReactor("patch", tc.failPatchOf, func(k8stesting.Action) (bool, runtime.Object, error) {
					return true, nil, errors.New("patch refused")
				})
			}
			got, err := restartReaders(context.Background(), cs, "ns", "todo", secret, now)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want an error: %v", err, tc.wantErr)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("restarted %v, want %v", got, tc.want)
			}
			stamp := func(tpl corev1.PodTemplateSpec) string { return tpl.Annotations[RestartAnnotation] }
			for _, d := range []string{"backend", "frontend", "elsewhere"} {
				dep, _ := cs.AppsV1().Deployments("ns").Get(context.Background(), d, metav1.GetOptions{})
				if want := restartedStamp(tc.want, "deployment/"+d, now); stamp(dep.Spec.Template) != want {
					t.Errorf("deployment %s restartedAt = %q, want %q", d, stamp(dep.Spec.Template), want)
				}
			}
			sts, _ := cs.AppsV1().StatefulSets("ns").Get(context.Background(), "db", metav1.GetOptions{})
			if want := restartedStamp(tc.want, "statefulset/db", now); stamp(sts.Spec.Template) != want {
				t.Errorf("statefulset db restartedAt = %q, want %q", stamp(sts.Spec.Template), want)
			}
		})
	}
}

// restartedStamp is the annotation a workload should carry: the time when
// it is among those restarted, none otherwise.
func restartedStamp(restarted []string, workload string, now time.Time) string {
	for _, r := range restarted {
		if r == workload {
			return now.Format(time.RFC3339)
		}
	}
	return ""
}
