package main

import (
	"errors"
	"io"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/settings"
)

// TODO(owner of this command): replace this stub.
func newLoadCmd(s *settings.Settings, out io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "load",
		Short: "Load the images into the cluster",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("load: not implemented yet")
		},
	}
}
