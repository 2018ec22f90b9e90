package main

import (
	"errors"
	"io"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/settings"
)

// TODO(owner of this command): replace this stub.
func newBuildCmd(s *settings.Settings, out io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "build",
		Short: "Build the backend and frontend images",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("build: not implemented yet")
		},
	}
}
