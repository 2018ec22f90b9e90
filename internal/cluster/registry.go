package cluster

import (
	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/image"
)

// Registry is any cluster reached through a registry: the one --registry
// or build.registry names, or the one the cluster publishes (KEP-1755,
// registryhosting.go). Images are tagged and pushed; the cluster pulls.
// It is never detected from the kubeconfig and is no --cluster choice.
var Registry Kind = registry{base{"registry"}}

type registry struct{ base }

func (registry) Local() bool { return false }

// Archive: a push goes from the builder's own store.
func (registry) Archive(image.Builder) bool { return false }

func (registry) Load(_ Cluster, img Image) []command.Cmd {
	return []command.Cmd{img.Builder.TagCmd(img.Source, img.Push), img.Builder.PushCmd(img.Push)}
}

// Check: a registry on this machine is asked in-process instead
// (LoadStep.localRegistry), whatever the builder.
func (registry) Check(_ Cluster, img Image) []command.Cmd {
	if image.LoopbackRegistry(img.Push) {
		return nil
	}
	return []command.Cmd{img.Builder.RemoteExistsCmd(img.Push)}
}

func (registry) Tool(c Cluster, _ func(string) (string, error)) ToolCheck {
	return ToolCheck{Level: "ok", Detail: "images are pushed to " + c.Name}
}
