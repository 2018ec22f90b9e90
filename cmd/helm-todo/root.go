package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/postrendercli"
	"github.com/helm-todo/helm-todo/internal/settings"
	"github.com/helm-todo/helm-todo/internal/version"
)

const rootLong = `helm-todo runs the Todo chatbot on a local Kubernetes cluster with one
command, and hardens what it deploys: every pod non-root and probed, with no
secret in plain text.

As a Helm plugin it is "helm todo <command>". As a post-renderer it hardens
any chart: "helm install --post-renderer helm-todo ...". Run with no command
and manifests on stdin, it post-renders them (that is how Helm 3 calls it).`

// newRootCmd builds the command tree. Each subcommand lives in its own file
// with a constructor taking the shared settings.
func newRootCmd(s *settings.Settings, in io.Reader, out, errOut io.Writer) *cobra.Command {
	var pr postrendercli.Options
	root := &cobra.Command{
		Use:           "helm-todo",
		Short:         "Run the Todo chatbot on local Kubernetes, hardened by default",
		Long:          rootLong,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          unknownCommand,
		Version:       version.Version,
		// Helm 3 runs the --post-renderer binary with no arguments and the
		// manifests on stdin; a person at a terminal gets help instead.
		RunE: postrendercli.RunOrHelp(&pr, in, out, errOut),
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetIn(in)
	root.SetOut(out)
	root.SetErr(errOut)
	root.SetFlagErrorFunc(flagError)
	s.AddFlags(root.PersistentFlags())
	// Helm 3 passes --post-renderer-args to the bare binary.
	pr.AddFlags(root.Flags())
	root.AddCommand(
		newVersionCmd(out),
		newInitCmd(s, out),
		newBuildCmd(s, out),
		newLoadCmd(s, out),
		newUpCmd(s, out),
		newDevCmd(s, out),
		newDownCmd(s, out),
		newRenderCmd(s, out),
		newDoctorCmd(s, out),
		postrendercli.NewCommand(in, out, errOut),
		newInstallPostRendererCmd(s, out),
		newCompletionCmd(s, out),
	)
	registerCompletions(root, s)
	return root
}

// flagError makes a flag cobra cannot parse a usage error (exit 2) with a fix.
func flagError(_ *cobra.Command, err error) error {
	return clierr.Usage("bad flag", "see --help for the flags", err)
}
