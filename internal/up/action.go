package up

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/cluster"
	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/delivery"
	"github.com/helm-todo/helm-todo/internal/deploy"
	"github.com/helm-todo/helm-todo/internal/helmbin"
	"github.com/helm-todo/helm-todo/internal/image"
	"github.com/helm-todo/helm-todo/internal/kubeclient"
	"github.com/helm-todo/helm-todo/internal/migration"
	"github.com/helm-todo/helm-todo/internal/plan"
	"github.com/helm-todo/helm-todo/internal/postrendersetup"
	"github.com/helm-todo/helm-todo/internal/project"
	"github.com/helm-todo/helm-todo/internal/secrets"
	"github.com/helm-todo/helm-todo/internal/validate"
)

// Action is `helm todo up`: options in, Result out (the Helm pkg/action
// shape). The CLI binds its flags here and prints the Result.
type Action struct {
	// Images are the build and load options; their Settings, Dir, Out,
	// DryRun, Probe and Runner serve the whole action.
	Images delivery.Options

	EnvFile      string
	EnvFileSet   bool // --env-file given: a missing file is an error
	Release      string
	NamespaceSet bool // -n given: beats helm-todo.yaml
	SkipBuild    bool
	BackendTag   string
	FrontendTag  string
	Timeout      time.Duration
	ValuesFiles  []string
	Set          []string
	SetString    []string
	// TakeOverPending recovers a release left pending-* by another client
	// (a plain helm that crashed), not only one an interrupted up left.
	TakeOverPending bool
	// Dev is `helm todo dev`'s up: probe periods as short as the API
	// allows (DevProbeValues), so each cycle's new pods are seen ready
	// within a second. Plain up keeps the chart's probes.
	Dev bool
	// LiveUpdate (helm todo dev) deploys the backend in the chart's
	// live-update mode when its Dockerfile allows; Result.Live says.
	LiveUpdate bool

	// Client connects lazily; nil connects to the kube-context on first use.
	Client func() (kubernetes.Interface, error)
	// KnownMajor answers helm's major without running it
	// (helmbin.FromBuildInfo); nil, or no answer, asks `helm version`
	// through Images.Probe.
	KnownMajor func(helmBin string) (int, bool)
}

// DevProbeValues is the chart's values file that dev passes (Dev).
const DevProbeValues = "values-dev-probes.yaml"

// Result is what up planned, and for a dry run all it did.
type Result struct {
	Plan    *plan.Plan
	Options Options
	DryRun  bool
	// Delivery holds the build steps (with their specs and tags) even with
	// SkipBuild, for `helm todo dev` to know what to watch.
	Delivery *delivery.Planned
	// Report is what the run did, step by step with times.
	Report plan.Report
	// Live is the live-update decision (with LiveUpdate).
	Live Live
}

// Run resolves the inputs, then prints the plan (DryRun) or runs it.
func (a *Action) Run(ctx context.Context) (*Result, error) {
	var sp *split
	if a.Images.Settings.Debug && !a.Images.DryRun {
		// a copy: dev runs the same Action again and again
		timed := *a
		sp, a = timed.timeWith(), &timed
	}
	o, d, err := a.options(ctx)
	if err != nil {
		return nil, err
	}
	lv := a.liveRule(d)
	if lv.Rule != nil {
		o.Deploy.Set = append(append([]string{}, o.Deploy.Set...), LiveValue)
	}
	pl, err := New(o)
	if err != nil {
		return nil, err
	}
	out, s := a.Images.Out, a.Images.Settings
	for _, l := range d.Advice() {
		fmt.Fprintln(out, l)
	}
	for _, n := range o.Secrets.Notices() {
		fmt.Fprintln(out, "notice:", n)
	}
	fmt.Fprintf(out, "helm: %s (Helm %d); cluster: %s\n", s.HelmBin, o.Deploy.Major, o.Cluster)
	r := &Result{Plan: pl, Options: o, DryRun: a.Images.DryRun, Delivery: d, Live: lv}
	if a.Images.DryRun {
		pl.Print(out)
		return r, nil
	}
	var resolved time.Duration
	if sp != nil {
		resolved = time.Since(sp.start)
	}
	r.Report, err = run(ctx, pl, o, out)
	if sp != nil && err == nil {
		sp.print(out, resolved, r.Report)
	}
	return r, err
}

