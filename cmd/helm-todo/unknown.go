package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

// unknownCommand is the root's Args check: a word that is no command is a
// usage error (exit 2) with cobra's nearest commands as the fix.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	fix := "see helm todo --help for the commands"
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's own default, set only on its path
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		fix = "did you mean " + strings.Join(s, " or ") + "?"
	}
	return clierr.Usage(fmt.Sprintf("unknown command %q", args[0]), fix, nil)
}
