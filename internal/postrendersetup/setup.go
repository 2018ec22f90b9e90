// Package postrendersetup makes `--post-renderer helm-todo` resolve for the
// user's helm. The two majors resolve the name differently:
//
//   - Helm 3 calls exec.LookPath on it, so helm-todo must be on PATH: the
//     plugin's post-renderer binary (bin/helm-todo-postrender) is linked as
//     helm-todo into a directory on PATH (~/.local/bin by default), and its
//     absolute path keeps working without any setup.
//   - Helm 4 looks up a postrenderer/v1 plugin of that name and never a path,
//     so the post-renderer plugin (named helm-todo) is installed with `helm
//     plugin install`: from the release the todo plugin came from, verified
//     (see ResolveSource), or in a checkout from the nested directory
//     <plugin>/plugins/helm-todo-postrenderer.
//
// Both are idempotent: running again reports what is already in place.
package postrendersetup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/helmbin"
)

// PluginName is the name both majors resolve: the Helm 4 plugin's name and
// the executable's name on PATH for Helm 3.
const PluginName = "helm-todo"

// BinaryName is the executable Helm runs as the post-renderer, in the
// plugin's bin/: helm-todo's post-renderer alone, small in memory.
const BinaryName = "helm-todo-postrender"

// Binary is the post-renderer executable of the plugin at pluginDir.
func Binary(pluginDir string) string {
	return filepath.Join(pluginDir, "bin", exe(BinaryName))
}

// PluginSubdir is the Helm 4 plugin's directory under <plugin>/plugins. Helm
// installs a local directory as $HELM_PLUGINS/<its base name>, and a clone
// of this repository is usually named helm-todo already, so the post-renderer
// plugin's directory must be named otherwise or its install collides with
// the todo plugin's ("plugin already exists").
const PluginSubdir = "helm-todo-postrenderer"

// Options says where things are. Zero values mean "not given": Run fills in
// the defaults it can derive.
type Options struct {
	HelmBin   string // the helm to set up for
	PluginDir string // the `todo` plugin's root, holding bin/ and plugins/
	// BinDir is where Helm 3's link goes; empty means ~/.local/bin.
	BinDir string
	// PathEnv is the PATH to check BinDir against; os.Getenv("PATH") in
	// production.
	PathEnv string
	// Major skips asking helm for its version when non-zero.
	Major  int
	Runner command.Runner
	// DryRun prints what would change and changes nothing.
	DryRun bool
	Out    io.Writer

	// Helm 4 only: where the post-renderer plugin comes from (see
	// ResolveSource; empty means the todo plugin's release, or its checkout),
	// the keyring that verifies it (empty: Helm's default), whether to skip
	// the verification, and plain HTTP for an oci:// registry.
	From       string
	Keyring    string
	SkipVerify bool
	PlainHTTP  bool
}

// Run sets up the post-renderer for o.HelmBin's major version.
func Run(ctx context.Context, o Options) error {
	bin := Binary(o.PluginDir)
	if _, err := os.Stat(bin); err != nil {
		return clierr.New("find the post-renderer binary at "+bin, "reinstall the plugin with `helm plugin install` (its hook installs bin/"+BinaryName+") or run `make build` in the plugin directory", err)
	}
	major := o.Major
	if major == 0 {
		var err error
		if major, err = helmbin.Major(ctx, o.Runner, o.HelmBin); err != nil {
			return err
		}
	}
	if major >= 4 {
		return installPlugin(ctx, o)
	}
	return linkBinary(o, bin)
}

