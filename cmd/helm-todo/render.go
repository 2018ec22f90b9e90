package main

import (
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/chart"
	"github.com/helm-todo/helm-todo/internal/render"
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

func newRenderCmd(s *settings.Settings, out io.Writer) *cobra.Command {
	var a render.Action
	cmd := &cobra.Command{
		Use:   "render",
		Short: "Print the hardened manifests without a cluster",
		Long:  renderLong,
		Example: `  helm todo render
  helm todo render -f my-values.yaml --set backend.replicaCount=2
  helm todo render --chart ./other-chart --config policy.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a.Settings, a.Out, a.ErrOut = s, out, cmd.ErrOrStderr()
			a.ReleaseSet, a.NamespaceSet = cmd.Flags().Changed("release"), cmd.Flags().Changed("namespace")
			a.Dir, _ = os.Getwd()
			_, err := a.Run(cmd.Context())
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&a.ChartDir, "chart", "", "chart directory (default: the plugin's charts/todo-app)")
	f.StringVar(&a.Release, "release", chart.DefaultReleaseName, "release name")
	f.StringArrayVarP(&a.ValuesFiles, "values", "f", nil, "values file (repeatable, later wins)")
	f.StringArrayVar(&a.Set, "set", nil, "set a value, key=value (repeatable)")
	f.StringVar(&a.ConfigPath, "config", "", "post-renderer policy file (default: the embedded policy)")
	f.StringVar(&a.KubeVersion, "kube-version", "", "Kubernetes version for .Capabilities, e.g. v1.33.0")
	return cmd
}
