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
//     <plugin>/plugins/helm-todo-postrenderer. Its manifest is one Helm 3
//     cannot read, so it goes where no Helm 3 looks when one is around (see
//     Dirs).
//
// Both are idempotent: running again reports what is already in place, and
// a Helm 4 plugin of another version is replaced.
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
	// PathEnv is the PATH to check BinDir against and, on Helm 4, to look
	// for a Helm 3 sharing the plugin directory; os.Getenv("PATH") in
	// production.
	PathEnv string
	// DataHome and Plugins are Helm's HELM_DATA_HOME and HELM_PLUGINS as
	// Helm handed them to the plugin; empty ones are asked of `helm env`.
	DataHome, Plugins string
	// Own installs the Helm 4 plugin into helm-todo's own directory
	// (Dirs.OwnPlugins) whether or not a Helm 3 is around: up, which runs
	// helm with that directory in HELM_PLUGINS.
	Own bool
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

// installPlugin installs the post-renderer as a Helm 4 plugin of the todo
// plugin's version: where it is missing, and over a copy of another version
// (Helm 4 updates no archive install in place, hence uninstall, install).
// `helm plugin install <dir>` symlinks a directory and verifies nothing; an
// archive URL or oci:// reference is verified against the keyring unless
// SkipVerify.
//
// It goes into Helm 4's default directory, which Helm 3 shares, only when
// no Helm 3 on PATH scans that directory; otherwise (and always for up) into
// helm-todo's own one, which only a Helm 4 told so reads.
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
	dirs, err := ResolveDirs(ctx, o.Runner, o.HelmBin, o.DataHome, o.Plugins)
	if err != nil {
		return err
	}
	own := o.Own
	if !own {
		for _, h := range FindHelm3(ctx, o.Runner, o.PathEnv, o.HelmBin) {
			if h.Scans(dirs.Shared()) {
				own = true
				fmt.Fprintf(o.Out, "%s (Helm %s) also loads plugins from %s and cannot read a Helm 4 plugin manifest: one there and it loads no plugin at all\n",
					h.Bin, h.Version, dirs.Shared())
				for _, m := range V1Manifests([]string{dirs.Shared()}) {
					if m.Name == PluginName {
						fmt.Fprintf(o.Out, "warning: %s, an earlier install of this plugin, already keeps %s from loading any plugin; remove it with `%s plugin uninstall %s`\n",
							filepath.Dir(m.Path), h.Bin, o.HelmBin, PluginName)
					}
				}
				break
			}
		}
	}
	if o.Own && !o.DryRun && ownHas(dirs.OwnPlugins(), version) {
		// up, on every run: its own directory already holds this
		// version, so `helm plugin list` (a Helm start, ~0.1 s) is not
		// needed to say so.
		fmt.Fprintf(o.Out, "the %s post-renderer plugin %s is already installed in %s\n", PluginName, version, dirs.OwnPlugins())
		return nil
	}
	var env []string
	where := dirs.Shared()
	if own {
		// Helm 4 installs into $HELM_DATA_HOME/plugins and lists HELM_PLUGINS.
		env = []string{"HELM_DATA_HOME=" + dirs.OwnHome(), "HELM_PLUGINS=" + dirs.OwnPlugins()}
		where = dirs.OwnPlugins()
	}
	installed, err := listPlugins(ctx, o, env)
	if err != nil {
		return err
	}
	replaced := ""
	if p, ok := installed[PluginName]; ok {
		uninstall := command.Cmd{Name: o.HelmBin, Args: []string{"plugin", "uninstall", PluginName}, Env: env}
		if p.Type != "" && p.Type != "postrenderer/v1" {
			return clierr.New(fmt.Sprintf("a plugin named %s of type %s is already installed in %s", PluginName, p.Type, where),
				fmt.Sprintf("uninstall it with `%s`, then run this again", command.ShellLine(uninstall)), nil)
		}
		if p.Version == version {
			fmt.Fprintf(o.Out, "the %s post-renderer plugin %s is already installed in %s\n", PluginName, version, where)
			usage(o, dirs, own)
			return nil
		}
		fmt.Fprintf(o.Out, "the %s post-renderer plugin in %s is version %s, this todo plugin is %s: replacing it\n", PluginName, where, p.Version, version)
		replaced = p.Version
		if o.DryRun {
			fmt.Fprintln(o.Out, command.ShellLine(uninstall))
		} else if _, err := o.Runner.Run(ctx, uninstall); err != nil {
			return clierr.New(fmt.Sprintf("remove the %s post-renderer plugin %s from %s to update it", PluginName, p.Version, where),
				"run `"+command.ShellLine(uninstall)+"` yourself to see Helm's message, then run this again", err)
		}
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
	install := command.Cmd{Name: o.HelmBin, Args: args, Env: env, Stdout: o.Out}
	if o.DryRun {
		fmt.Fprintln(o.Out, command.ShellLine(install))
		usage(o, dirs, own)
		return nil
	}
	// Helm installs a directory under its base name, an archive or OCI
	// reference under the plugin's name.
	dirName := PluginName
	if src.Local {
		dirName = filepath.Base(src.Ref)
	}
	if own {
		if err := os.MkdirAll(dirs.OwnPlugins(), 0o755); err != nil {
			return clierr.New("create "+dirs.OwnPlugins(), "check that "+dirs.DataHome+" is writable", err)
		}
		if err := dropDanglingLink(filepath.Join(dirs.OwnPlugins(), dirName), o.Out); err != nil {
			return err
		}
	}
	fmt.Fprintf(o.Out, "installing the %s post-renderer plugin %s from %s (%s) into %s\n", PluginName, version, src.Ref, describe(src, o), where)
	if _, err := o.Runner.Run(ctx, install); err != nil {
		fix := ""
		if !own {
			fix = misplaced(ctx, o, dirName) // "plugin already exists" where helm does not look
		}
		if fix == "" && !src.Local && !o.SkipVerify {
			fix = "check that the keyring (--keyring, default ~/.gnupg/pubring.gpg) holds the helm-todo release key (docs/install.md, \"The release key\") and that " + src.Ref + ".prov can be fetched; Helm's message is above"
		}
		if fix == "" {
			fix = "run `" + command.ShellLine(install) + "` yourself to see Helm's full message"
		}
		if replaced != "" {
			fix = "version " + replaced + " was uninstalled first, so none is installed now; " + fix
		}
		return clierr.New("install the post-renderer plugin from "+src.Ref, fix, err)
	}
	// Helm 4 may install where it does not look (see misplaced), and then
	// --post-renderer helm-todo fails mid-deploy: check now instead.
	installed, err = listPlugins(ctx, o, env)
	if err != nil {
		return err
	}
	if _, ok := installed[PluginName]; !ok {
		fix := ""
		if !own {
			fix = misplaced(ctx, o, dirName)
		}
		if fix == "" {
			fix = "run `" + o.HelmBin + " plugin list` and `" + o.HelmBin + " env` to see where Helm looks for plugins"
		}
		return clierr.New(fmt.Sprintf("`%s` succeeded but `%s plugin list` does not show %s", command.ShellLine(install), o.HelmBin, PluginName), fix, nil)
	}
	fmt.Fprintf(o.Out, "installed the %s post-renderer plugin %s into %s\n", PluginName, version, where)
	usage(o, dirs, own)
	return nil
}