// installPlugin installs the post-renderer as a Helm 4 plugin. A second
// install fails with "plugin already exists", hence the check first.
// `helm plugin install <dir>` symlinks a directory and verifies nothing; an
// archive URL or oci:// reference is verified against the keyring unless
// SkipVerify.
func installPlugin(ctx context.Context, o Options) error {
	version, err := PluginVersion(o.PluginDir)
	if err != nil {
		return err
	}
	src, err := ResolveSource(o.From, o.PluginDir, version)
	if err != nil {
		return err
	}
	if o.PlainHTTP && !src.OCI {
		return clierr.Usage("--plain-http applies to an oci:// source, not "+src.Ref, "drop --plain-http, or pass --from oci://<registry>/<path>", nil)
	}
	installed, err := listPlugins(ctx, o)
	if err != nil {
		return err
	}
	if typ, ok := installed[PluginName]; ok {
		if typ != "" && typ != "postrenderer/v1" {
			return clierr.New(fmt.Sprintf("a plugin named %s of type %s is already installed in %s", PluginName, typ, o.HelmBin),
				fmt.Sprintf("uninstall it with `%s plugin uninstall %s`, then run this again", o.HelmBin, PluginName), nil)
		}
		fmt.Fprintf(o.Out, "the %s post-renderer plugin is already installed in %s; use --post-renderer %s\n", PluginName, o.HelmBin, PluginName)
		return nil
	}
	args := []string{"plugin", "install", src.Ref}
	if !src.Local {
		if o.SkipVerify {
			args = append(args, "--verify=false")
		} else if o.Keyring != "" {
			args = append(args, "--keyring", o.Keyring)
		}
		if o.PlainHTTP {
			args = append(args, "--plain-http")
		}
	}
	install := command.Cmd{Name: o.HelmBin, Args: args, Stdout: o.Out}
	if o.DryRun {
		_, err := command.DryRun{Out: o.Out}.Run(ctx, install)
		return err
	}
	fmt.Fprintf(o.Out, "installing the %s post-renderer plugin %s from %s (%s)\n", PluginName, version, src.Ref, describe(src, o))
	// Helm installs a directory under its base name, an archive or OCI
	// reference under the plugin's name.
	dirName := PluginName
	if src.Local {
		dirName = filepath.Base(src.Ref)
	}
	if _, err := o.Runner.Run(ctx, install); err != nil {
		fix := misplaced(ctx, o, dirName) // "plugin already exists" where helm does not look
		if fix == "" && !src.Local && !o.SkipVerify {
			fix = "check that the keyring (--keyring, default ~/.gnupg/pubring.gpg) holds the helm-todo release key (docs/install.md, \"The release key\") and that " + src.Ref + ".prov can be fetched; Helm's message is above"
		}
		if fix == "" {
			fix = "run `" + install.String() + "` yourself to see Helm's full message"
		}
		return clierr.New("install the post-renderer plugin from "+src.Ref, fix, err)
	}
	// Helm 4 may install where it does not look (see misplaced), and then
	// --post-renderer helm-todo fails mid-deploy: check now instead.
	installed, err = listPlugins(ctx, o)
	if err != nil {
		return err
	}
	if _, ok := installed[PluginName]; !ok {
		fix := misplaced(ctx, o, dirName)
		if fix == "" {
			fix = "run `" + o.HelmBin + " plugin list` and `" + o.HelmBin + " env` to see where Helm looks for plugins"
		}
		return clierr.New(fmt.Sprintf("`%s` succeeded but `%s plugin list` does not show %s", install.String(), o.HelmBin, PluginName), fix, nil)
	}
	fmt.Fprintf(o.Out, "installed the %s post-renderer plugin; use --post-renderer %s\n", PluginName, PluginName)
	return nil
}

func describe(src Source, o Options) string {
	switch {
	case src.Local:
		return "a local directory, development mode: not verified"
	case o.SkipVerify:
		return "NOT verified: --verify=false"
	case o.Keyring != "":
		return "verified with the keyring " + o.Keyring + "; source: " + src.Origin
	}
	return "verified with Helm's default keyring; source: " + src.Origin
}

// misplaced explains an install Helm cannot see: Helm 4 (4.3.1) installs a
// local directory or an archive URL into $HELM_DATA_HOME/plugins/<dirName>
// whatever HELM_PLUGINS says, but loads plugins from HELM_PLUGINS. It
// returns the fix when the two differ, and "" when they agree or `helm env`
// fails.
func misplaced(ctx context.Context, o Options, dirName string) string {
	res, err := o.Runner.Run(ctx, command.Cmd{Name: o.HelmBin, Args: []string{"env"}})
	if err != nil {
		return ""
	}
	env := parseHelmEnv(string(res.Stdout))
	plugins, data := env["HELM_PLUGINS"], env["HELM_DATA_HOME"]
	if plugins == "" || data == "" {
		return ""
	}
	want := filepath.Join(data, "plugins")
	if filepath.Clean(plugins) == want {
		return ""
	}
	return fmt.Sprintf("Helm 4 installs a plugin into HELM_DATA_HOME/plugins (%s) but loads plugins from HELM_PLUGINS (%s): unset HELM_PLUGINS or set it to %s (the plugin is there), or keep it and run `ln -s %s %s/`",
		want, plugins, want, filepath.Join(want, dirName), plugins)
}

