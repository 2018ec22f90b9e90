package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/cluster"
	"github.com/helm-todo/helm-todo/internal/delivery"
	"github.com/helm-todo/helm-todo/internal/settings"
)

var loadLong = `Get the built images into the cluster of the current kube-context.

The cluster is detected from the kubeconfig, as Skaffold does:
` + kindTable() + `A cluster that publishes its registry (KEP-1755: the ConfigMap
kube-public/local-registry-hosting, as kind, k3d and ctlptl set-ups do) gets
the images pushed to that registry's host, and the chart names them by the
host its nodes pull from. --registry or --cluster beat it.
Anything else needs --registry: the images are tagged and pushed there.
Images built by podman or buildah travel as a docker-archive file
(minikube image load FILE, kind load image-archive, k3d image import FILE).

A load is skipped when the cluster already has the tag. The tags are the
content hashes ` + "`helm todo build`" + ` gives, so build first.`

// kindTable is one row per cluster kind: how it is detected, what loads.
func kindTable() string {
	var b strings.Builder
	for _, k := range cluster.Kinds() {
		detected, loads := k.Help()
		fmt.Fprintf(&b, "  %-15s %-40s %s\n", k.Name(), detected, loads)
	}
	return b.String()
}

func newLoadCmd(s *settings.Settings, out io.Writer) *cobra.Command {
	var o imageOptions
	cmd := &cobra.Command{
		Use:   "load",
		Short: "Load the built images into the cluster (or push them to --registry)",
		Long:  loadLong,
		Example: `  helm todo load                        # into the cluster of the current kube-context
  helm todo load --cluster kind:dev     # a named kind cluster
  helm todo load --registry registry.example.com/me   # push instead of load
  helm todo load --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, err := o.bind(s, out)
			if err != nil {
				return err
			}
			return printLines(out)((&delivery.Load{Options: opts}).Run(cmd.Context()))
		},
	}
	o.addBuilderFlags(cmd.Flags())
	o.addLoadFlags(cmd.Flags())
	return cmd
}
