package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/project"
	"github.com/helm-todo/helm-todo/internal/secrets"
	"github.com/helm-todo/helm-todo/internal/settings"
)

// asUp makes render of the plugin's own chart show what up deploys: up's
// release and namespace (helm-todo.yaml, then flags), helm-todo.yaml's
// values files before --values, and the Secret up writes in place of the
// chart's own (which would carry a random BETTER_AUTH_SECRET up never
// deploys). It returns the namespace; --debug prints what it resolved.
func asUp(cmd *cobra.Command, s *settings.Settings, o *renderOptions, errOut io.Writer) string {
	p := project.Defaults()
	if wd, err := os.Getwd(); err == nil {
		if loaded, err := project.Load(wd, s.ResolvePluginDir()); err == nil {
			p = loaded
		}
	}
	if !cmd.Flags().Changed("release") {
		o.release = p.Release
	}
	ns := p.NamespaceOr(s.Namespace, cmd.Flags().Changed("namespace"))
	o.valuesFiles = append(append([]string{}, p.ValuesFiles...), o.valuesFiles...)
	o.set = append([]string{"secrets.existingSecret=" + secrets.Name(o.release)}, o.set...)
	if s.Debug {
		fmt.Fprintf(errOut, "debug: as up deploys it: release=%s namespace=%s values=[%s] set=[%s] config=%s\n",
			o.release, ns, strings.Join(o.valuesFiles, ","), strings.Join(o.set, ","), orNone(p.ConfigPath))
	}
	return ns
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
