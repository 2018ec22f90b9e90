// Package cluster finds out what kind of cluster the kube-context points at
// and gets locally built images into it.
//
// Detection reads only the kubeconfig, the way Skaffold does: the context's
// name, its cluster's server and the clues local-cluster tools leave there.
// Nothing is run and the cluster is not contacted, so a stopped cluster or
// --dry-run detect the same way.
//
// Each kind of cluster is one file (minikube.go, kindcluster.go, k3d.go,
// dockerdesktop.go, kwok.go, and registry.go for a cluster reached through
// a registry) implementing Kind; kinds.go lists the ones detection tries.
package cluster

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/helm-todo/helm-todo/internal/clierr"
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

// String is the kind and the name ("kind dev"), "unknown" for the zero
// Cluster.
func (c Cluster) String() string {
	if c.Kind == nil {
		return "unknown"
	}
	if c.Name == "" || c.Name == c.Kind.Name() {
		return c.Kind.Name()
	}
	return c.Kind.Name() + " " + c.Name
}

// RunsContainers is false for a simulated cluster; an unknown one is
// taken to run them.
func (c Cluster) RunsContainers() bool { return c.Kind == nil || c.Kind.RunsContainers() }

// Note is the kind's note after the app's URL, "" for none.
func (c Cluster) Note() string {
	if c.Kind == nil {
		return ""
	}
	return c.Kind.Note()
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

	k := Kubeconfig{Context: name, ClusterName: kctx.Cluster, Cluster: cl, Host: host}
	for _, kind := range kinds {
		if n, clue, ok := kind.Detect(k); ok {
			c.Kind, c.Name, c.Clue = kind, n, clue
			return c, nil
		}
	}
	c.Kind, c.Clue = Other, "no local-cluster clue"
	return c, nil
}

// ParseOverride reads --cluster: "KIND" or "KIND:NAME". A missing name
// comes from the detected context when it is of the same kind, else the
// tool's own default.
func ParseOverride(s string, detected Cluster) (Cluster, error) {
	kindName, name, _ := strings.Cut(s, ":")
	kind, ok := Lookup(kindName)
	if !ok || kind.DefaultName() == "" {
		return Cluster{}, clierr.Usagef("use --cluster "+Choices()+", optionally with :NAME (e.g. "+KindCluster.Name()+":dev), or --registry", "unknown cluster kind %q", kindName)
	}
	c := Cluster{Kind: kind, Name: name, Context: detected.Context, Server: detected.Server, Clue: "--cluster"}
	def := kind.DefaultName()
	if c.Name == "" {
		if detected.Kind == c.Kind && detected.Name != "" {
			c.Name = detected.Name
		} else {
			c.Name = def
		}
	}
	return c, nil
}
