package cluster

import "github.com/helm-todo/helm-todo/internal/command"

// KindCluster is a kind (Kubernetes in Docker) cluster: context kind-NAME.
var KindCluster Kind = kindCluster{base{"kind"}}

type kindCluster struct{ base }

func (kindCluster) DefaultName() string { return "kind" }

func (kindCluster) Help() (string, string) {
	return "context kind-NAME", "kind load docker-image --name NAME"
}

func (kindCluster) Detect(k Kubeconfig) (string, string, bool) {
	return contextPrefix(k, "kind-")
}

// Load takes an archive from podman or buildah, the image by name from
// docker.
func (kindCluster) Load(c Cluster, img Image) []command.Cmd {
	if KindCluster.Archive(img.Builder) {
		return []command.Cmd{{Name: "kind", Args: []string{"load", "image-archive", img.Source, "--name", c.Name}}}
	}
	return []command.Cmd{{Name: "kind", Args: []string{"load", "docker-image", img.Source, "--name", c.Name}}}
}

func (kindCluster) Check(c Cluster, img Image) []command.Cmd {
	return crictlHas(c.Name+"-control-plane", img)
}

func (kindCluster) Tool(c Cluster, lookPath func(string) (string, error)) ToolCheck {
	return needs("kind", c, lookPath)
}