// timeWith routes the action's processes and API requests through a
// split, for --debug.
func (a *Action) timeWith() *split {
	sp := newSplit()
	a.Images.Probe = sp.runner(a.probe())
	runner := a.Images.Runner
	if runner == nil {
		runner = command.Exec{}
	}
	a.Images.Runner = sp.runner(runner)
	if a.Client == nil {
		a.Client = kubeclient.LazyWrapped(a.Images.Settings, sp.wrap)
	}
	return sp
}

func (a *Action) probe() command.Runner {
	if a.Images.Probe == nil {
		return command.Exec{}
	}
	return a.Images.Probe
}

// options resolves flags, env, helm-todo.yaml and the helm binary into the
// plan's inputs.
func (a *Action) options(ctx context.Context) (Options, *delivery.Planned, error) {
	s := a.Images.Settings
	pluginDir := s.ResolvePluginDir()
	p, err := project.Load(a.Images.Dir, pluginDir)
	if err != nil {
		return Options{}, nil, err
	}
	// Names and timeout are checked before anything is asked or touched.
	release, ns := p.ReleaseOr(a.Release), p.NamespaceOr(s.Namespace, a.NamespaceSet)
	if err := validate.Names(release, ns); err != nil {
		return Options{}, nil, err
	}
	if err := validate.Timeout(a.Timeout); err != nil {
		return Options{}, nil, err
	}
	envFile, err := p.EnvFileOr(a.EnvFile)
	if err != nil {
		return Options{}, nil, err
	}
	vals, err := secrets.Load(envFile, a.EnvFileSet || p.EnvFileSet, s.Getenv)
	if err != nil {
		return Options{}, nil, err
	}
	if vals.InClusterDB() {
		vals.GenerateIfAbsent(secrets.PostgresPassword)
	}
	// The major decides flags and the post-renderer; asking is read-only,
	// so it runs for --dry-run too.
	major, err := a.major(ctx)
	if err != nil {
		return Options{}, nil, err
	}
	postRenderer, err := deploy.PostRendererFor(major, postrendersetup.PluginName, postrendersetup.Binary(pluginDir))
	if err != nil {
		return Options{}, nil, err
	}
	a.Images.Project = p
	d, c, err := a.delivery(ctx)
	if err != nil {
		return Options{}, nil, err
	}
	chart := filepath.Join(pluginDir, "charts", "todo-app")
	var modeValues []string
	if a.Dev {
		modeValues = []string{filepath.Join(chart, DevProbeValues)}
	}
	o := Options{
		Deploy: deploy.Options{
			HelmBin: s.HelmBin, Major: major, Release: release, Namespace: ns,
			Chart: chart, ModeValues: modeValues,
			KubeContext: s.KubeContext, KubeConfig: s.KubeConfig, Driver: s.HelmDriver,
			ValuesFiles: append(append([]string{}, p.ValuesFiles...), a.ValuesFiles...),
			Images:      a.images(d), ExistingSecret: secrets.Name(release), InClusterDB: vals.InClusterDB(),
			PostRenderer: postRenderer, Timeout: a.Timeout, Set: a.Set, SetString: a.SetString,
		},
		Secrets: vals, EnvFile: envFile, WaitTimeout: a.Timeout, Client: a.client(), Runner: d.Runner,
		Cluster: c, Probe: a.probe(), TakeOverPending: a.TakeOverPending,
	}
	if o.Migration, err = a.migrationInputs(p); err != nil {
		return Options{}, nil, err
	}
	o.Deploy.MigrationHash = o.Migration.Hash
	if a.Images.DryRun {
		o.MigrationLines = migrationLines(ctx, o)
	}
	if s.Debug {
		o.HelmOut = a.Images.Out
	}
	if !a.SkipBuild {
		o.Delivery = d.Steps()
	}
	if major >= 4 {
		if err := a.postRenderer(ctx, &o, pluginDir, d.Runner); err != nil {
			return Options{}, nil, err
		}
	}
	return o, d, nil
}

// major is helm's major version, from its build information when
// KnownMajor can tell, else from `helm version`.
func (a *Action) major(ctx context.Context) (int, error) {
	bin := a.Images.Settings.HelmBin
	if a.KnownMajor != nil {
		if m, ok := a.KnownMajor(bin); ok {
			return m, nil
		}
	}
	return helmbin.Major(ctx, a.probe(), bin)
}

