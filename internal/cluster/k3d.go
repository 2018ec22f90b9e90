package cluster

import "github.com/helm-todo/helm-todo/internal/command"

// K3d is a k3d cluster: context k3d-NAME, k3s inside docker.
var K3d Kind = k3d{base{"k3d"}}

type k3d struct{ base }

func (k3d) DefaultName() string { return "k3s-default" }

func (k3d) Help() (string, string) { return "context k3d-NAME", "k3d image import -c NAME" }

func (k3d) Detect(k Kubeconfig) (string, string, bool) {
	return contextPrefix(k, "k3d-")
}

func (k3d) Load(c Cluster, img Image) []command.Cmd {
	return []command.Cmd{{Name: "k3d", Args: []string{"image", "import", img.Source, "-c", c.Name}}}
}

func (k3d) Check(c Cluster, img Image) []command.Cmd {
	return crictlHas("k3d-"+c.Name+"-server-0", img)
}

func (k3d) Tool(c Cluster, lookPath func(string) (string, error)) ToolCheck {
	return needs("k3d", c, lookPath)
}