// dropDanglingLink removes link, in helm-todo's own plugin directory, when
// it is a symbolic link to nothing: a local install of a checkout that was
// removed since. Helm lists no plugin there, yet cannot install over it
// ("symlink ...: file exists"), so every later install failed. Only
// helm-todo's installs write that directory; a link that resolves, or
// anything else, is left to Helm.
func dropDanglingLink(link string, out io.Writer) error {
	fi, err := os.Lstat(link)
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		return nil
	}
	if _, err := os.Stat(link); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	target, _ := os.Readlink(link)
	fmt.Fprintf(out, "removing %s: it links to %s, which no longer exists (an earlier install from a directory removed since)\n", link, target)
	if err := os.Remove(link); err != nil {
		return clierr.New("remove the dangling link "+link, "remove it yourself (rm "+link+"), then run this again", err)
	}
	return nil
}

// ownHas says whether dir, helm-todo's own plugin directory, holds the
// post-renderer plugin of this version, read from the manifests Helm 4
// loads ($HELM_PLUGINS/*/plugin.yaml) as Helm reads them: by name, type
// and version. Anything else (none, another version or type, an
// unreadable manifest) is left to `helm plugin list` and the install.
func ownHas(dir, version string) bool {
	for _, m := range scanManifests(dir) {
		if m.Name == PluginName {
			return m.APIVersion == "v1" && m.Type == "postrenderer/v1" && m.Version == version
		}
	}
	return false
}

