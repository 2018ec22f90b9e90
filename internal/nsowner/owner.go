// Package nsowner marks the namespaces helm-todo creates, and decides
// whether `down --delete-namespace` may delete one: only a namespace
// helm-todo created, holding nothing but the release's objects and
// helm-todo's own. Deleting a namespace deletes everything in it, so
// anything else there is a reason to refuse.
package nsowner

import (
	"context"
	"fmt"
	"maps"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

// CreatedBy is the label up puts on a namespace it creates. A namespace
// without it was there before helm-todo, and down never deletes it.
const (
	CreatedByLabel = "app.kubernetes.io/created-by"
	CreatedByValue = "helm-todo"
)

// CreationLabels are labels plus the created-by mark, for a namespace
// being created now.
func CreationLabels(labels map[string]string) map[string]string {
	out := maps.Clone(labels)
	if out == nil {
		out = map[string]string{}
	}
	out[CreatedByLabel] = CreatedByValue
	return out
}

// CheckDeletable reports whether ns exists, and refuses (an error naming
// why) when down must not delete it.
func CheckDeletable(ctx context.Context, cs kubernetes.Interface, dyn dynamic.Interface, ns, release string) (bool, error) {
	cur, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, clierr.New("read namespace "+ns, "check that the cluster is reachable (kubectl get ns "+ns+")", err)
	}
	keep := "run down without --delete-namespace"
	if cur.Labels[CreatedByLabel] != CreatedByValue {
		return true, clierr.New(fmt.Sprintf("namespace %s was not created by helm-todo (no label %s=%s); not deleting it", ns, CreatedByLabel, CreatedByValue),
			keep+"; delete it yourself (kubectl delete namespace "+ns+") only if nothing in it matters", nil)
	}
	others, err := Foreign(ctx, cs.Discovery(), dyn, ns, release)
	if err != nil {
		return true, clierr.New("list what namespace "+ns+" holds; not deleting it", keep+", or check that your kube user may list its objects", err)
	}
	if len(others) > 0 {
		return true, clierr.New(fmt.Sprintf("namespace %s holds objects that are not release %s's nor helm-todo's: %s; not deleting it", ns, release, summarize(others)),
			keep+", or move or delete those objects first", nil)
	}
	return true, nil
}

func summarize(names []string) string {
	const show = 8
	if len(names) <= show {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:show], ", "), len(names)-show)
}
