package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/chart"
	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/postrendercli"
	"github.com/helm-todo/helm-todo/internal/settings"
)

const renderLong = `Render a chart with the Helm SDK and pass it through the helm-todo
post-renderer, printing the hardened manifests. No cluster is needed.

The stream holds the hooks too (the migration Job), as Helm 4 passes them
to a post-renderer; Helm 3 never post-renders hooks.

Helm 4 swallows a post-renderer's error output, so when
"helm install --post-renderer helm-todo" fails with only "exited with
error", run this with the same chart, values and --config to see the
real error.`

type renderOptions struct {
	chartDir    string
	release     string
	valuesFiles []string
	set         []string
	configPath  string
	kubeVersion string
}

func newRenderCmd(s *settings.Settings, out io.Writer) *cobra.Command {
	var o renderOptions
	cmd := &cobra.Command{
		Use:   "render",
		Short: "Print the hardened manifests without a cluster",
		Long:  renderLong,
		Example: `  helm todo render
  helm todo render -f my-values.yaml --set backend.replicaCount=2
  helm todo render --chart ./other-chart --config policy.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRender(cmd, s, o, out)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.chartDir, "chart", "", "chart directory (default: the plugin's charts/todo-app)")
	f.StringVar(&o.release, "release", chart.DefaultReleaseName, "release name")
	f.StringArrayVarP(&o.valuesFiles, "values", "f", nil, "values file (repeatable, later wins)")
	f.StringArrayVar(&o.set, "set", nil, "set a value, key=value (repeatable)")
	f.StringVar(&o.configPath, "config", "", "post-renderer policy file (default: the embedded policy)")
	f.StringVar(&o.kubeVersion, "kube-version", "", "Kubernetes version for .Capabilities, e.g. v1.33.0")
	return cmd
}

func runRender(cmd *cobra.Command, s *settings.Settings, o renderOptions, out io.Writer) error {
	errOut := cmd.ErrOrStderr()
	namespace := s.Namespace
	if namespace == "" {
		namespace = chart.DefaultNamespace
	}
	if o.chartDir == "" {
		o.chartDir = filepath.Join(s.ResolvePluginDir(), "charts", "todo-app")
		namespace = asUp(cmd, s, &o, errOut)
	}
	if s.Debug {
		// The settings as Helm handed them over (flags win over HELM_*), so
		// a user can see what the plugin resolved. None of them is secret.
		fmt.Fprintf(errOut, "debug: helm-bin=%s namespace=%s kube-context=%s kubeconfig=%s plugin-dir=%s chart=%s\n",
			s.HelmBin, namespace, s.KubeContext, s.KubeConfig, s.ResolvePluginDir(), o.chartDir)
	}
	rendered, err := chart.Render(chart.Options{
		ChartDir:    o.chartDir,
		ReleaseName: o.release,
		Namespace:   namespace,
		ValuesFiles: o.valuesFiles,
		Set:         o.set,
		KubeVersion: o.kubeVersion,
	})
	if err != nil {
		// The chart package's errors already name the chart and the fix.
		return clierr.Usage("", "", err)
	}
	stream := rendered.Stream()
	if strings.TrimSpace(stream) == "" {
		return clierr.Usagef("check the chart's templates and values", "chart %s rendered no manifests", o.chartDir)
	}
	// A failing post-render writes nothing to out (postrender.Run holds
	// its output until the whole stream succeeded): its error is all the
	// user sees, no half-hardened stream.
	pr := postrendercli.Options{ConfigPath: o.configPath}
	if err := postrendercli.Run(pr, strings.NewReader(stream), out, errOut); err != nil {
		return fmt.Errorf("post-render chart %s: %w", o.chartDir, err)
	}
	return nil
}
