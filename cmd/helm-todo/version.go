package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/version"
)

func newVersionCmd(out io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the helm-todo version",
		Example: `  helm todo version`,
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(out, version.Version)
			return err
		},
	}
}
