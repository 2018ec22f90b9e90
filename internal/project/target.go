package project

import (
	"path/filepath"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

// ReleaseOr is the release to act on: the --release flag when given, else
// helm-todo.yaml's (which defaults to "todo").
func (p *Project) ReleaseOr(flag string) string {
	if flag != "" {
		return flag
	}
	return p.Release
}

// NamespaceOr is the namespace to act on: -n/HELM_NAMESPACE, else
// helm-todo.yaml's. Helm sets HELM_NAMESPACE=default for every plugin even
// when -n was not given, so "default" that did not come from our own flag
// means "not chosen".
func (p *Project) NamespaceOr(ns string, flagSet bool) string {
	if ns == "" || (ns == "default" && !flagSet) {
		return p.Namespace
	}
	return ns
}

// Defaults is the project of a directory without helm-todo.yaml: the
// release and namespace `up` would have used there.
func Defaults() *Project {
	return &Project{Release: DefaultRelease, Namespace: DefaultNamespace}
}

// EnvFileOr is the secrets file: --env-file, made absolute, when given,
// else the .env beside helm-todo.yaml.
func (p *Project) EnvFileOr(flag string) (string, error) {
	if flag == "" {
		return p.EnvFile, nil
	}
	abs, err := filepath.Abs(flag)
	if err != nil {
		return "", clierr.Usage("--env-file "+flag+": cannot make the path absolute", "pass the env file's full path", err)
	}
	return abs, nil
}
