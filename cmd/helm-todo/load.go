package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/delivery"
	"github.com/helm-todo/helm-todo/internal/settings"
)

const loadLong = `Get the built images into the cluster of the current kube-context.

The cluster is detected from the kubeconfig, as Skaffold does:
  minikube        context "minikube" or minikube's marks   minikube -p PROFILE image load
  kind            context kind-NAME                        kind load docker-image --name NAME
  k3d             context k3d-NAME                         k3d image import -c NAME
  docker-desktop  context docker-desktop                   nothing: it shares docker's images
  kwok            context kwok-NAME                        nothing: kwok runs no containers
A cluster that publishes its registry (KEP-1755: the ConfigMap
kube-public/local-registry-hosting, as kind, k3d and ctlptl set-ups do) gets
the images pushed to that registry's host, and the chart names them by the
host its nodes pull from. --registry or --cluster beat it.
Anything else needs --registry: the images are tagged and pushed there.
Images built by podman or buildah travel as a docker-archive file
(minikube image load FILE, kind load image-archive, k3d image import FILE).

A load is skipped when the cluster already has the tag. The tags are the
content hashes ` + "`helm todo build`" + ` gives, so build first.`

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
