package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/kubernetes"

	"github.com/helm-todo/helm-todo/internal/cluster"
	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/doctor"
	"github.com/helm-todo/helm-todo/internal/helmbin"
	"github.com/helm-todo/helm-todo/internal/image"
	"github.com/helm-todo/helm-todo/internal/kubeclient"
	"github.com/helm-todo/helm-todo/internal/postrendersetup"
	"github.com/helm-todo/helm-todo/internal/project"
	"github.com/helm-todo/helm-todo/internal/secrets"
	"github.com/helm-todo/helm-todo/internal/settings"
	"github.com/helm-todo/helm-todo/internal/version"
)

const doctorLong = `Check that "helm todo up" can work here, and print a checklist:

  builder              docker (daemon answering), podman or buildah
  cluster tool         minikube, kind or k3d for the detected cluster kind
  kube-context         a local cluster (minikube, kind, k3d, docker-desktop,
                       kwok or a loopback server); a remote one is a warning
                       unless --allow-remote
  cluster              the API server answers
  helm                 Helm 3 or 4 (HELM_BIN / --helm-bin)
  secrets              the required keys, from --env-file and the environment
                       (names only, never values)
  next.js standalone   output: "standalone" in the frontend's next.config
  NEXT_PUBLIC_API_URL  a warning when it names *.svc.cluster.local, which a
                       browser cannot resolve

Exits non-zero when a required check fails; warnings do not fail.`

type doctorOptions struct {
	envFile     string
	allowRemote bool
}

func newDoctorCmd(s *settings.Settings, out io.Writer) *cobra.Command {
	var o doctorOptions
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check tools, cluster, secrets and config",
		Long:  doctorLong,
		Example: `  helm todo doctor
  helm todo doctor --env-file ../secrets.env
  helm todo doctor --kube-context my-remote --allow-remote`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			checks := runDoctor(cmd.Context(), s, o, cmd.Flags().Changed("env-file"))
			doctor.Print(out, checks)
			return doctor.Result(checks)
		},
	}
	cmd.Flags().StringVar(&o.envFile, "env-file", "", "secrets file in dotenv format (default: .env beside helm-todo.yaml)")
	cmd.Flags().BoolVar(&o.allowRemote, "allow-remote", false, "accept a kube-context that is not a local cluster")
	return cmd
}

func runDoctor(ctx context.Context, s *settings.Settings, o doctorOptions, envExplicit bool) []doctor.Check {
	var checks []doctor.Check
	r := command.Exec{}
	wd, _ := os.Getwd()
	p, perr := project.Load(wd, s.ResolvePluginDir())

	checks = append(checks, doctor.Probe(ctx, "builder", "", func(ctx context.Context) (string, error) {
		b, why, err := image.Detect(ctx, r, image.Builder{Kind: image.Auto})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s (%s)", b.Kind, why), nil
	}))

	c, derr := cluster.Detect(s.KubeConfig, s.KubeContext)
	switch {
	case derr != nil:
		checks = append(checks, doctor.Check{Name: "kube-context", Level: doctor.Fail, Detail: derr.Error(), Fix: "start a local cluster or pass --kubeconfig/--kube-context"})
	default:
		checks = append(checks, clusterToolCheck(c), doctor.Context(string(c.Kind), c.Context, c.Server, o.allowRemote))
	}
	checks = append(checks, doctor.Probe(ctx, "cluster", "start the cluster (minikube start, ...) or check the kube-context", func(ctx context.Context) (string, error) {
		kc, err := kubeclient.New(s)
		if err != nil {
			return "", err
		}
		kc.Config.Timeout = 10 * time.Second
		cs, err := kubernetes.NewForConfig(kc.Config)
		if err != nil {
			return "", err
		}
		v, err := cs.Discovery().ServerVersion()
		if err != nil {
			return "", fmt.Errorf("%s does not answer: %w", kc.Server, err)
		}
		return fmt.Sprintf("Kubernetes %s at %s", v.GitVersion, kc.Server), nil
	}))
	checks = append(checks, doctor.Probe(ctx, "helm", "", func(ctx context.Context) (string, error) {
		res, err := r.Run(ctx, command.Cmd{Name: s.HelmBin, Args: []string{"version", "--template", "{{.Version}}"}})
		if err != nil {
			return "", err
		}
		major, err := helmbin.ParseMajor(string(res.Stdout))
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s %s (Helm %d)", s.HelmBin, strings.TrimSpace(string(res.Stdout)), major), nil
	}))

	prBin := postrendersetup.Binary(s.ResolvePluginDir())
	res, err := r.Run(ctx, command.Cmd{Name: prBin, Args: []string{"--version"}})
	checks = append(checks, doctor.PostRenderer(prBin, string(res.Stdout), err, version.Version))

	if perr != nil {
		checks = append(checks, doctor.Check{Name: "project", Level: doctor.Fail, Detail: perr.Error(), Fix: "fix helm-todo.yaml (helm todo init writes a starter)"})
		return checks
	}
	envFile, err := p.EnvFileOr(o.envFile)
	if err != nil {
		checks = append(checks, doctor.Check{Name: "secrets", Level: doctor.Fail, Detail: err.Error(), Fix: "pass the env file's full path"})
		return checks
	}
	checks = append(checks,
		doctor.Secrets(envFile, envExplicit, s.Getenv),
		doctor.Standalone(p.Frontend.Context),
		doctor.APIURL(apiURLSources(p, envFile, s.Getenv)),
	)
	return checks
}

func clusterToolCheck(c cluster.Cluster) doctor.Check {
	ch := doctor.Check{Name: "cluster tool"}
	switch tool, ok := doctor.ClusterTool[string(c.Kind)]; {
	case c.Kind == cluster.Kwok:
		ch.Level, ch.Detail = doctor.OK, "kwok: simulated cluster, no images to load"
	case ok:
		if path, err := exec.LookPath(tool); err == nil {
			ch.Level, ch.Detail = doctor.OK, fmt.Sprintf("%s for %s (%s)", tool, c, path)
		} else {
			ch.Level, ch.Detail, ch.Fix = doctor.Fail, tool+" not found on PATH, needed to load images into "+c.String(), "install "+tool
		}
	default:
		ch.Level, ch.Detail = doctor.Warn, fmt.Sprintf("no local-cluster clue in context %q: images must go through a registry", c.Context)
		ch.Fix = "pass --registry (or build.registry in helm-todo.yaml), or use minikube/kind/k3d"
	}
	return ch
}

// apiURLSources collects NEXT_PUBLIC_API_URL from everywhere a build could
// take it: helm-todo.yaml, the environment, the env file and the
// frontend's own .env files.
func apiURLSources(p *project.Project, envFile string, getenv func(string) string) map[string]string {
	const key = "NEXT_PUBLIC_API_URL"
	src := map[string]string{}
	if v := p.Frontend.BuildArgs[key]; v != "" {
		src["helm-todo.yaml"] = v
	}
	if v := getenv(key); v != "" {
		src["environment"] = v
	}
	files := []string{envFile}
	for _, n := range []string{".env", ".env.local", ".env.production", ".env.production.local"} {
		files = append(files, filepath.Join(p.Frontend.Context, n))
	}
	for _, f := range files {
		if vals, err := secrets.ParseFile(f); err == nil && vals[key] != "" {
			src[f] = vals[key]
		}
	}
	return src
}
