// Package settings holds everything helm-todo reads from its environment.
//
// Helm hands a CLI plugin its context through HELM_* variables. They are read
// once, here, and every other package receives the resulting struct. A flag
// always beats its environment variable: AddFlags binds flags whose defaults
// come from the environment, so an explicit flag simply overwrites the field.
package settings

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// Settings is the environment helm-todo runs in.
type Settings struct {
	// HelmBin is the helm binary that invoked the plugin (HELM_BIN), or "helm".
	HelmBin string
	// Namespace is the target namespace (HELM_NAMESPACE), empty when unset.
	Namespace string
	// KubeContext is the kube-context to use (HELM_KUBECONTEXT), empty for current.
	KubeContext string
	// KubeConfig is the kubeconfig path (KUBECONFIG), empty for the default.
	KubeConfig string
	// Debug turns on verbose output (HELM_DEBUG). It never reveals secret values.
	Debug bool
	// PluginDir is where the plugin is installed (HELM_PLUGIN_DIR). Outside
	// Helm it is derived from the executable's location, see ResolvePluginDir.
	PluginDir string

	// HelmDataHome and HelmPlugins are where Helm keeps plugins
	// (HELM_DATA_HOME) and the path list it loads them from (HELM_PLUGINS),
	// as Helm hands them to a plugin; empty outside Helm.
	HelmDataHome, HelmPlugins string

	// Builder is the image builder (HELM_TODO_BUILDER); the --builder flag
	// beats it.
	Builder string
	// BuilderArgs and BuilderGlobalArgs are extra builder arguments
	// (HELM_TODO_BUILDER_ARGS, HELM_TODO_BUILDER_GLOBAL_ARGS, space-separated);
	// --builder-arg and --builder-global-arg beat them.
	BuilderArgs, BuilderGlobalArgs []string
	// KindProvider is kind's node provider (KIND_EXPERIMENTAL_PROVIDER):
	// "podman" runs kind's nodes, and so `crictl` checks, in podman.
	KindProvider string
	// HelmDriver is Helm's release storage (HELM_DRIVER); "" is secrets.
	HelmDriver string
	// Path is PATH, to check that an installed binary is reachable.
	Path string
	// Getenv looks up the variables whose names are data, not settings: the
	// app's secret keys and NEXT_PUBLIC_* build args.
	Getenv func(string) string
}

// FromEnv reads the settings from getenv (os.Getenv in production).
func FromEnv(getenv func(string) string) *Settings {
	s := &Settings{
		HelmBin:     getenv("HELM_BIN"),
		Namespace:   getenv("HELM_NAMESPACE"),
		KubeContext: getenv("HELM_KUBECONTEXT"),
		KubeConfig:  getenv("KUBECONFIG"),
		PluginDir:   getenv("HELM_PLUGIN_DIR"),

		HelmDataHome: getenv("HELM_DATA_HOME"),
		HelmPlugins:  getenv("HELM_PLUGINS"),

		Builder:           getenv("HELM_TODO_BUILDER"),
		BuilderArgs:       fields(getenv("HELM_TODO_BUILDER_ARGS")),
		BuilderGlobalArgs: fields(getenv("HELM_TODO_BUILDER_GLOBAL_ARGS")),
		KindProvider:      getenv("KIND_EXPERIMENTAL_PROVIDER"),
		HelmDriver:        getenv("HELM_DRIVER"),
		Path:              getenv("PATH"),
		Getenv:            getenv,
	}
	if s.HelmBin == "" {
		s.HelmBin = "helm"
	}
	s.Debug, _ = strconv.ParseBool(getenv("HELM_DEBUG"))
	return s
}

// fields splits a space-separated list; an unset variable gives nil.
func fields(v string) []string {
	if f := strings.Fields(v); len(f) > 0 {
		return f
	}
	return nil
}

// New reads the settings from the process environment.
func New() *Settings { return FromEnv(os.Getenv) }

// AddFlags binds the global flags. Their defaults are the environment values
// already in s, so a flag given on the command line wins.
func (s *Settings) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&s.HelmBin, "helm-bin", s.HelmBin, "helm binary to run (env HELM_BIN)")
	fs.StringVarP(&s.Namespace, "namespace", "n", s.Namespace, "namespace to deploy into (env HELM_NAMESPACE)")
	fs.StringVar(&s.KubeContext, "kube-context", s.KubeContext, "kube-context to use (env HELM_KUBECONTEXT)")
	fs.StringVar(&s.KubeConfig, "kubeconfig", s.KubeConfig, "kubeconfig file (env KUBECONFIG)")
	fs.BoolVar(&s.Debug, "debug", s.Debug, "verbose output; secret values are never printed (env HELM_DEBUG)")
}

// ResolvePluginDir returns the plugin's root directory: HELM_PLUGIN_DIR when
// Helm set it, else the parent of the directory holding the executable
// (the binary is installed as <plugin>/bin/helm-todo).
func (s *Settings) ResolvePluginDir() string {
	if s.PluginDir != "" {
		return s.PluginDir
	}
	exe, err := os.Executable()
	if err != nil {
		return "."
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	return filepath.Dir(filepath.Dir(exe))
}
