//go:build tools

// Package deps pins the module set (design §8) while the packages that import
// it are written in parallel: `go mod tidy` keeps what a tools-tagged file
// imports. It is never compiled into helm-todo.
package deps

import (
	_ "github.com/moby/buildkit/frontend/dockerfile/instructions"
	_ "github.com/moby/buildkit/frontend/dockerfile/linter"
	_ "github.com/moby/buildkit/frontend/dockerfile/parser"
	_ "github.com/spf13/cobra"
	_ "gopkg.in/yaml.v3"
	_ "helm.sh/helm/v3/pkg/action"
	_ "helm.sh/helm/v3/pkg/chart/loader"
	_ "k8s.io/client-go/kubernetes"
	_ "k8s.io/client-go/tools/clientcmd"
	_ "k8s.io/pod-security-admission/policy"
	_ "sigs.k8s.io/cli-utils/pkg/kstatus/status"
	_ "sigs.k8s.io/kustomize/api/filters/patchjson6902"
	_ "sigs.k8s.io/kustomize/api/filters/patchstrategicmerge"
	_ "sigs.k8s.io/kustomize/api/krusty"
	_ "sigs.k8s.io/kustomize/kyaml/filesys"
	_ "sigs.k8s.io/kustomize/kyaml/yaml"
	_ "sigs.k8s.io/kustomize/kyaml/yaml/merge2"
	_ "sigs.k8s.io/yaml"
)