// delivery plans the build and load steps, or with SkipBuild only works
// out the image names and tags a build would give, without probing any
// builder.
func (a *Action) delivery(ctx context.Context) (*delivery.Planned, cluster.Cluster, error) {
	io := a.Images
	if a.SkipBuild && io.Builder == "" && io.Settings.Builder == "" {
		// Any explicit builder skips detection; none will run.
		io.Builder = string(image.Docker)
	}
	plan := func(ctx context.Context) (*delivery.Planned, error) { return io.Plan(ctx, true) }
	if a.SkipBuild {
		plan = io.PlanNames
	}
	d, err := plan(ctx)
	if err != nil {
		return nil, cluster.Cluster{}, err
	}
	return d, d.Cluster, nil
}

// images are the chart's image values: a build's, unless a tag is given.
func (a *Action) images(d *delivery.Planned) map[string]deploy.Image {
	images := map[string]deploy.Image{}
	for _, comp := range []string{"backend", "frontend"} {
		if repo, tag, ok := d.Image(comp); ok {
			images[comp] = deploy.Image{Repository: repo, Tag: tag}
		}
	}
	if a.BackendTag != "" {
		images["backend"] = deploy.Image{Repository: images["backend"].Repository, Tag: a.BackendTag}
	}
	if a.FrontendTag != "" {
		images["frontend"] = deploy.Image{Repository: images["frontend"].Repository, Tag: a.FrontendTag}
	}
	return images
}

// postRenderer makes Helm 4's deploy find the post-renderer plugin of this
// version in helm-todo's own plugin directory, installed there first when
// missing or of another version. Helm 3 never scans that directory, so up
// writes nothing a Helm 3 beside this Helm 4 cannot read; the deploy's helm
// gets the directory first in HELM_PLUGINS.
func (a *Action) postRenderer(ctx context.Context, o *Options, pluginDir string, runner command.Runner) error {
	s := a.Images.Settings
	dirs, err := postrendersetup.ResolveDirs(ctx, a.probe(), s.HelmBin, s.HelmDataHome, s.HelmPlugins)
	if err != nil {
		return err
	}
	o.Deploy.Env = []string{"HELM_PLUGINS=" + dirs.WithOwn()}
	prOpts := postrendersetup.Options{HelmBin: s.HelmBin, PluginDir: pluginDir, Major: o.Deploy.Major, Runner: runner,
		DataHome: dirs.DataHome, Plugins: dirs.Plugins, Own: true}
	o.PreparePostRenderer = func(ctx context.Context, out io.Writer) error {
		prOpts.Out = out
		return postrendersetup.Run(ctx, prOpts)
	}
	own := []string{"HELM_DATA_HOME=" + dirs.OwnHome(), "HELM_PLUGINS=" + dirs.OwnPlugins()}
	from := filepath.Join(pluginDir, "plugins", postrendersetup.PluginSubdir)
	if v, err := postrendersetup.PluginVersion(pluginDir); err == nil {
		if src, err := postrendersetup.ResolveSource("", pluginDir, v); err == nil {
			from = src.Ref
		}
	}
	o.PrepareLines = []string{
		command.ShellLine(command.Cmd{Name: s.HelmBin, Args: []string{"plugin", "list"}, Env: own}) + "   # is the helm-todo post-renderer plugin of this version there?",
		command.ShellLine(command.Cmd{Name: s.HelmBin, Args: []string{"plugin", "install", from}, Env: own}) + "   # only when it is not (an older one is uninstalled first)",
	}
	return nil
}

// client is the injected client, else one to the kube-context.
func (a *Action) client() func() (kubernetes.Interface, error) {
	if a.Client != nil {
		return a.Client
	}
	return kubeclient.Lazy(a.Images.Settings)
}

// migrationInputs hashes the backend's migration inputs, unless the
// backend image is one the tree does not describe (--backend-tag).
func (a *Action) migrationInputs(p *project.Project) (migration.Inputs, error) {
	if a.BackendTag != "" {
		return migration.Inputs{Unknown: "the backend image is --backend-tag " + a.BackendTag + ", not built from this tree"}, nil
	}
	in, err := migration.ReadInputs(p.Backend.Context)
	if err != nil {
		return migration.Inputs{}, clierr.New("read the migration inputs in "+p.Backend.Context, "check that the backend's build context is readable", err)
	}
	return in, nil
}
