// Package version carries the plugin's version. The build injects it from
// plugin.yaml (the one source of truth) with
// -ldflags "-X github.com/helm-todo/helm-todo/internal/version.Version=...".
package version

// Version is the helm-todo version; "dev" in a build without ldflags.
var Version = "dev"
