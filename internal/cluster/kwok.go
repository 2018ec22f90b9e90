package cluster

import "github.com/helm-todo/helm-todo/internal/image"

// Kwok is a kwok cluster (kwokctl): simulated nodes and pods, no container
// runtime, so images never need to be anywhere.
var Kwok Kind = kwok{base{"kwok"}}

type kwok struct{ base }

func (kwok) DefaultName() string { return "kwok" }

func (kwok) Help() (string, string) {
	return "context kwok-NAME", "nothing: kwok runs no containers"
}

func (kwok) Detect(k Kubeconfig) (string, string, bool) {
	return contextPrefix(k, "kwok-")
}

func (kwok) Archive(image.Builder) bool { return false }

func (kwok) NothingToLoad() string {
	return "nothing to load: kwok runs no containers, pods only need the image name"
}

func (kwok) Tool(Cluster, func(string) (string, error)) ToolCheck {
	return ToolCheck{Level: "ok", Detail: "kwok: simulated cluster, no images to load"}
}

func (kwok) Note() string {
	return "this is a kwok cluster: it simulates pods and runs no containers, so nothing answers at that URL"
}

func (kwok) RunsContainers() bool { return false }
