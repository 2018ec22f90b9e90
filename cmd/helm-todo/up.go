package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/kubernetes"

	"github.com/helm-todo/helm-todo/internal/cluster"
	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/deploy"
	"github.com/helm-todo/helm-todo/internal/helmbin"
	"github.com/helm-todo/helm-todo/internal/image"
	"github.com/helm-todo/helm-todo/internal/kubeclient"
	"github.com/helm-todo/helm-todo/internal/postrendersetup"
	"github.com/helm-todo/helm-todo/internal/project"
	"github.com/helm-todo/helm-todo/internal/secrets"
	"github.com/helm-todo/helm-todo/internal/settings"
	"github.com/helm-todo/helm-todo/internal/up"
	"github.com/helm-todo/helm-todo/internal/validate"
)

const upLong = `Build, load, deploy and wait: the app from source to running.

  build     the backend and frontend images, tagged by a hash of their inputs
            (skipped when the builder has the tag already)
  load      into the cluster of the kube-context (skipped when it has the tag)
  namespace created with Pod Security "restricted" enforced
  lease     one up at a time per namespace: a second one waits; a release an
            interrupted run left pending-* is rolled back first
  secrets   the Secret <release>-secrets, from --env-file and the environment
  deploy    $HELM_BIN upgrade --install of the plugin's chart through the
            helm-todo post-renderer, --wait, --atomic (Helm 3) or
            --rollback-on-failure (Helm 4)
  wait      every workload Current; a crash loop, an image that cannot be
            pulled or a failed migration stops the deploy early with the cause
  report    the frontend URL

Secrets: the env file (default .env beside helm-todo.yaml) wins; the
environment fills in the R6 keys it lacks (DATABASE_URL, OPENROUTER_API_KEY,
BETTER_AUTH_SECRET, VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY). All but DATABASE_URL
are required; without DATABASE_URL the chart's in-cluster PostgreSQL is used.
No secret value is passed to helm, so none lands in the release history, and
none is ever printed, --debug included.

--skip-build deploys without building or loading: the tags are
--backend-tag/--frontend-tag when given, else the content hashes a build
would produce. --dry-run prints every command and object, and does nothing.
Ctrl-C stops cleanly: helm rolls back, up says what state the release is
in, and exits 130. Names are checked before anything is touched: the release
as a DNS-1035 label of at most 53 characters, the namespace as a DNS-1123
label, the Secret at most 1 MiB.`

type upOptions struct {
	img          imageOptions
	envFile      string
	release      string
	skipBuild    bool
	backendTag   string
	frontendTag  string
	timeout      time.Duration
	valuesFiles  []string
	set          []string
	setString    []string
	namespaceSet func() bool
}

