// Package chart renders a Helm chart on the client, with the Helm SDK, the
// way `helm template` does, and keeps the hooks apart from the release
// manifest: Helm 3 never passes hooks through a post-renderer, so callers
// need to see (and check) them on their own.
package chart

import (
	"fmt"
	"sort"
	"strings"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/cli/values"
	"helm.sh/helm/v3/pkg/getter"
	"helm.sh/helm/v3/pkg/release"
)

// Defaults used when Options leaves a field empty; they match the
// conventions `helm todo up` installs with.
const (
	DefaultReleaseName = "todo"
	DefaultNamespace   = "todo-app"
)

// Options says what to render. Values are merged in Helm's order: the
// chart's values.yaml, then ValuesFiles in order, then Set, then Values.
type Options struct {
	ChartDir    string
	ReleaseName string   // DefaultReleaseName when empty
	Namespace   string   // DefaultNamespace when empty
	ValuesFiles []string // like -f
	Set         []string // like --set key=value
	Values      map[string]any
	// KubeVersion, e.g. "v1.33.0", overrides Helm's built-in default for
	// .Capabilities.KubeVersion.
	KubeVersion string
	// IsUpgrade renders as `helm template --is-upgrade` does.
	IsUpgrade bool
}

// Hook is one rendered hook resource.
type Hook struct {
	Name           string
	Kind           string
	Path           string // chart-relative template path
	Manifest       string
	Events         []string // pre-install, pre-upgrade, ...
	Weight         int
	DeletePolicies []string // before-hook-creation, hook-succeeded, ...
}

// Rendered is the result of a client-side render.
type Rendered struct {
	// Manifest is the release's non-hook resources, in Helm's install
	// order, each document led by a "# Source:" comment.
	Manifest string
	// Hooks are in the order Helm would run them: by weight, then name.
	Hooks []Hook
	Notes string
}

// Stream is the whole rendering as one YAML stream, the manifest then the
// hooks, as `helm template` prints it.
func (r *Rendered) Stream() string {
	var b strings.Builder
	b.WriteString(r.Manifest)
	for _, h := range r.Hooks {
		if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", h.Path, strings.TrimSpace(h.Manifest))
	}
	return b.String()
}

// HooksFor returns the hooks that fire on event (e.g. "pre-install"), in
// run order.
func (r *Rendered) HooksFor(event string) []Hook {
	var out []Hook
	for _, h := range r.Hooks {
		for _, e := range h.Events {
			if e == event {
				out = append(out, h)
				break
			}
		}
	}
	return out
}

// Render loads the chart from disk and renders it client-only, with no
// cluster: `lookup` returns nothing, as in `helm template`. Values that the
// chart's values.schema.json rejects fail here with Helm's own error.
func Render(opts Options) (*Rendered, error) {
	if opts.ChartDir == "" {
		return nil, fmt.Errorf("render chart: no chart directory given; pass the path to charts/todo-app")
	}
	chrt, err := loader.Load(opts.ChartDir)
	if err != nil {
		return nil, fmt.Errorf("load chart %s: %w; check that the path holds a Chart.yaml", opts.ChartDir, err)
	}
	vo := values.Options{ValueFiles: opts.ValuesFiles, Values: opts.Set}
	// Only local files are read: no getter providers, so no network.
	vals, err := vo.MergeValues(getter.Providers{})
	if err != nil {
		return nil, fmt.Errorf("read values for chart %s: %w; check the values files and --set syntax", opts.ChartDir, err)
	}
	if opts.Values != nil {
		vals = chartutil.CoalesceTables(copyMap(opts.Values), vals)
	}

	cfg := &action.Configuration{Log: func(string, ...any) {}}
	inst := action.NewInstall(cfg)
	inst.DryRun = true
	inst.ClientOnly = true
	inst.IncludeCRDs = true
	inst.Replace = true // no release store to check the name against
	inst.ReleaseName = orDefault(opts.ReleaseName, DefaultReleaseName)
	inst.Namespace = orDefault(opts.Namespace, DefaultNamespace)
	inst.IsUpgrade = opts.IsUpgrade
	inst.DisableHooks = false
	if opts.KubeVersion != "" {
		kv, err := chartutil.ParseKubeVersion(opts.KubeVersion)
		if err != nil {
			return nil, fmt.Errorf("kube version %q: %w; use a form like v1.33.0", opts.KubeVersion, err)
		}
		inst.KubeVersion = kv
	}

	rel, err := inst.Run(chrt, vals)
	if err != nil {
		return nil, fmt.Errorf("render chart %s: %w", opts.ChartDir, err)
	}
	return fromRelease(rel), nil
}

func fromRelease(rel *release.Release) *Rendered {
	out := &Rendered{Manifest: rel.Manifest}
	if rel.Info != nil {
		out.Notes = rel.Info.Notes
	}
	for _, h := range rel.Hooks {
		hk := Hook{Name: h.Name, Kind: h.Kind, Path: h.Path, Manifest: h.Manifest, Weight: h.Weight}
		for _, e := range h.Events {
			hk.Events = append(hk.Events, string(e))
		}
		for _, p := range h.DeletePolicies {
			hk.DeletePolicies = append(hk.DeletePolicies, string(p))
		}
		out.Hooks = append(out.Hooks, hk)
	}
	sort.SliceStable(out.Hooks, func(i, j int) bool {
		if out.Hooks[i].Weight != out.Hooks[j].Weight {
			return out.Hooks[i].Weight < out.Hooks[j].Weight
		}
		return out.Hooks[i].Name < out.Hooks[j].Name
	})
	return out
}

// copyMap keeps the caller's map untouched: Helm coalesces in place.
func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			v = copyMap(sub)
		}
		out[k] = v
	}
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
