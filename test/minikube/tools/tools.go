//go:build tools

// Package tools pins kubeadm and kubectl, which minikube copies into its
// node beside the node rig's kubelet, so `go mod tidy` keeps their
// dependencies; test/minikube/build-tools.sh builds them with `go build`,
// with the control plane's version and ldflags (test/cluster/build-tools.sh).
package tools

import (
	_ "k8s.io/kubernetes/cmd/kubeadm"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
