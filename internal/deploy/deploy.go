// Package deploy runs the user's own helm (3 or 4) to install or upgrade the
// todo chart through the helm-todo post-renderer, and reads back the state
// a release was left in.
package deploy

import (
	"os"
	"path/filepath"
	"time"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/helmbin"
)

// Image is a repository and tag the chart should run.
type Image struct {
	Repository string
	Tag        string
}

// Options are the inputs of one `helm upgrade --install`.
type Options struct {
	HelmBin     string
	Major       int // 3 or 4, from helmbin.Major
	Release     string
	Namespace   string
	Chart       string // chart directory
	KubeContext string
	KubeConfig  string
	// Driver is Helm's release storage (HELM_DRIVER); "" is secrets.
	Driver string
	// ModeValues are the plugin's own values files for a mode (dev's short
	// probe periods), passed before ValuesFiles so that the user's win.
	ModeValues  []string
	ValuesFiles []string
	// Images by chart component: "backend", "frontend". A zero Image keeps
	// the chart's default.
	Images map[string]Image
	// ExistingSecret names the Secret up wrote; no secret value is passed
	// to helm, so none lands in release history.
	ExistingSecret string
	// InClusterDB deploys the chart's PostgreSQL (no DATABASE_URL given).
	InClusterDB bool
	// PostRenderer is what --post-renderer gets: a path on Helm 3, the
	// plugin name on Helm 4. Empty means none.
	PostRenderer string
	Timeout      time.Duration
	// Set and SetString hold extra --set / --set-string pairs (user flags,
	// fault annotations in tests).
	Set, SetString []string
	// MigrationHash is the backend's migration inputs hash, recorded in the
	// release (migration.inputsHash); "" sets nothing.
	MigrationHash string
	// SkipMigration leaves the migration Job out (migration.skipForTag,
	// bound to the backend tag): the deployed release recorded the same
	// MigrationHash. Without a backend tag it does nothing.
	SkipMigration bool
	// Env is extra KEY=VALUE for helm upgrade (Helm 4: HELM_PLUGINS with
	// the directory holding the post-renderer plugin).
	Env []string
}

// PostRendererFor returns the --post-renderer argument for a Helm major:
// Helm 4 only resolves a postrenderer/v1 plugin by name; Helm 3
// runs a path (exec.LookPath), and an absolute one needs no PATH setup, so
// it gets binary, the post-renderer executable, made absolute.
func PostRendererFor(major int, pluginName, binary string) (string, error) {
	if major >= 4 {
		return pluginName, nil
	}
	abs, err := filepath.Abs(binary)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(abs); err != nil {
		return "", clierr.New("find the post-renderer binary", "reinstall the plugin (its hook installs it) or run `make build` in the plugin directory", err)
	}
	return abs, nil
}

// Args is the helm command line, without the program name.
func (o Options) Args() []string {
	args := []string{"upgrade", "--install", o.Release, o.Chart,
		"--namespace", o.Namespace, "--create-namespace",
		"--wait", "--timeout", o.timeout().String(), helmbin.AtomicFlag(o.Major),
		// The release as JSON, hooks' last runs included: the report needs
		// no second `helm status` (one Helm start-up and release read less).
		"--output", "json"}
	args = append(args, o.connArgs()...)
	if o.PostRenderer != "" {
		args = append(args, "--post-renderer", o.PostRenderer)
	}
	for _, f := range append(append([]string{}, o.ModeValues...), o.ValuesFiles...) {
		args = append(args, "--values", f)
	}
	if o.ExistingSecret != "" {
		args = append(args, "--set-string", "secrets.existingSecret="+o.ExistingSecret)
	}
	if o.InClusterDB {
		args = append(args, "--set", "database.external=false")
	}
	for _, comp := range []string{"backend", "frontend"} {
		img, ok := o.Images[comp]
		if !ok {
			continue
		}
		if img.Repository != "" {
			args = append(args, "--set-string", comp+".image.repository="+img.Repository)
		}
		// --set-string: a hex tag like 1234e5 must not become a number.
		if img.Tag != "" {
			args = append(args, "--set-string", comp+".image.tag="+img.Tag)
		}
	}
	// --set-string: an all-digit hash must stay a string.
	if o.MigrationHash != "" {
		args = append(args, "--set-string", "migration.inputsHash="+o.MigrationHash)
	}
	if tag := o.Images["backend"].Tag; o.SkipMigration && tag != "" {
		args = append(args, "--set-string", "migration.skipForTag="+tag)
	}
	for _, s := range o.Set {
		args = append(args, "--set", s)
	}
	for _, s := range o.SetString {
		args = append(args, "--set-string", s)
	}
	return args
}

func (o Options) connArgs() []string {
	var a []string
	if o.KubeContext != "" {
		a = append(a, "--kube-context", o.KubeContext)
	}
	if o.KubeConfig != "" {
		a = append(a, "--kubeconfig", o.KubeConfig)
	}
	return a
}

func (o Options) timeout() time.Duration {
	if o.Timeout <= 0 {
		return 5 * time.Minute
	}
	return o.Timeout
}
