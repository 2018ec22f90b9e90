package deploy

import (
	"context"
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/helm-todo/helm-todo/internal/command"
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

// Latest is the release's newest revision and whether it is pending, from
// Helm's release records: the default Secret driver labels each with its
// version and status. With another driver it asks helm.
func Latest(ctx context.Context, cs kubernetes.Interface, r command.Runner, o Options) (Release, error) {
	if d := o.Driver; d != "" && d != "secret" && d != "secrets" {
		return Status(ctx, r, o)
	}
	list, err := cs.CoreV1().Secrets(o.Namespace).List(ctx, metav1.ListOptions{LabelSelector: "owner=helm,name=" + o.Release})
	if err != nil {
		return Release{}, err
	}
	var rel Release
	for _, s := range list.Items {
		if v, err := strconv.Atoi(s.Labels["version"]); err == nil && v > rel.Revision {
			rel = Release{Found: true, Revision: v, Status: s.Labels["status"]}
		}
	}
	return rel, nil
}
