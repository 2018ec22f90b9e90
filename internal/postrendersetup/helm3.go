package postrendersetup

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/helmbin"
)

// Helm 3 and Helm 4 share one default plugin directory,
// $HELM_DATA_HOME/plugins, and Helm 3 (3.22.0) cannot read a v1 plugin
// manifest: one `apiVersion: v1` plugin.yaml in a directory it scans and it
// loads no plugin at all ("failed to load plugins: ... unknown field
// "apiVersion""). The Helm 4 post-renderer plugin is such a manifest, so it
// lives where no Helm 3 looks when one is around.

// Dirs are where a Helm 4 installs and loads plugins.
type Dirs struct {
	DataHome string // HELM_DATA_HOME: `helm plugin install` writes into its plugins/
	Plugins  string // HELM_PLUGINS: the path list plugins are loaded from
}

// Shared is the directory `helm plugin install` writes into; a Helm 3 with
// default settings scans it too.
func (d Dirs) Shared() string { return filepath.Join(d.DataHome, "plugins") }

// OwnHome is helm-todo's own Helm data home, used only to install the
// post-renderer plugin into OwnPlugins: Helm 4 installs into
// $HELM_DATA_HOME/plugins whatever HELM_PLUGINS says.
func (d Dirs) OwnHome() string { return filepath.Join(d.DataHome, OwnHomeName) }

// OwnPlugins holds the post-renderer plugin, out of every Helm 3's sight:
// only a Helm 4 given it in HELM_PLUGINS finds it.
func (d Dirs) OwnPlugins() string { return filepath.Join(d.OwnHome(), "plugins") }

// WithOwn is HELM_PLUGINS for a Helm 4 that should find the post-renderer
// plugin in OwnPlugins: first, so that it beats an older copy elsewhere
// (Helm 4 takes the first plugin of a name in path order).
func (d Dirs) WithOwn() string {
	return d.OwnPlugins() + string(os.PathListSeparator) + d.Plugins
}

// OwnHomeName is OwnHome's name under HELM_DATA_HOME.
const OwnHomeName = "helm-todo-helm4"

// ResolveDirs returns dataHome and plugins when both are known (Helm hands
// them to a plugin), else what `helm env` says.
func ResolveDirs(ctx context.Context, r command.Runner, helmBin, dataHome, plugins string) (Dirs, error) {
	if dataHome != "" && plugins != "" {
		return Dirs{DataHome: dataHome, Plugins: plugins}, nil
	}
	env, err := helmEnv(ctx, r, helmBin, nil)
	if err != nil {
		return Dirs{}, err
	}
	d := Dirs{DataHome: env["HELM_DATA_HOME"], Plugins: env["HELM_PLUGINS"]}
	if d.DataHome == "" || d.Plugins == "" {
		return Dirs{}, clierr.New("`"+helmBin+" env` names no HELM_DATA_HOME or HELM_PLUGINS", "check that `"+helmBin+" env` works", nil)
	}
	return d, nil
}

// Helm3 is a Helm 3 found on PATH, with the directories it scans.
type Helm3 struct {
	Bin     string
	Version string
	Plugins []string // its HELM_PLUGINS, split
}

// Scans reports whether h loads plugins from dir.
func (h Helm3) Scans(dir string) bool {
	for _, p := range h.Plugins {
		if p != "" && filepath.Clean(p) == filepath.Clean(dir) {
			return true
		}
	}
	return false
}

// helmName matches what a helm binary is called: helm, helm3, helm-3.22,
// helmv3 (and not helm-todo, helm-docs or helmfile).
var helmName = regexp.MustCompile(`^helm(-?v?[0-9][0-9.]*)?(\.exe)?$`)

// FindHelm3 returns every Helm 3 on pathEnv, asking each candidate its
// version and `env` (in this process's environment: what it would scan if
// run from here). skip, the Helm 4 in use, is not asked. A candidate that
// does not answer is not a Helm 3 that can break.
func FindHelm3(ctx context.Context, r command.Runner, pathEnv, skip string) []Helm3 {
	skipReal := realPath(skip)
	seen := map[string]bool{}
	var found []Helm3
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" {
			continue
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if !helmName.MatchString(e.Name()) {
				continue
			}
			bin := filepath.Join(dir, e.Name())
			real := realPath(bin)
			if fi, err := os.Stat(bin); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 || seen[real] || real == skipReal {
				continue
			}
			seen[real] = true
			res, err := r.Run(ctx, command.Cmd{Name: bin, Args: []string{"version", "--template", "{{.Version}}"}})
			if err != nil {
				continue
			}
			if major, err := helmbin.ParseMajor(string(res.Stdout)); err != nil || major != 3 {
				continue
			}
			env, err := helmEnv(ctx, r, bin, nil)
			if err != nil || env["HELM_PLUGINS"] == "" {
				continue
			}
			found = append(found, Helm3{Bin: bin, Version: strings.TrimSpace(string(res.Stdout)), Plugins: filepath.SplitList(env["HELM_PLUGINS"])})
		}
	}
	return found
}

// realPath resolves links, so one helm reached by two names is asked once;
// a name without a slash is looked up on PATH first.
func realPath(p string) string {
	if p == "" {
		return ""
	}
	if !strings.ContainsRune(p, os.PathSeparator) {
		lp, err := exec.LookPath(p)
		if err != nil {
			return p
		}
		p = lp
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return filepath.Clean(p)
}

// V1Manifest is a plugin manifest Helm 3 cannot load.
type V1Manifest struct {
	Path string // <dir>/<plugin>/plugin.yaml
	Name string // its name, "" when unreadable
}

// V1Manifests returns the plugin.yaml files in dirs (scanned as Helm
// does: <dir>/*/plugin.yaml) that carry apiVersion, which Helm 3 rejects.
func V1Manifests(dirs []string) []V1Manifest {
	var found []V1Manifest
	for _, dir := range dirs {
		if dir == "" {
			continue
		}
		for _, m := range scanManifests(dir) {
			if m.APIVersion != "" {
				found = append(found, V1Manifest{Path: m.Path, Name: m.Name})
			}
		}
	}
	return found
}

// pluginManifest is what helm-todo reads of a plugin's plugin.yaml.
type pluginManifest struct {
	Path       string `yaml:"-"`
	APIVersion string `yaml:"apiVersion"`
	Type       string `yaml:"type"`
	Name       string `yaml:"name"`
	Version    string `yaml:"version"`
}

// scanManifests reads dir's plugin manifests as Helm scans them
// (<dir>/*/plugin.yaml), leaving out any it cannot read or parse.
func scanManifests(dir string) []pluginManifest {
	matches, _ := filepath.Glob(filepath.Join(dir, "*", "plugin.yaml"))
	var out []pluginManifest
	for _, m := range matches {
		b, err := os.ReadFile(m)
		if err != nil {
			continue
		}
		doc := pluginManifest{Path: m}
		if yaml.Unmarshal(b, &doc) != nil {
			continue
		}
		out = append(out, doc)
	}
	return out
}
