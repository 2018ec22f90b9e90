package main

import (
	"errors"
	"io"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/settings"
)

// TODO(owner of this command): replace this stub.
func newRenderCmd(s *settings.Settings, out io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "render",
		Short: "Print the hardened manifests without a cluster",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("render: not implemented yet")
		},
	}
}