// usage says how --post-renderer helm-todo finds the plugin. In the own
// directory, Helm 4 needs it in HELM_PLUGINS, and Helm 3 reads that
// variable too: it must be set for Helm 4's commands alone.
func usage(o Options, dirs Dirs, own bool) {
	if !own {
		fmt.Fprintf(o.Out, "use --post-renderer %s\n", PluginName)
		return
	}
	if o.Own {
		return // up runs helm with it in HELM_PLUGINS
	}
	plugins := "HELM_PLUGINS=" + command.Quote(dirs.WithOwn())
	fmt.Fprintf(o.Out, "no Helm 3 scans %s, and `helm todo up` finds the plugin there by itself. Helm 4 finds it for your own commands only with that directory in HELM_PLUGINS; set it for Helm 4 alone, as Helm 3 reads HELM_PLUGINS too:\n", dirs.OwnPlugins())
	fmt.Fprintf(o.Out, "  %s %s install web ./chart --post-renderer %s\n", plugins, o.HelmBin, PluginName)
	fmt.Fprintf(o.Out, "or once, in your shell's profile:\n  alias %s='%s %s'\n", filepath.Base(o.HelmBin), strings.ReplaceAll(plugins, "'", `'\''`), o.HelmBin)
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
	env, err := helmEnv(ctx, o.Runner, o.HelmBin, nil)
	if err != nil {
		return ""
	}
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

// helmEnv runs `helm env`, with env (KEY=VALUE) on top of this process's.
func helmEnv(ctx context.Context, r command.Runner, helmBin string, env []string) (map[string]string, error) {
	res, err := r.Run(ctx, command.Cmd{Name: helmBin, Args: []string{"env"}, Env: env})
	if err != nil {
		return nil, clierr.New("run `"+helmBin+" env`", "check that "+helmBin+" works", err)
	}
	return parseHelmEnv(string(res.Stdout)), nil
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

// Listed is one row of `helm plugin list`.
type Listed struct {
	Version string
	Type    string // Helm 4 only
}

// listPlugins returns installed plugins by name; env (KEY=VALUE) points
// helm at another plugin directory.
func listPlugins(ctx context.Context, o Options, env []string) (map[string]Listed, error) {
	c := command.Cmd{Name: o.HelmBin, Args: []string{"plugin", "list"}, Env: env}
	res, err := o.Runner.Run(ctx, c)
	if err != nil {
		return nil, clierr.New("list the installed helm plugins", "check that `"+command.ShellLine(c)+"` works", err)
	}
	return ParsePluginList(string(res.Stdout)), nil
}

// ParsePluginList reads `helm plugin list` output: a header line, then one
// plugin per line. Helm 4's columns are NAME VERSION TYPE ...; Helm 3 has no
// TYPE column, so types stay empty there.
func ParsePluginList(out string) map[string]Listed {
	plugins := map[string]Listed{}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) == 0 {
		return plugins
	}
	col := map[string]int{}
	for i, h := range strings.Fields(lines[0]) {
		col[h] = i
	}
	field := func(f []string, name string) string {
		if i, ok := col[name]; ok && i < len(f) {
			return f[i]
		}
		return ""
	}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		plugins[f[0]] = Listed{Version: field(f, "VERSION"), Type: field(f, "TYPE")}
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