func newUpCmd(s *settings.Settings, out io.Writer) *cobra.Command {
	var o upOptions
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Build, load, deploy and wait: the app from source to running",
		Long:  upLong,
		Example: `  helm todo up                          # build, load, deploy, wait, print the URL
  helm todo up --env-file ../secrets.env -n todo-dev
  helm todo up --dry-run                # every command and object, secrets redacted
  helm todo up --skip-build --backend-tag 1a2b3c4d5e6f
  helm todo up -f values-dev.yaml --timeout 10m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.namespaceSet = func() bool { return cmd.Flags().Changed("namespace") }
			return runUp(cmd.Context(), s, &o, cmd.Flags().Changed("env-file"), out)
		},
	}
	f := cmd.Flags()
	o.img.addBuildFlags(f)
	o.img.addLoadFlags(f)
	f.StringVar(&o.envFile, "env-file", "", "secrets file in dotenv format (default: .env beside helm-todo.yaml)")
	f.StringVar(&o.release, "release", "", "release name (default from helm-todo.yaml, else todo)")
	f.BoolVar(&o.skipBuild, "skip-build", false, "deploy without building or loading images")
	f.StringVar(&o.backendTag, "backend-tag", "", "backend image tag to deploy with --skip-build")
	f.StringVar(&o.frontendTag, "frontend-tag", "", "frontend image tag to deploy with --skip-build")
	f.DurationVar(&o.timeout, "timeout", 5*time.Minute, "how long helm waits for the rollout")
	f.StringArrayVarP(&o.valuesFiles, "values", "f", nil, "extra chart values file, after helm-todo.yaml's (repeatable)")
	f.StringArrayVar(&o.set, "set", nil, "extra chart value key=value (repeatable; never put secrets here, use --env-file)")
	f.StringArrayVar(&o.setString, "set-string", nil, "extra chart STRING value key=value (repeatable)")
	return cmd
}

func runUp(ctx context.Context, s *settings.Settings, o *upOptions, envExplicit bool, out io.Writer) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	pluginDir := s.ResolvePluginDir()
	p, err := project.Load(wd, pluginDir)
	if err != nil {
		return err
	}
	release := p.ReleaseOr(o.release)
	ns := p.NamespaceOr(s.Namespace, o.namespaceSet())
	if err := validate.Names(release, ns); err != nil {
		return err
	}
	if err := validate.Timeout(o.timeout); err != nil {
		return err
	}
	envFile, err := p.EnvFileOr(o.envFile)
	if err != nil {
		return err
	}
	vals, err := secrets.Load(envFile, envExplicit || p.EnvFileSet, s.Getenv)
	if err != nil {
		return err
	}
	if vals.InClusterDB() {
		vals.GenerateIfAbsent(secrets.PostgresPassword)
	}

	var runner command.Runner = command.Exec{}
	if o.img.dryRun {
		runner = command.DryRun{Out: out}
	}
	// The major decides flags and the post-renderer; asking is read-only,
	// so it runs for --dry-run too.
	major, err := helmbin.Major(ctx, command.Exec{}, s.HelmBin)
	if err != nil {
		return err
	}
	postRenderer, err := deploy.PostRendererFor(major, postrendersetup.PluginName, postrendersetup.Binary(pluginDir))
	if err != nil {
		return err
	}

	d, clusterKind, clusterName, err := o.delivery(ctx, s, out)
	if err != nil {
		return err
	}
	images := map[string]deploy.Image{}
	for _, comp := range []string{"backend", "frontend"} {
		repo, tag, ok := d.Image(comp)
		if ok {
			images[comp] = deploy.Image{Repository: repo, Tag: tag}
		}
	}
	if o.backendTag != "" {
		images["backend"] = deploy.Image{Repository: images["backend"].Repository, Tag: o.backendTag}
	}
	if o.frontendTag != "" {
		images["frontend"] = deploy.Image{Repository: images["frontend"].Repository, Tag: o.frontendTag}
	}

	var helmOut io.Writer
	if s.Debug {
		helmOut = out
	}
	opts := up.Options{
		Deploy: deploy.Options{
			HelmBin: s.HelmBin, Major: major, Release: release, Namespace: ns,
			Chart:       filepath.Join(pluginDir, "charts", "todo-app"),
			KubeContext: s.KubeContext, KubeConfig: s.KubeConfig,
			ValuesFiles: append(append([]string{}, p.ValuesFiles...), o.valuesFiles...),
			Images:      images, ExistingSecret: secrets.Name(release), InClusterDB: vals.InClusterDB(),
			PostRenderer: postRenderer, Timeout: o.timeout, Set: o.set, SetString: o.setString,
		},
		Secrets:     vals,
		WaitTimeout: o.timeout,
		Client:      lazyClient(s),
		Runner:      runner,
		ClusterKind: clusterKind, ClusterName: clusterName,
		HelmOut: helmOut,
		MinikubeIP: func(ctx context.Context) (string, error) {
			res, err := command.Exec{}.Run(ctx, command.Cmd{Name: "minikube", Args: []string{"-p", clusterName, "ip"}})
			return string(res.Stdout), err
		},
	}
	if !o.skipBuild {
		opts.Delivery = d.Steps()
	}
	if major >= 4 {
		prOpts := postrendersetup.Options{HelmBin: s.HelmBin, PluginDir: pluginDir, Major: major, Runner: runner, Out: out}
		opts.PreparePostRenderer = func(ctx context.Context, out io.Writer) error {
			prOpts.Out = out
			return postrendersetup.Run(ctx, prOpts)
		}
		opts.PrepareLines = []string{
			s.HelmBin + " plugin list   # is the helm-todo post-renderer plugin installed?",
			s.HelmBin + " plugin install " + filepath.Join(pluginDir, "plugins", postrendersetup.PluginSubdir) + "   # only when it is not",
		}
	}
	pl, err := up.New(opts)
	if err != nil {
		return err
	}
	for _, l := range d.Advice() {
		fmt.Fprintln(out, l)
	}
	fmt.Fprintf(out, "helm: %s (Helm %d); cluster: %s\n", s.HelmBin, major, orUnknownCluster(clusterKind, clusterName))
	if o.img.dryRun {
		pl.Print(out)
		return nil
	}
	return up.Run(ctx, pl, opts, out)
}

func orUnknownCluster(kind, name string) string {
	if kind == "" {
		return "unknown"
	}
	if name == "" || name == kind {
		return kind
	}
	return kind + " " + name
}

// delivery plans the build and load steps, or with --skip-build only works
// out the image names and tags a build would give, without probing any
// builder.
func (o *upOptions) delivery(ctx context.Context, s *settings.Settings, out io.Writer) (*cluster.Delivery, string, string, error) {
	if o.skipBuild && o.img.builder == "" && s.Builder == "" {
		// Any explicit builder skips detection; none will run.
		o.img.builder = string(image.Docker)
	}
	d, _, err := o.img.plan(ctx, s, out, !o.skipBuild)
	if err != nil {
		return nil, "", "", err
	}
	c := d.Cluster
	if o.skipBuild {
		to := cluster.Options{Cluster: o.img.cluster, Registry: o.img.registry, KubeConfig: s.KubeConfig, KubeContext: s.KubeContext}
		if to.Registry == "" && to.Cluster == "" {
			if to.RegistryHosting, err = registryHosting(ctx, s); err != nil {
				return nil, "", "", err
			}
		}
		if t, err := cluster.Target(to); err == nil {
			c = t
		}
	}
	return d, string(c.Kind), c.Name, nil
}

// lazyClient connects on first use, so that --dry-run and refusals before
// deploying never need a cluster.
func lazyClient(s *settings.Settings) func() (kubernetes.Interface, error) {
	var cs kubernetes.Interface
	var err error
	done := false
	return func() (kubernetes.Interface, error) {
		if !done {
			done = true
			var c *kubeclient.Client
			if c, err = kubeclient.New(s); err == nil {
				cs = c.Clientset
			}
		}
		return cs, err
	}
}
