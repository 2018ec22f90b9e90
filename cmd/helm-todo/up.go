package main

import (
	"errors"
	"io"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/settings"
)

// TODO(owner of this command): replace this stub.
func newUpCmd(s *settings.Settings, out io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "up",
		Short: "Build, load, deploy and wait: the app from source to running",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("up: not implemented yet")
		},
	}
}
