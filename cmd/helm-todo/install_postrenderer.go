package main

import (
	"errors"
	"io"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/settings"
)

// TODO(owner of this command): replace this stub.
func newInstallPostRendererCmd(s *settings.Settings, out io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "install-postrenderer",
		Short: "Make --post-renderer helm-todo resolve",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("install-postrenderer: not implemented yet")
		},
	}
}
