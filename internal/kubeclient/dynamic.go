package kubeclient

import (
	"k8s.io/client-go/dynamic"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/settings"
)

// NewDynamic connects a dynamic client to the cluster s selects, for
// questions over every resource kind (what a namespace holds).
func NewDynamic(s *settings.Settings) (dynamic.Interface, error) {
	c, err := New(s)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(c.Config)
	if err != nil {
		return nil, clierr.New("create kubernetes client", "check the kubeconfig", err)
	}
	return dyn, nil
}
