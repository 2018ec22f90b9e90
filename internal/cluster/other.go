package cluster

import "fmt"

// Other is a cluster with no local-cluster clue: helm-todo cannot load
// into it, so images must go through a registry.
var Other Kind = other{base{"other"}}

type other struct{ base }

func (other) Local() bool { return false }

func (other) Tool(c Cluster, _ func(string) (string, error)) ToolCheck {
	return ToolCheck{Level: "warn", Detail: fmt.Sprintf("no local-cluster clue in context %q: images must go through a registry", c.Context),
		Fix: "pass --registry (or build.registry in helm-todo.yaml), or use minikube/kind/k3d"}
}
