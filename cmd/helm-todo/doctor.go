package main

import (
	"errors"
	"io"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/settings"
)

// TODO(owner of this command): replace this stub.
func newDoctorCmd(s *settings.Settings, out io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "doctor",
		Short: "Check tools, cluster, secrets and config",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("doctor: not implemented yet")
		},
	}
}
