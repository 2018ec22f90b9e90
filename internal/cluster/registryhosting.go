package cluster

import (
	"context"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

// KEP-1755: a cluster that runs beside a local registry says so in this
// ConfigMap, so that tools push there without being told.
const (
	RegistryHostingNamespace = "kube-public"
	RegistryHostingName      = "local-registry-hosting"
	RegistryHostingKey       = "localRegistryHosting.v1"
)

// RegistryHosting is the KEP-1755 localRegistryHosting.v1 document.
type RegistryHosting struct {
	// Host is where a developer's machine pushes.
	Host string `json:"host"`
	// HostFromContainerRuntime is the name the nodes' container runtime
	// pulls by, when it differs from Host.
	HostFromContainerRuntime string `json:"hostFromContainerRuntime,omitempty"`
	// HostFromClusterNetwork is the name pods use; helm-todo does not need it.
	HostFromClusterNetwork string `json:"hostFromClusterNetwork,omitempty"`
	Help                   string `json:"help,omitempty"`
}

// PullHost is the registry the chart's image repositories must name: what
// the node pulls by.
func (h RegistryHosting) PullHost() string {
	if h.HostFromContainerRuntime != "" {
		return h.HostFromContainerRuntime
	}
	return h.Host
}

// ParseRegistryHosting reads the ConfigMap's localRegistryHosting.v1 value.
func ParseRegistryHosting(doc string) (RegistryHosting, error) {
	var h RegistryHosting
	if err := yaml.Unmarshal([]byte(doc), &h); err != nil {
		return h, hostingError(err)
	}
	h.Host = strings.TrimSuffix(strings.TrimSpace(h.Host), "/")
	h.HostFromContainerRuntime = strings.TrimSuffix(strings.TrimSpace(h.HostFromContainerRuntime), "/")
	if h.Host == "" {
		return h, hostingError(fmt.Errorf("no host"))
	}
	return h, nil
}

func hostingError(err error) error {
	return clierr.New(fmt.Sprintf("configmap %s/%s: %s is not a KEP-1755 document", RegistryHostingNamespace, RegistryHostingName, RegistryHostingKey),
		"fix the ConfigMap (it needs at least `host: <registry>`), or pass --registry or --cluster to ignore it", err)
}

// hostingTimeout bounds the one read: an unreachable cluster then loads
// as it would without the ConfigMap, and the deploy reports the cluster.
const hostingTimeout = 5 * time.Second

// ReadRegistryHosting reads the cluster's KEP-1755 ConfigMap. No ConfigMap,
// or no answer, is nil: the cluster's kind decides delivery, as before.
// A ConfigMap that is there but malformed is an error naming it.
func ReadRegistryHosting(ctx context.Context, cs kubernetes.Interface) (*RegistryHosting, error) {
	ctx, cancel := context.WithTimeout(ctx, hostingTimeout)
	defer cancel()
	cm, err := cs.CoreV1().ConfigMaps(RegistryHostingNamespace).Get(ctx, RegistryHostingName, metav1.GetOptions{})
	if err != nil {
		// Not found, unreachable or forbidden: deliver as without it.
		return nil, nil
	}
	doc, ok := cm.Data[RegistryHostingKey]
	if !ok {
		return nil, nil
	}
	h, err := ParseRegistryHosting(doc)
	if err != nil {
		return nil, err
	}
	return &h, nil
}
