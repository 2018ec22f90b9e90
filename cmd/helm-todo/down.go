package main

import (
	"errors"
	"io"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/settings"
)

// TODO(owner of this command): replace this stub.
func newDownCmd(s *settings.Settings, out io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "down",
		Short: "Uninstall the release and what up created",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("down: not implemented yet")
		},
	}
}
