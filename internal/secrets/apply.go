package secrets

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

// ManagedBy is the value of app.kubernetes.io/managed-by on the Secret up
// writes. down deletes only Secrets carrying it, and Apply refuses to
// overwrite a Secret that lacks it.
const ManagedBy = "helm-todo"

// Name is the Secret's name for a release.
func Name(release string) string { return release + "-secrets" }

// Labels are put on the Secret.
func Labels(release string) map[string]string {
	return map[string]string{
		"app.kubernetes.io/name":       "todo-app",
		"app.kubernetes.io/instance":   release,
		"app.kubernetes.io/managed-by": ManagedBy,
	}
}

// Result says what Apply did.
type Result string

const (
	Created   Result = "created"
	Updated   Result = "updated"
	Unchanged Result = "unchanged"
)

// Apply creates or updates the Secret with exactly v's data.
//
// The write is one Create or one Update carrying the full data, never a
// sequence of patches: an interrupted up (Ctrl-C) leaves either the old
// Secret or the new one, never a mix. An unchanged Secret is not written at
// all, so a second up with the same inputs touches nothing.
func Apply(ctx context.Context, cs kubernetes.Interface, namespace, release string, v *Values) (Result, error) {
	name := Name(release)
	want := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: Labels(release)},
		Type:       corev1.SecretTypeOpaque,
		Data:       v.Data(),
	}
	api := cs.CoreV1().Secrets(namespace)
	cur, err := api.Get(ctx, name, metav1.GetOptions{})
	for _, k := range v.generate {
		if cur != nil && len(cur.Data[k]) > 0 && err == nil {
			want.Data[k] = cur.Data[k]
			continue
		}
		r, rerr := random()
		if rerr != nil {
			return "", rerr
		}
		want.Data[k] = r
	}
	switch {
	case apierrors.IsNotFound(err):
		if _, err := api.Create(ctx, want, metav1.CreateOptions{}); err != nil {
			return "", clierr.New("create secret "+namespace+"/"+name, "check that your kube user may create Secrets in "+namespace, err)
		}
		return Created, nil
	case err != nil:
		return "", clierr.New("read secret "+namespace+"/"+name, "check the cluster is reachable and your kube user may read Secrets", err)
	}
	if cur.Labels["app.kubernetes.io/managed-by"] != ManagedBy {
		return "", clierr.New(fmt.Sprintf("secret %s/%s exists and is not managed by helm-todo", namespace, name),
			"delete it (kubectl delete secret -n "+namespace+" "+name+") or use another release name", nil)
	}
	if maps.EqualFunc(cur.Data, want.Data, func(a, b []byte) bool { return string(a) == string(b) }) &&
		cur.Labels["app.kubernetes.io/instance"] == release && cur.Type == want.Type {
		return Unchanged, nil
	}
	// Update replaces data wholesale; resourceVersion makes it fail rather
	// than clobber a concurrent writer.
	want.ResourceVersion = cur.ResourceVersion
	want.Labels = mergeLabels(cur.Labels, want.Labels)
	want.Annotations = cur.Annotations
	if _, err := api.Update(ctx, want, metav1.UpdateOptions{}); err != nil {
		return "", clierr.New("update secret "+namespace+"/"+name, "run up again; if it keeps failing, delete the Secret", err)
	}
	return Updated, nil
}

func random() ([]byte, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("generate a password: %w", err)
	}
	return []byte(hex.EncodeToString(b)), nil
}

func mergeLabels(cur, add map[string]string) map[string]string {
	out := maps.Clone(cur)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, add)
	return out
}

// Delete removes the Secret up created. It reports whether one was deleted;
// a missing Secret, or one helm-todo does not manage, is left alone.
func Delete(ctx context.Context, cs kubernetes.Interface, namespace, release string) (bool, error) {
	name := Name(release)
	api := cs.CoreV1().Secrets(namespace)
	cur, err := api.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, clierr.New("read secret "+namespace+"/"+name, "check the cluster is reachable", err)
	}
	if cur.Labels["app.kubernetes.io/managed-by"] != ManagedBy {
		return false, nil
	}
	err = api.Delete(ctx, name, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return false, clierr.New("delete secret "+namespace+"/"+name, "delete it with kubectl", err)
	}
	return err == nil, nil
}
