package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/postrendersetup"
	"github.com/helm-todo/helm-todo/internal/settings"
)

const installPostRendererLong = `Make "--post-renderer helm-todo" resolve for the helm that runs this plugin
(HELM_BIN, or --helm-bin).

Helm 4 looks the name up as a post-renderer plugin: this installs the plugin
named helm-todo at <plugin>/plugins/helm-todo-postrenderer with
"helm plugin install".

Helm 3 looks the name up on PATH: this links the plugin's binary into
--bin-dir (default ~/.local/bin) and prints the PATH line to add when that
directory is not on PATH. "--post-renderer <absolute path to bin/helm-todo>"
works on Helm 3 with no setup at all.

Running it again changes nothing.`

type installPostRendererOptions struct {
	binDir string
	dryRun bool
}

func newInstallPostRendererCmd(s *settings.Settings, out io.Writer) *cobra.Command {
	var o installPostRendererOptions
	cmd := &cobra.Command{
		Use:   "install-postrenderer",
		Short: "Make --post-renderer helm-todo resolve",
		Long:  installPostRendererLong,
		Example: `  helm todo install-postrenderer                 # for the helm that runs it (HELM_BIN)
  helm todo install-postrenderer --dry-run
  helm todo install-postrenderer --bin-dir ~/bin # Helm 3: link into another PATH directory
  helm install web ./chart --post-renderer helm-todo`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return postrendersetup.Run(cmd.Context(), postrendersetup.Options{
				HelmBin:   s.HelmBin,
				PluginDir: s.ResolvePluginDir(),
				BinDir:    o.binDir,
				PathEnv:   s.Path,
				Runner:    command.Exec{},
				DryRun:    o.dryRun,
				Out:       out,
			})
		},
	}
	cmd.Flags().StringVar(&o.binDir, "bin-dir", "", "Helm 3: directory on PATH to link helm-todo into (default ~/.local/bin)")
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "print what would change, change nothing")
	return cmd
}
