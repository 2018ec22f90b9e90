package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/dynamic"

	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/deploy"
	"github.com/helm-todo/helm-todo/internal/down"
	"github.com/helm-todo/helm-todo/internal/kubeclient"
	"github.com/helm-todo/helm-todo/internal/project"
	"github.com/helm-todo/helm-todo/internal/settings"
	"github.com/helm-todo/helm-todo/internal/validate"
)

const downLong = `Undo "helm todo up": uninstall the release, delete the Secret up wrote
(<release>-secrets, only when helm-todo manages it) and the objects Helm
leaves behind (a failed migration Job and its pods, hook Secrets and
ConfigMaps), and with --delete-namespace the namespace too: only a namespace
up created (label app.kubernetes.io/created-by=helm-todo) that holds nothing
but the release's objects and helm-todo's. Otherwise down refuses before
removing anything, and names what else is there.

Nothing installed is not an error: down says there is nothing to do and
exits 0, so running it twice is fine. PersistentVolumeClaims of the
in-cluster PostgreSQL are kept unless the namespace is deleted.`

type downOptions struct {
	release         string
	deleteNamespace bool
	dryRun          bool
	timeout         time.Duration
}

func newDownCmd(s *settings.Settings, out io.Writer) *cobra.Command {
	var o downOptions
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Uninstall the release and what up created",
		Long:  downLong,
		Example: `  helm todo down                        # uninstall, remove up's Secret and hook leftovers
  helm todo down --delete-namespace     # and the namespace (and its volumes)
  helm todo down --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDown(cmd.Context(), s, o, cmd.Flags().Changed("namespace"), out)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.release, "release", "", "release name (default from helm-todo.yaml, else todo)")
	f.BoolVar(&o.deleteNamespace, "delete-namespace", false, "delete the namespace as well")
	f.BoolVar(&o.dryRun, "dry-run", false, "print what would be removed, remove nothing")
	f.DurationVar(&o.timeout, "timeout", 5*time.Minute, "how long helm uninstall waits, and then the namespace deletion")
	return cmd
}

func runDown(ctx context.Context, s *settings.Settings, o downOptions, nsFlag bool, out io.Writer) error {
	// down must work from anywhere, even where up's project would not
	// resolve: the defaults name the same release.
	p := project.Defaults()
	if wd, err := os.Getwd(); err == nil {
		if loaded, err := project.Load(wd, s.ResolvePluginDir()); err == nil {
			p = loaded
		}
	}
	if err := validate.Names(p.ReleaseOr(o.release), p.NamespaceOr(s.Namespace, nsFlag)); err != nil {
		return err
	}
	if err := validate.Timeout(o.timeout); err != nil {
		return err
	}
	a := &down.Action{
		Options: down.Options{
			Deploy: deploy.Options{HelmBin: s.HelmBin, Release: p.ReleaseOr(o.release), Namespace: p.NamespaceOr(s.Namespace, nsFlag),
				KubeContext: s.KubeContext, KubeConfig: s.KubeConfig, Timeout: o.timeout},
			Client:          kubeclient.Lazy(s),
			Dynamic:         func() (dynamic.Interface, error) { return kubeclient.NewDynamic(s) },
			Runner:          command.Exec{},
			DeleteNamespace: o.deleteNamespace,
		},
		DryRun: o.dryRun, Out: out,
	}
	res, err := a.Run(ctx)
	if err == nil && res.Summary() != "" {
		fmt.Fprintln(out, res.Summary())
	}
	return err
}
