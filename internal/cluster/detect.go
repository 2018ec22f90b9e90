// Package cluster finds out what kind of cluster the kube-context points at
// and gets locally built images into it.
//
// Detection reads only the kubeconfig, the way Skaffold does: the context's
// name, its cluster's server and the clues local-cluster tools leave there.
// Nothing is run and the cluster is not contacted, so a stopped cluster or
// --dry-run detect the same way.
package cluster

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

// Kind is a kind of cluster, which decides how images get into it.
type Kind string

// Cluster kinds. Other is one helm-todo cannot load into: it needs a registry.
const (
	Minikube      Kind = "minikube"
	KindCluster   Kind = "kind"
	K3d           Kind = "k3d"
	DockerDesktop Kind = "docker-desktop"
	Kwok          Kind = "kwok"
	Registry      Kind = "registry"
	Other         Kind = "other"
)

// Cluster is the detected target.
type Cluster struct {
	Kind Kind
	// Name is the minikube profile, or the kind, k3d or kwok cluster name.
	Name    string
	Context string
	Server  string
	// Clue says what gave the kind away, for the user to check.
	Clue string
	// Pull is, for a registry, the host the nodes pull by when it is not
	// the one images are pushed to (KEP-1755 hostFromContainerRuntime).
	Pull string
}

func (c Cluster) String() string {
	if c.Name == "" || c.Name == string(c.Kind) {
		return string(c.Kind)
	}
	return string(c.Kind) + " " + c.Name
}

// Detect loads the kubeconfig (a path, a path list, or "" for the default
// rules) and detects the cluster of kubeContext, or of the current context
// when kubeContext is "".
func Detect(kubeconfig, kubeContext string) (Cluster, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if paths := filepath.SplitList(kubeconfig); len(paths) == 1 {
		rules.ExplicitPath = paths[0]
	} else if len(paths) > 1 {
		rules.Precedence = paths
	}
	cfg, err := rules.Load()
	if err != nil {
		return Cluster{}, clierr.New("read kubeconfig", "check --kubeconfig/KUBECONFIG", err)
	}
	return DetectConfig(cfg, kubeContext)
}

// DetectConfig detects the cluster of kubeContext in cfg.
func DetectConfig(cfg *clientcmdapi.Config, kubeContext string) (Cluster, error) {
	name := kubeContext
	if name == "" {
		name = cfg.CurrentContext
	}
	if name == "" {
		return Cluster{}, clierr.New("no current kube-context", "start a local cluster (minikube start, kind create cluster, ...) or pass --kube-context", nil)
	}
	kctx, ok := cfg.Contexts[name]
	if !ok {
		return Cluster{}, clierr.Usage(fmt.Sprintf("kube-context %q is not in the kubeconfig", name), "list them with `kubectl config get-contexts`", nil)
	}
	c := Cluster{Context: name}
	var cl *clientcmdapi.Cluster
	if cl = cfg.Clusters[kctx.Cluster]; cl != nil {
		c.Server = cl.Server
	}
	host := ""
	if u, err := url.Parse(c.Server); err == nil {
		host = u.Hostname()
	}

	switch {
	case name == "minikube":
		c.Kind, c.Name, c.Clue = Minikube, name, "context name"
	case cl != nil && minikubeCluster(cl):
		// minikube names the context, the cluster and the profile alike.
		c.Kind, c.Name, c.Clue = Minikube, kctx.Cluster, "minikube's cluster_info extension or CA path"
	case strings.HasPrefix(name, "kind-"):
		c.Kind, c.Name, c.Clue = KindCluster, strings.TrimPrefix(name, "kind-"), "context name prefix kind-"
	case strings.HasPrefix(name, "k3d-"):
		c.Kind, c.Name, c.Clue = K3d, strings.TrimPrefix(name, "k3d-"), "context name prefix k3d-"
	case strings.HasPrefix(name, "kwok-"):
		c.Kind, c.Name, c.Clue = Kwok, strings.TrimPrefix(name, "kwok-"), "context name prefix kwok-"
	case name == "docker-desktop" || name == "docker-for-desktop" || host == "kubernetes.docker.internal":
		c.Kind, c.Name, c.Clue = DockerDesktop, "docker-desktop", "context name or server"
	default:
		c.Kind, c.Clue = Other, "no local-cluster clue"
	}
	return c, nil
}

// minikubeCluster looks for what minikube writes into a cluster entry.
func minikubeCluster(cl *clientcmdapi.Cluster) bool {
	for _, ext := range cl.Extensions {
		if ext == nil {
			continue
		}
		if u, ok := ext.(*runtime.Unknown); ok && strings.Contains(string(u.Raw), "minikube.sigs.k8s.io") {
			return true
		}
	}
	ca := filepath.ToSlash(cl.CertificateAuthority)
	return strings.Contains(ca, "/.minikube/")
}

// ParseOverride reads --cluster: "KIND" or "KIND:NAME". A missing name
// comes from the detected context when it is of the same kind, else the
// tool's own default.
func ParseOverride(s string, detected Cluster) (Cluster, error) {
	kind, name, _ := strings.Cut(s, ":")
	c := Cluster{Kind: Kind(kind), Name: name, Context: detected.Context, Server: detected.Server, Clue: "--cluster"}
	defaults := map[Kind]string{Minikube: "minikube", KindCluster: "kind", K3d: "k3s-default", DockerDesktop: "docker-desktop", Kwok: "kwok"}
	def, ok := defaults[c.Kind]
	if !ok {
		return Cluster{}, clierr.Usagef("use --cluster minikube, kind, k3d, docker-desktop or kwok, optionally with :NAME (e.g. kind:dev), or --registry", "unknown cluster kind %q", kind)
	}
	if c.Name == "" {
		if detected.Kind == c.Kind && detected.Name != "" {
			c.Name = detected.Name
		} else {
			c.Name = def
		}
	}
	return c, nil
}
