package main

import (
	"io"
	"testing"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/postrendercli/clitest"
	"github.com/helm-todo/helm-todo/internal/settings"
)

func TestPostRender(t *testing.T) {
	clitest.Check(t, func(in io.Reader, out, errOut io.Writer) *cobra.Command {
		return newRootCmd(settings.FromEnv(func(string) string { return "" }), in, out, errOut)
	})
}
