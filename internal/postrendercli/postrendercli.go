// Package postrendercli is the post-renderer's command line, shared by the
// two binaries that serve it: helm-todo (its post-render subcommand and the
// bare call Helm 3 makes) and helm-todo-postrender, the small binary Helm
// actually runs. The small one exists for memory: helm-todo links the Helm
// SDK, client-go and BuildKit and sits at ~46 MB resident before reading a
// byte, which leaves no room under the post-renderer's 64 MB budget.
//
// Everything both binaries must agree on (flags, help, the mapping of errors
// to exit codes and fixes) lives here, so they cannot drift apart. This
// package must stay light: it may import postrender, clierr, cobra and
// pflag, never the Helm SDK or client-go.
package postrendercli

import (
	"errors"
	"io"
	"io/fs"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/postrender"
	"github.com/helm-todo/helm-todo/postrender/policy"
)

// Long is the post-renderer's help text.
const Long = `Read a manifest stream on stdin, harden it and write it to stdout: pod and
container security contexts (with emptyDir mounts where the root filesystem
becomes read-only), probes, and secret references, each only where the chart
left it out. A value the chart set wins and is reported on stderr.

Helm runs it as a post-renderer:
  Helm 3: helm install --post-renderer helm-todo [--post-renderer-args --config --post-renderer-args FILE] ...
  Helm 4: helm install --post-renderer helm-todo ...   (the postrenderer plugin; see install-postrenderer)

Helm 4 hides a post-renderer's error output: run "helm todo render" with the
same chart and values to see it.`

// Example shows the post-renderer outside Helm.
const Example = `  helm template my-release ./chart | helm-todo post-render
  helm template my-release ./chart | helm-todo post-render --config policy.yaml`

// FixRender is the last part of every post-render error: under Helm 4 the
// user never sees this stderr, so point at the command that shows it.
const FixRender = "fix the document or policy field named above; run `helm todo render` to see this error when Helm hides it"

// Options are the post-renderer's flags.
type Options struct {
	ConfigPath string
}

// AddFlags registers the flags on f. Both the post-render subcommand and a
// bare root command take them: Helm 3 passes --post-renderer-args to the
// binary with no subcommand.
func (o *Options) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&o.ConfigPath, "config", "", "post-renderer policy file (default: the embedded policy for the todo chart)")
}

// NewCommand is the `post-render` subcommand.
func NewCommand(in io.Reader, out, errOut io.Writer) *cobra.Command {
	var o Options
	cmd := &cobra.Command{
		Use:     "post-render",
		Short:   "Harden a manifest stream from stdin to stdout",
		Long:    Long,
		Example: Example,
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if isTerminal(in) {
				return clierr.Usagef("pipe manifests in, e.g. `helm template ./chart | helm todo post-render`", "post-render reads manifests from stdin, which is a terminal")
			}
			return Run(o, in, out, errOut)
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

// Run post-renders in to out. It writes nothing to out unless the whole
// stream succeeded. Notices go to errOut; none of them holds a value from
// the manifests. A bad document or policy is a usage error (exit 2).
func Run(o Options, in io.Reader, out, errOut io.Writer) error {
	p := policy.Default()
	if o.ConfigPath != "" {
		var err error
		if p, err = policy.Load(o.ConfigPath); err != nil {
			return clierr.Usage("post-render --config", policyFix(err), err)
		}
	}
	err := postrender.Run(in, out, p, errOut)
	var docErr *postrender.DocError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &docErr):
		return clierr.Usage("post-render", FixRender, err)
	default:
		return clierr.New("post-render", FixRender, err)
	}
}

// RunOrHelp is the RunE of a root command that Helm 3 runs bare as the
// post-renderer (manifests on stdin, --post-renderer-args as its flags): it
// post-renders, and a person at a terminal gets the command's help instead.
// o is read when the command runs, after its flags are parsed.
func RunOrHelp(o *Options, in io.Reader, out, errOut io.Writer) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		if isTerminal(in) {
			return cmd.Help()
		}
		return Run(*o, in, out, errOut)
	}
}

// isTerminal says whether r is a terminal: Helm pipes manifests in, a
// person at a prompt gets help instead of a silent wait for stdin.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// policyFix fits the fix to why --config could not be used: a file that
// cannot be read has no field to fix.
func policyFix(err error) string {
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "check the --config path, or drop --config to use the embedded default policy"
	case errors.As(err, &pe):
		return "--config must name a readable policy file, or drop --config to use the embedded default policy"
	}
	return "fix the policy field named above (the embedded default is postrender/policy/default.yaml; docs/post-renderer.md explains each field)"
}
