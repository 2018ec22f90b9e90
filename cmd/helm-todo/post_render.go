package main

import (
	"context"
	"errors"
	"io"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/settings"
	"github.com/helm-todo/helm-todo/postrender"
	"github.com/helm-todo/helm-todo/postrender/policy"
)

const postRenderLong = `Read a manifest stream on stdin, harden it and write it to stdout: pod and
container security contexts (with emptyDir mounts where the root filesystem
becomes read-only), probes, and secret references, each only where the chart
left it out. A value the chart set wins and is reported on stderr.

Helm runs it as a post-renderer:
  Helm 3: helm install --post-renderer helm-todo [--post-renderer-args --config --post-renderer-args FILE] ...
  Helm 4: helm install --post-renderer helm-todo ...   (the postrenderer plugin; see install-postrenderer)

Helm 4 hides a post-renderer's error output: run "helm todo render" with the
same chart and values to see it.`

// fixRender is the last part of every post-render error: under Helm 4 the
// user never sees this stderr, so point at the command that shows it.
const fixRender = "fix the document or policy field named above; run `helm todo render` to see this error when Helm hides it"

type postRenderOptions struct {
	configPath string
}

// addPostRenderFlags is shared with the root command, which post-renders
// when Helm 3 runs the binary with no subcommand.
func addPostRenderFlags(f *pflag.FlagSet, o *postRenderOptions) {
	f.StringVar(&o.configPath, "config", "", "post-renderer policy file (default: the embedded policy for the todo chart)")
}

func newPostRenderCmd(s *settings.Settings, in io.Reader, out, errOut io.Writer) *cobra.Command {
	var o postRenderOptions
	cmd := &cobra.Command{
		Use:   "post-render",
		Short: "Harden a manifest stream from stdin to stdout",
		Long:  postRenderLong,
		Example: `  helm template my-release ./chart | helm-todo post-render
  helm template my-release ./chart | helm-todo post-render --config policy.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if isTerminal(in) {
				return clierr.Usagef("pipe manifests in, e.g. `helm template ./chart | helm todo post-render`", "post-render reads manifests from stdin, which is a terminal")
			}
			return runPostRender(cmd.Context(), s, o, in, out, errOut)
		},
	}
	addPostRenderFlags(cmd.Flags(), &o)
	return cmd
}

// runPostRender writes nothing to out unless the whole stream succeeded.
// Notices go to errOut; none of them holds a value from the manifests.
func runPostRender(_ context.Context, _ *settings.Settings, o postRenderOptions, in io.Reader, out, errOut io.Writer) error {
	p := policy.Default()
	if o.configPath != "" {
		var err error
		if p, err = policy.Load(o.configPath); err != nil {
			return clierr.Usage("post-render --config", "fix the policy field named above (the embedded default is in the README's Post-renderer section)", err)
		}
	}
	err := postrender.Run(in, out, p, errOut)
	var docErr *postrender.DocError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &docErr):
		return clierr.Usage("post-render", fixRender, err)
	default:
		return clierr.New("post-render", fixRender, err)
	}
}
