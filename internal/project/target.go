package project

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
