package main

import (
	"context"
	"errors"
	"io"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/settings"
)

// TODO(owner of post-render): replace this stub.
type postRenderOptions struct {
	configPath string
}

func newPostRenderCmd(s *settings.Settings, in io.Reader, out, errOut io.Writer) *cobra.Command {
	var o postRenderOptions
	cmd := &cobra.Command{
		Use:   "post-render",
		Short: "Harden a manifest stream from stdin to stdout",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPostRender(cmd.Context(), s, o, in, out, errOut)
		},
	}
	cmd.Flags().StringVar(&o.configPath, "config", "", "policy file")
	return cmd
}

func runPostRender(ctx context.Context, s *settings.Settings, o postRenderOptions, in io.Reader, out, errOut io.Writer) error {
	return errors.New("post-render: not implemented yet")
}
