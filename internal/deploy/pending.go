package deploy

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// MaybePending tells from Helm's release records whether Recover has
// anything to look at, with one API call instead of a helm process on
// every up. Helm's default Secret driver labels each record with its
// status; with another driver (HELM_DRIVER) the answer is always yes.
func MaybePending(ctx context.Context, cs kubernetes.Interface, driver, namespace, release string) bool {
	if d := driver; d != "" && d != "secret" && d != "secrets" {
		return true
	}
	list, err := cs.CoreV1().Secrets(namespace).List(ctx, metav1.ListOptions{
		LabelSelector: "owner=helm,name=" + release + ",status in (pending-install,pending-upgrade,pending-rollback)",
	})
	return err != nil || len(list.Items) > 0
}
