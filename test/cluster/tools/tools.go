//go:build tools

// Package tools pins the control-plane commands so `go mod tidy` keeps their
// dependencies; the Makefile builds each with `go build`.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
