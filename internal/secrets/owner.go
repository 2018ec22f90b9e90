package secrets

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

// CheckOwned refuses a Secret of the release's name that helm-todo did not
// create. up asks before it creates or labels the namespace, so a refusal
// leaves the cluster as it was; Apply checks again when it writes.
func CheckOwned(ctx context.Context, cs kubernetes.Interface, namespace, release string) error {
	name := Name(release)
	cur, err := cs.CoreV1().Secrets(namespace).Get(ctx, name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return nil
	case err != nil:
		return clierr.New("read secret "+namespace+"/"+name, "check the cluster is reachable and your kube user may read Secrets", err)
	case cur.Labels["app.kubernetes.io/managed-by"] != ManagedBy:
		return clierr.New(fmt.Sprintf("secret %s/%s exists and is not managed by helm-todo", namespace, name),
			"delete it (kubectl delete secret -n "+namespace+" "+name+") or use another release name", nil)
	}
	return nil
}
