package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/project"
	"github.com/helm-todo/helm-todo/internal/settings"
	"github.com/helm-todo/helm-todo/internal/starter"
)

func newInitCmd(_ *settings.Settings, out io.Writer) *cobra.Command {
	var (
		dir         string
		force, show bool
	)
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a commented starter helm-todo.yaml",
		Long: `Write a commented starter helm-todo.yaml into the current directory (or --dir),
listing every field with its default. The build contexts that exist there
(phase-3/backend, backend/, ...) are filled in, and .env (where up reads the
secrets from) is added to .gitignore.`,
		Example: `  helm todo init
  helm todo init --dir ~/src/todo --force
  helm todo init --print > helm-todo.yaml`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return runInit(dir, force, show, out) },
	}
	cmd.Flags().StringVar(&dir, "dir", "", "directory to write helm-todo.yaml into (default: the current directory)")
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing helm-todo.yaml")
	cmd.Flags().BoolVar(&show, "print", false, "print the starter to stdout instead of writing it")
	return cmd
}

func runInit(dir string, force, show bool, out io.Writer) error {
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		dir = wd
	}
	if show {
		_, err := io.WriteString(out, starter.Text(dir))
		return err
	}
	r, err := starter.Init{Dir: dir, Force: force}.Run()
	if r != nil {
		fmt.Fprintf(out, "wrote %s; edit it, then run `helm todo up`\n", r.Path)
	}
	if err == nil && r.Gitignore != "" {
		fmt.Fprintf(out, "added %s to %s so the secrets `up` reads stay out of git\n", project.DefaultEnvFile, r.Gitignore)
	}
	return err
}
