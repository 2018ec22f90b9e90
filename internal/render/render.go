// Package render is `helm todo render`: the chart rendered with the Helm
// SDK and passed through the post-renderer, with no cluster. For the
// plugin's own chart it renders what up deploys (up's release, namespace,
// values files and Secret).
package render

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/helm-todo/helm-todo/internal/chart"
	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/postrendercli"
	"github.com/helm-todo/helm-todo/internal/project"
	"github.com/helm-todo/helm-todo/internal/secrets"
	"github.com/helm-todo/helm-todo/internal/settings"
)

// Action is `helm todo render`: options in, Result out. The hardened
// manifests go to Out; ErrOut gets --debug lines and the post-renderer's
// own messages.
type Action struct {
	Settings *settings.Settings
	// Dir is where helm-todo.yaml is looked for (the working directory);
	// "" or a directory without one means the defaults.
	Dir string
	// ChartDir is the chart; "" is the plugin's own chart, rendered as up
	// deploys it.
	ChartDir     string
	Release      string
	ReleaseSet   bool // --release given: beats helm-todo.yaml
	NamespaceSet bool // -n given: beats helm-todo.yaml
	ValuesFiles  []string
	Set          []string
	ConfigPath   string // post-renderer policy; "" is the embedded one
	KubeVersion  string

	Out, ErrOut io.Writer
}

// Result is what was rendered: the inputs as resolved.
type Result struct {
	ChartDir, Release, Namespace string
	ValuesFiles, Set             []string
}

// Run renders and post-renders. A failing post-render writes nothing to
// Out (postrender.Run holds its output until the whole stream succeeded):
// its error is all the user sees, no half-hardened stream.
func (a *Action) Run(ctx context.Context) (*Result, error) {
	r := a.resolve()
	s := a.Settings
	if s.Debug {
		// The settings as Helm handed them over (flags win over HELM_*), so
		// a user can see what the plugin resolved. None of them is secret.
		fmt.Fprintf(a.ErrOut, "debug: helm-bin=%s namespace=%s kube-context=%s kubeconfig=%s plugin-dir=%s chart=%s\n",
			s.HelmBin, r.Namespace, s.KubeContext, s.KubeConfig, s.ResolvePluginDir(), r.ChartDir)
	}
	rendered, err := chart.Render(chart.Options{
		ChartDir: r.ChartDir, ReleaseName: r.Release, Namespace: r.Namespace,
		ValuesFiles: r.ValuesFiles, Set: r.Set, KubeVersion: a.KubeVersion,
	})
	if err != nil {
		// The chart package's errors already name the chart and the fix.
		return nil, clierr.Usage("", "", err)
	}
	stream := rendered.Stream()
	if strings.TrimSpace(stream) == "" {
		return nil, clierr.Usagef("check the chart's templates and values", "chart %s rendered no manifests", r.ChartDir)
	}
	pr := postrendercli.Options{ConfigPath: a.ConfigPath}
	if err := postrendercli.Run(pr, strings.NewReader(stream), a.Out, a.ErrOut); err != nil {
		return nil, fmt.Errorf("post-render chart %s: %w", r.ChartDir, err)
	}
	return r, nil
}

// resolve fills in the chart, and for the plugin's own chart what up
// would deploy.
func (a *Action) resolve() *Result {
	s := a.Settings
	r := &Result{ChartDir: a.ChartDir, Release: a.Release, Namespace: s.Namespace, ValuesFiles: a.ValuesFiles, Set: a.Set}
	if r.Namespace == "" {
		r.Namespace = chart.DefaultNamespace
	}
	if r.ChartDir == "" {
		r.ChartDir = filepath.Join(s.ResolvePluginDir(), "charts", "todo-app")
		a.asUp(r)
	}
	return r
}

// asUp makes render of the plugin's own chart show what up deploys: up's
// release and namespace (helm-todo.yaml, then flags), helm-todo.yaml's
// values files before --values, and the Secret up writes in place of the
// chart's own (which would carry a random BETTER_AUTH_SECRET up never
// deploys).
func (a *Action) asUp(r *Result) {
	s := a.Settings
	p := project.Defaults()
	if a.Dir != "" {
		if loaded, err := project.Load(a.Dir, s.ResolvePluginDir()); err == nil {
			p = loaded
		}
	}
	if !a.ReleaseSet {
		r.Release = p.Release
	}
	r.Namespace = p.NamespaceOr(s.Namespace, a.NamespaceSet)
	r.ValuesFiles = append(append([]string{}, p.ValuesFiles...), a.ValuesFiles...)
	r.Set = append([]string{"secrets.existingSecret=" + secrets.Name(r.Release)}, a.Set...)
	if s.Debug {
		fmt.Fprintf(a.ErrOut, "debug: as up deploys it: release=%s namespace=%s values=[%s] set=[%s] config=%s\n",
			r.Release, r.Namespace, strings.Join(r.ValuesFiles, ","), strings.Join(r.Set, ","), orNone(p.ConfigPath))
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
