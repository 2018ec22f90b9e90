package cluster

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/image"
)

// Kind is one kind of cluster: how the kubeconfig gives it away, how
// images get into it, what doctor checks for it and how the app is reached
// on it. Each kind is one file; kinds.go lists them.
type Kind interface {
	// Name is the kind as --cluster and the output spell it.
	Name() string
	// DefaultName is the cluster `--cluster KIND` means without :NAME; ""
	// when the kind is not a --cluster choice.
	DefaultName() string
	// Help is the kind's row in `helm todo load --help`: how it is
	// detected and what loads into it.
	Help() (detected, loads string)
	// Detect recognises the kind in a kubeconfig context and returns the
	// cluster's name and the clue that gave it away.
	Detect(k Kubeconfig) (name, clue string, ok bool)
	// Local is true for a cluster that runs on this machine.
	Local() bool

	// Archive is true when an image built by b travels as a docker-archive
	// file (the builder's store is not the one the cluster loads from).
	Archive(b image.Builder) bool
	// Load are the commands that put img into cluster c, after img was
	// saved to its archive when Archive says so; nil when there is nothing
	// to do, which NothingToLoad explains.
	Load(c Cluster, img Image) []command.Cmd
	NothingToLoad() string
	// Check are the commands asking whether c already has img; Has reads
	// the output of one that succeeded.
	Check(c Cluster, img Image) []command.Cmd
	Has(out []byte, img Image) bool

	// Tool is doctor's "cluster tool" check for c.
	Tool(c Cluster, lookPath func(string) (string, error)) ToolCheck
	// Reach is the kind's own way to the frontend Service from this
	// machine (minikube: its node IP and the NodePort), ok false when it
	// has none and the Service's address or a port-forward is the way.
	Reach(ctx context.Context, c Cluster, probe command.Runner, svc *corev1.Service) (url string, hints []string, ok bool)
	// Note is printed after the URL, "" for none.
	Note() string
	// RunsContainers is false for a simulated cluster: nothing answers on
	// its nodes' addresses, so the report does not probe them.
	RunsContainers() bool
}

// Kubeconfig is what detection reads: one context and its cluster entry.
type Kubeconfig struct {
	Context     string                // the context's name
	ClusterName string                // the cluster entry it names
	Cluster     *clientcmdapi.Cluster // nil when the entry is missing
	Host        string                // the server's host name
}

// Image is one built image on its way into a cluster.
type Image struct {
	Builder image.Builder
	// Source is what the load reads: the builder's reference, or the
	// archive file when the kind's Archive says so.
	Source string
	// Qualified is the reference as a container runtime lists it
	// (docker.io/library/...), Ref as pods name it.
	Qualified, Ref string
	// Push is where a registry push goes.
	Push string
	// KindProvider is KIND_EXPERIMENTAL_PROVIDER, from settings.
	KindProvider string
}

// ToolCheck is a kind's line in `helm todo doctor`. Level is "ok", "warn"
// or "fail".
type ToolCheck struct{ Level, Detail, Fix string }

// base is what most kinds share; a kind embeds it and overrides the rest.
type base struct{ name string }

func (b base) Name() string                             { return b.name }
func (b base) String() string                           { return b.name }
func (b base) DefaultName() string                      { return "" }
func (b base) Help() (string, string)                   { return "", "" }
func (b base) Detect(Kubeconfig) (string, string, bool) { return "", "", false }
func (b base) Local() bool                              { return true }
func (b base) Archive(bl image.Builder) bool            { return bl.Kind != image.Docker }
func (b base) NothingToLoad() string                    { return "nothing to load" }
func (b base) Check(Cluster, Image) []command.Cmd       { return nil }
func (b base) Has([]byte, Image) bool                   { return true }
func (b base) Note() string                             { return "" }
func (b base) RunsContainers() bool                     { return true }
func (b base) Load(Cluster, Image) []command.Cmd        { return nil }
func (b base) Reach(context.Context, Cluster, command.Runner, *corev1.Service) (string, []string, bool) {
	return "", nil, false
}

// needs is the tool check of a kind that loads with one program.
func needs(tool string, c Cluster, lookPath func(string) (string, error)) ToolCheck {
	if path, err := lookPath(tool); err == nil {
		return ToolCheck{Level: "ok", Detail: fmt.Sprintf("%s for %s (%s)", tool, c, path)}
	}
	return ToolCheck{Level: "fail", Detail: tool + " not found on PATH, needed to load images into " + c.String(), Fix: "install " + tool}
}

// nodeEngine runs the kind and k3d node containers: docker, or podman when
// that is what the user builds with (kind's podman provider).
func nodeEngine(b image.Builder, kindProvider string) string {
	if b.Kind == image.Podman || kindProvider == "podman" {
		return "podman"
	}
	return "docker"
}

// crictlHas asks the node container's runtime for the image.
func crictlHas(node string, img Image) []command.Cmd {
	return []command.Cmd{{Name: nodeEngine(img.Builder, img.KindProvider), Args: []string{"exec", node, "crictl", "inspecti", img.Qualified}}}
}

// contextPrefix detects a kind whose contexts are named PREFIX+NAME
// (kind-NAME, k3d-NAME, kwok-NAME): the cluster's name and the clue.
func contextPrefix(k Kubeconfig, prefix string) (name, clue string, ok bool) {
	name, ok = strings.CutPrefix(k.Context, prefix)
	if !ok {
		return "", "", false
	}
	return name, "context name prefix " + prefix, true
}
