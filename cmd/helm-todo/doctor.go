package main

import (
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/cluster"
	"github.com/helm-todo/helm-todo/internal/doctor"
	"github.com/helm-todo/helm-todo/internal/settings"
	"github.com/helm-todo/helm-todo/internal/textwrap"
)

var doctorLong = `Check that "helm todo up" can work here, and print a checklist:

  builder              docker (daemon answering), podman or buildah
  cluster tool         minikube, kind or k3d for the detected cluster kind
  kube-context         ` + textwrap.Fill("a local cluster ("+strings.Join(cluster.Names(), ", ")+
	" or a loopback server); a remote one is a warning unless --allow-remote", 23, 80, strings.Repeat(" ", 23)) + `
  cluster              the API server answers
  helm                 Helm 3 or 4 (HELM_BIN / --helm-bin)
  secrets              the required keys, from --env-file and the environment
                       (names only, never values)
  next.js standalone   output: "standalone" in the frontend's next.config
  NEXT_PUBLIC_API_URL  a warning when it names *.svc.cluster.local, which a
                       browser cannot resolve

--skip-build checks for "helm todo up --skip-build": nothing is built or
loaded, so the builder and the cluster tool are skipped, not judged.

Exits non-zero when a required check fails; warnings and skips do not fail.`

func newDoctorCmd(s *settings.Settings, out io.Writer) *cobra.Command {
	var a doctor.Action
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check tools, cluster, secrets and config",
		Long:  doctorLong,
		Example: `  helm todo doctor
  helm todo doctor --env-file ../secrets.env
  helm todo doctor --kube-context my-remote --allow-remote
  helm todo doctor --skip-build         # for up --skip-build: no builder needed`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a.Settings, a.EnvFileSet = s, cmd.Flags().Changed("env-file")
			a.Dir, _ = os.Getwd()
			rep, err := a.Run(cmd.Context())
			doctor.Print(out, rep.Checks)
			return err
		},
	}
	cmd.Flags().StringVar(&a.EnvFile, "env-file", "", "secrets file in dotenv format (default: .env beside helm-todo.yaml)")
	cmd.Flags().BoolVar(&a.SkipBuild, "skip-build", false, "check for up --skip-build: skip the builder and cluster tool checks")
	cmd.Flags().BoolVar(&a.AllowRemote, "allow-remote", false, "accept a kube-context that is not a local cluster")
	return cmd
}