// parseHelmEnv reads `helm env` output: KEY="value" lines.
func parseHelmEnv(out string) map[string]string {
	env := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(l), "=")
		if !ok {
			continue
		}
		if u, err := strconv.Unquote(v); err == nil {
			v = u
		}
		env[k] = v
	}
	return env
}

// listPlugins returns installed plugin names and, on Helm 4, their types.
func listPlugins(ctx context.Context, o Options) (map[string]string, error) {
	res, err := o.Runner.Run(ctx, command.Cmd{Name: o.HelmBin, Args: []string{"plugin", "list"}})
	if err != nil {
		return nil, clierr.New("list the installed helm plugins", "check that `"+o.HelmBin+" plugin list` works", err)
	}
	return ParsePluginList(string(res.Stdout)), nil
}

// ParsePluginList reads `helm plugin list` output: a header line, then one
// plugin per line. Helm 4's columns are NAME VERSION TYPE ...; Helm 3 has no
// TYPE column, so types stay empty there.
func ParsePluginList(out string) map[string]string {
	plugins := map[string]string{}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) == 0 {
		return plugins
	}
	header := strings.Fields(lines[0])
	typeCol := -1
	for i, h := range header {
		if h == "TYPE" {
			typeCol = i
		}
	}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		typ := ""
		if typeCol >= 0 && typeCol < len(f) {
			typ = f[typeCol]
		}
		plugins[f[0]] = typ
	}
	return plugins
}

// linkBinary links bin into BinDir as helm-todo so that Helm 3's
// exec.LookPath finds it, and says how to put BinDir on PATH when it is not.
func linkBinary(o Options, bin string) error {
	binDir := o.BinDir
	if binDir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return clierr.Usage("find the home directory for ~/.local/bin", "pass --bin-dir DIR, a directory on your PATH", err)
		}
		binDir = filepath.Join(home, ".local", "bin")
	}
	link := filepath.Join(binDir, exe(PluginName))
	target, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	switch current, err := os.Readlink(link); {
	case err == nil && current == target:
		fmt.Fprintf(o.Out, "%s already links to %s\n", link, target)
	case err == nil || errors.Is(err, fs.ErrNotExist):
		// A link of ours to an older install is replaced; a missing one is made.
		if o.DryRun {
			fmt.Fprintf(o.Out, "ln -sf %s %s\n", command.Quote(target), command.Quote(link))
			break
		}
		if err := replaceLink(target, link); err != nil {
			return clierr.New("link "+link+" to "+target, "pass --bin-dir DIR with a writable directory on your PATH, or use --post-renderer "+target, err)
		}
		fmt.Fprintf(o.Out, "linked %s -> %s\n", link, target)
	default:
		return clierr.New(link+" exists and is not a symbolic link", "remove it, or pass --bin-dir DIR to link elsewhere, or use --post-renderer "+target, nil)
	}
	if !onPath(binDir, o.PathEnv) {
		fmt.Fprintf(o.Out, "%s is not on your PATH; add it, e.g. in ~/.profile:\n  export PATH=\"%s:$PATH\"\n", binDir, binDir)
	}
	fmt.Fprintf(o.Out, "use --post-renderer %s (or --post-renderer %s, which needs no PATH)\n", PluginName, target)
	return nil
}

// replaceLink creates link -> target atomically: a rename over the old link,
// so no moment exists without a working helm-todo.
func replaceLink(target, link string) error {
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		return err
	}
	tmp := link + ".new"
	_ = os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return err
	}
	return os.Rename(tmp, link)
}

func onPath(dir, pathEnv string) bool {
	want := filepath.Clean(dir)
	for _, p := range filepath.SplitList(pathEnv) {
		if p != "" && filepath.Clean(p) == want {
			return true
		}
	}
	return false
}

func exe(name string) string {
	if runtime.GOOS == "windows" {
		return name + ".exe"
	}
	return name
}
