package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/settings"
)

const completionLong = `Print a script that makes "helm todo <TAB>" complete in your shell.

Users type "helm todo", never "helm-todo", so a script completing the
helm-todo binary would never run. Helm's own completion script completes
plugins too: for "helm todo <TAB>" it asks this plugin (plugin.complete) for
subcommands, flags, namespaces (-n) and releases (--release). The script
printed here loads Helm's, so either of these works:
  source <(helm completion bash)
  source <(helm todo completion bash)`

// completionLoaders is how each shell loads a completion script from a
// command's output: the lines Helm's own "helm completion SHELL" documents.
var completionLoaders = map[string]string{
	"bash":       "source <(%s completion bash)",
	"zsh":        "source <(%s completion zsh)",
	"fish":       "%s completion fish | source",
	"powershell": "& %s completion powershell | Out-String | Invoke-Expression",
}

// newCompletionCmd replaces cobra's completion command, whose script
// completes the helm-todo binary, with one that loads Helm's.
func newCompletionCmd(s *settings.Settings, out io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:       "completion bash|zsh|fish|powershell",
		Short:     "Shell completion for helm todo (it loads Helm's, which completes plugins)",
		Long:      completionLong,
		Example:   "  source <(helm todo completion bash)        # in ~/.bashrc\n  helm todo completion fish | source",
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 || completionLoaders[args[0]] == "" {
				return clierr.Usagef("name one shell: helm todo completion bash, zsh, fish or powershell", "completion: want one shell, got %q", strings.Join(args, " "))
			}
			fmt.Fprintf(out, "# helm todo completes through Helm's own completion, which asks the\n# plugin (plugin.complete); this loads it.\n"+completionLoaders[args[0]]+"\n", shellQuote(s.HelmBin))
			return nil
		},
	}
}

// shellQuote quotes p for bash, zsh, fish and PowerShell alike when it
// needs quoting (HELM_BIN is an absolute path, maybe with spaces).
func shellQuote(p string) string {
	if p != "" && strings.Trim(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-") == "" {
		return p
	}
	return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
}
