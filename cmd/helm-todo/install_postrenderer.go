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
named helm-todo with "helm plugin install", of the todo plugin's version,
replacing one of another version. Helm 3 shares Helm 4's default plugin
directory and loads no plugin at all once a Helm 4 plugin manifest is there,
so when a Helm 3 on PATH scans that directory the plugin goes into
$HELM_DATA_HOME/helm-todo-helm4/plugins instead, and this prints the
HELM_PLUGINS setting that lets Helm 4 alone find it ("helm todo up" sets it
by itself).
A todo plugin installed from a release archive gets it from the same release
(the URL "make dist" recorded in it), verified against --keyring. --from
picks another source: a release URL, an oci:// repository or a directory. A
checkout installs its nested plugins/helm-todo-postrenderer directory.

Helm 3 looks the name up on PATH: this links the plugin's binary into
--bin-dir (default ~/.local/bin) and prints the PATH line to add when that
directory is not on PATH. "--post-renderer <absolute path to bin/helm-todo>"
works on Helm 3 with no setup at all.

Running it again changes nothing.`

type installPostRendererOptions struct {
	binDir, from, keyring string
	dryRun, verify, plain bool
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
  helm todo install-postrenderer --keyring ~/.gnupg/helm-todo.gpg
  helm todo install-postrenderer --from oci://ghcr.io/helm-todo --keyring ~/.gnupg/helm-todo.gpg
  helm install web ./chart --post-renderer helm-todo`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return postrendersetup.Run(cmd.Context(), postrendersetup.Options{
				HelmBin:    s.HelmBin,
				PluginDir:  s.ResolvePluginDir(),
				BinDir:     o.binDir,
				PathEnv:    s.Path,
				DataHome:   s.HelmDataHome,
				Plugins:    s.HelmPlugins,
				Runner:     command.Exec{},
				DryRun:     o.dryRun,
				Out:        out,
				From:       o.from,
				Keyring:    o.keyring,
				SkipVerify: !o.verify,
				PlainHTTP:  o.plain,
			})
		},
	}
	cmd.Flags().StringVar(&o.binDir, "bin-dir", "", "Helm 3: directory on PATH to link helm-todo into (default ~/.local/bin)")
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "print what would change, change nothing")
	cmd.Flags().StringVar(&o.from, "from", "", "Helm 4: release URL, oci:// repository or directory to install the post-renderer plugin from (default: the todo plugin's release, or its checkout)")
	cmd.Flags().StringVar(&o.keyring, "keyring", "", "Helm 4: public keyring that verifies the plugin (default: Helm's, ~/.gnupg/pubring.gpg)")
	cmd.Flags().BoolVar(&o.verify, "verify", true, "Helm 4: verify the plugin archive's signature")
	cmd.Flags().BoolVar(&o.plain, "plain-http", false, "Helm 4: plain HTTP to an oci:// registry")
	return cmd
}
