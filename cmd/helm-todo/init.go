package main

import (
	"errors"
	"io"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/settings"
)

// TODO(owner of this command): replace this stub.
func newInitCmd(s *settings.Settings, out io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Write a commented starter helm-todo.yaml",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("init: not implemented yet")
		},
	}
}
