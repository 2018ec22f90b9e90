package postrendersetup

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/command"
)

func TestParsePluginList(t *testing.T) {
	tests := map[string]struct {
		out  string
		want map[string]Listed
	}{
		"helm 3": {
			out:  "NAME\tVERSION\tDESCRIPTION\ntodo\t0.1.0\trun the Todo chatbot\ndiff\t3.9.0\tPreview helm upgrade\n",
			want: map[string]Listed{"todo": {Version: "0.1.0"}, "diff": {Version: "3.9.0"}},
		},
		"helm 4": {
			out:  "NAME     \tVERSION\tTYPE           \tAPIVERSION\tPROVENANCE\tSOURCE \nhelm-todo\t0.1.0  \tpostrenderer/v1\tv1        \tlocal dev \tunknown\ntodo\t0.2.0\tcli/v1\tlegacy\tlocal dev\tunknown\n",
			want: map[string]Listed{"helm-todo": {Version: "0.1.0", Type: "postrenderer/v1"}, "todo": {Version: "0.2.0", Type: "cli/v1"}},
		},
		"none":  {out: "NAME\tVERSION\tDESCRIPTION\n", want: map[string]Listed{}},
		"empty": {out: "", want: map[string]Listed{}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := ParsePluginList(tc.out)
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s: got %+v, want %+v", k, got[k], v)
				}
			}
		})
	}
}

// fakeHelm answers like helm: plugin list shows what plugin install added
// (in helm-todo's own directory when HELM_PLUGINS points there), unless
// installHidden (Helm 4 installing where it does not look). helm3, when set,
// is the path of a Helm 3 that scans /d/plugins.
type fakeHelm struct {
	list          string
	ownList       string // `plugin list` with HELM_PLUGINS=/d/helm-todo-helm4/plugins
	env           string // `helm env` output
	installErr    error
	installHidden bool
	helm3         string
	ownEnv        string // the own directory's HELM_PLUGINS=, when not under /d
	helm3Plugins  string // the Helm 3's HELM_PLUGINS, when not /d/plugins
	calls         []string
}

const listHeader = "NAME\tVERSION\tTYPE\tAPIVERSION\tPROVENANCE\tSOURCE\n"

func (f *fakeHelm) Run(_ context.Context, c command.Cmd) (command.Result, error) {
	f.calls = append(f.calls, command.ShellLine(c))
	list := &f.list
	own := "HELM_PLUGINS=/d/helm-todo-helm4/plugins"
	if f.ownEnv != "" {
		own = f.ownEnv
	}
	if slices.Contains(c.Env, own) {
		list = &f.ownList
		if *list == "" {
			*list = listHeader
		}
	}
	switch {
	case f.helm3 != "" && c.Name == f.helm3 && c.Args[0] == "version":
		return command.Result{Stdout: []byte("v3.22.0")}, nil
	case f.helm3 != "" && c.Name == f.helm3 && c.Args[0] == "env":
		plugins := "/d/plugins"
		if f.helm3Plugins != "" {
			plugins = f.helm3Plugins
		}
		return command.Result{Stdout: []byte("HELM_PLUGINS=\"" + plugins + "\"\n")}, nil
	case c.Name == f.helm3:
		return command.Result{}, errors.New("unexpected")
	case len(c.Args) >= 2 && c.Args[0] == "plugin" && c.Args[1] == "list":
		return command.Result{Stdout: []byte(*list)}, nil
	case len(c.Args) >= 2 && c.Args[0] == "plugin" && c.Args[1] == "uninstall":
		var keep []string
		for _, l := range strings.SplitAfter(*list, "\n") {
			if !strings.HasPrefix(l, "helm-todo\t") {
				keep = append(keep, l)
			}
		}
		*list = strings.Join(keep, "")
	case len(c.Args) >= 2 && c.Args[0] == "plugin" && c.Args[1] == "install":
		if f.installErr != nil {
			return command.Result{}, f.installErr
		}
		if !f.installHidden {
			*list += "helm-todo\t0.1.0\tpostrenderer/v1\tv1\tlocal dev\tunknown\n"
		}
	case len(c.Args) == 1 && c.Args[0] == "env":
		return command.Result{Stdout: []byte(f.env)}, nil
	}
	return command.Result{}, nil
}

// pluginDir lays out what an installed `todo` plugin holds.
func pluginDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"bin/helm-todo", "bin/helm-todo-postrender", "plugins/helm-todo-postrenderer/plugin.yaml"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "plugin.yaml"), []byte("name: todo\nversion: \"0.1.0\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// misplacedEnv is `helm env` with HELM_PLUGINS away from
// HELM_DATA_HOME/plugins, where Helm 4 installs local directories.
const misplacedEnv = "HELM_BIN=\"helm\"\nHELM_DATA_HOME=\"/d\"\nHELM_PLUGINS=\"/p\"\n"

func TestHelm4InstallsThePluginOnce(t *testing.T) {
	const header = listHeader
	tests := map[string]struct {
		list          string
		dryRun        bool
		wantInstall   bool
		wantOut       string
		wantErr       string
		wantFix       string
		env           string
		installErr    error
		installHidden bool
		release       string // the todo plugin's release-source file, "" for none (a checkout)
		o             Options
		wantCmd       string // the install command, "" for the nested directory's
		ownList       string
		helm3         bool     // a Helm 3 on PATH scans /d/plugins
		wantCalls     []string // commands that must have run, in this order
		wantNot       []string // output that must not appear
	}{
		"not installed": {list: header, wantInstall: true, wantOut: "installed the helm-todo post-renderer plugin"},
		"archive install: from the same release, verified": {
			list: header, release: "https://example.com/releases/download/v0.1.0\n", wantInstall: true,
			wantCmd: "helm4 plugin install https://example.com/releases/download/v0.1.0/helm-todo-0.1.0.tgz",
			wantOut: "verified with Helm's default keyring; source: the release the todo plugin came from",
		},
		"--from an OCI repository, keyring, plain HTTP": {
			list: header, release: "https://example.com/r\n", wantInstall: true,
			o:       Options{From: "oci://127.0.0.1:5001/helm-todo", Keyring: "/k/pub.gpg", PlainHTTP: true},
			wantCmd: "helm4 plugin install oci://127.0.0.1:5001/helm-todo/helm-todo:0.1.0 --keyring /k/pub.gpg --plain-http",
			wantOut: "verified with the keyring /k/pub.gpg; source: --from",
		},
		"--from an archive URL, unverified": {
			list: header, wantInstall: true,
			o:       Options{From: "http://127.0.0.1:8080/x/helm-todo-0.1.0.tgz", SkipVerify: true},
			wantCmd: "helm4 plugin install http://127.0.0.1:8080/x/helm-todo-0.1.0.tgz --verify=false",
			wantOut: "NOT verified",
		},
		"--plain-http without OCI": {
			list: header, release: "https://example.com/r\n", o: Options{PlainHTTP: true},
			wantErr: "--plain-http applies to an oci:// source", wantFix: "drop --plain-http",
		},
		"--from neither URL nor directory": {
			list: header, o: Options{From: "ftp://x"},
			wantErr: `--from "ftp://x" (from --from) is not an http(s) URL`, wantFix: "--from oci://",
		},
		"already installed": {list: header + "helm-todo\t0.1.0\tpostrenderer/v1\tv1\tlocal dev\tunknown\n", wantOut: "already installed"},
		"an older version installed: replaced": {
			list: header + "helm-todo\t0.0.9\tpostrenderer/v1\tv1\tlocal dev\tunknown\n", wantInstall: true,
			wantOut:   "the helm-todo post-renderer plugin in /d/plugins is version 0.0.9, this todo plugin is 0.1.0: replacing it",
			wantCalls: []string{"helm4 plugin uninstall helm-todo", "helm4 plugin install "},
			wantNot:   []string{"already installed"},
		},
		"a newer version installed: replaced": {
			list: header + "helm-todo\t0.2.0\tpostrenderer/v1\tv1\tlocal dev\tunknown\n", wantInstall: true,
			wantOut:   "is version 0.2.0, this todo plugin is 0.1.0: replacing it",
			wantCalls: []string{"helm4 plugin uninstall helm-todo", "helm4 plugin install "},
		},
		"a Helm 3 scans the shared directory: helm-todo's own one": {
			list: header, helm3: true, wantInstall: true,
			wantCmd: "HELM_DATA_HOME=/d/helm-todo-helm4 HELM_PLUGINS=/d/helm-todo-helm4/plugins helm4 plugin install ",
			wantOut: "HELM_PLUGINS=/d/helm-todo-helm4/plugins:/d/plugins helm4 install web ./chart --post-renderer helm-todo",
		},
		"a Helm 3 scans the shared directory: already in the own one": {
			list: header, helm3: true, ownList: header + "helm-todo\t0.1.0\tpostrenderer/v1\tv1\tlocal dev\tunknown\n",
			wantOut: "already installed in /d/helm-todo-helm4/plugins",
		},
		"a Helm 3 scans the shared directory: older in the own one": {
			list: header, helm3: true, ownList: header + "helm-todo\t0.0.1\tpostrenderer/v1\tv1\tlocal dev\tunknown\n", wantInstall: true,
			wantCmd:   "HELM_DATA_HOME=/d/helm-todo-helm4 HELM_PLUGINS=/d/helm-todo-helm4/plugins helm4 plugin install ",
			wantCalls: []string{"HELM_DATA_HOME=/d/helm-todo-helm4 HELM_PLUGINS=/d/helm-todo-helm4/plugins helm4 plugin uninstall helm-todo", "HELM_DATA_HOME=/d/helm-todo-helm4 HELM_PLUGINS=/d/helm-todo-helm4/plugins helm4 plugin install "},
			wantOut:   "is version 0.0.1, this todo plugin is 0.1.0: replacing it",
		},
		"replacing fails: the fix says none is left": {
			list: header + "helm-todo\t0.0.9\tpostrenderer/v1\tv1\tlocal dev\tunknown\n", installErr: errors.New("exit 1: Error: boom"),
			env: "HELM_DATA_HOME=\"/d\"\nHELM_PLUGINS=\"/d/plugins\"\n", wantErr: "boom", wantFix: "version 0.0.9 was uninstalled first, so none is installed now",
		},
		"up: helm-todo's own directory, with no Helm 3 around": {
			list: header, o: Options{Own: true}, wantInstall: true,
			wantCmd: "HELM_DATA_HOME=/d/helm-todo-helm4 HELM_PLUGINS=/d/helm-todo-helm4/plugins helm4 plugin install ",
			wantOut: "installed the helm-todo post-renderer plugin 0.1.0 into /d/helm-todo-helm4/plugins",
			wantNot: []string{"alias"},
		},
		"name taken by another type": {
			list:    header + "helm-todo\t9.9.9\tcli/v1\tlegacy\tlocal dev\tunknown\n",
			wantErr: "of type cli/v1 is already installed", wantFix: "helm4 plugin uninstall helm-todo",
		},
		"dry run": {list: header, dryRun: true, wantOut: "helm4 plugin install "},
		"installed where helm does not look": {
			list: header, installHidden: true, env: misplacedEnv,
			wantErr: "does not show helm-todo", wantFix: "unset HELM_PLUGINS or set it to /d/plugins",
		},
		"already exists where helm does not look": {
			list: header, installErr: errors.New("exit 1: Error: plugin already exists"), env: misplacedEnv,
			wantErr: "plugin already exists", wantFix: "run `ln -s /d/plugins/helm-todo-postrenderer /p/`",
		},
		"install fails, dirs agree": {
			list: header, installErr: errors.New("exit 1: Error: boom"), env: "HELM_DATA_HOME=\"/d\"\nHELM_PLUGINS=\"/d/plugins\"\n",
			wantErr: "boom", wantFix: "yourself to see Helm's full message",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := pluginDir(t)
			if tc.release != "" {
				must(t, os.WriteFile(filepath.Join(dir, ReleaseSourceFile), []byte(tc.release), 0o644))
			}
			helm := &fakeHelm{list: tc.list, ownList: tc.ownList, env: tc.env, installErr: tc.installErr, installHidden: tc.installHidden}
			var out bytes.Buffer
			o := tc.o
			o.HelmBin, o.PluginDir, o.Major, o.Runner, o.DryRun, o.Out = "helm4", dir, 4, helm, tc.dryRun, &out
			if tc.env == "" {
				o.DataHome, o.Plugins = "/d", "/d/plugins" // as Helm hands them to a plugin
			}
			if tc.helm3 {
				bin := t.TempDir()
				helm.helm3 = filepath.Join(bin, "helm3")
				must(t, os.WriteFile(helm.helm3, []byte("#!/bin/sh\n"), 0o755))
				o.PathEnv = bin
			}
			if tc.o.Own {
				o.DataHome = filepath.Join(t.TempDir(), "d") // up creates the own directory
				o.Plugins = filepath.Join(o.DataHome, "plugins")
				tc.wantCmd = strings.ReplaceAll(tc.wantCmd, "/d", o.DataHome)
				tc.wantOut = strings.ReplaceAll(tc.wantOut, "/d", o.DataHome)
				helm.ownEnv = "HELM_PLUGINS=" + filepath.Join(o.DataHome, OwnHomeName, "plugins")
			}
			err := Run(context.Background(), o)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if tc.wantFix == "" {
					t.Fatal("an error case names the fix it expects: an empty one checks nothing")
				}
				if fix := clierr.FixOf(err); !strings.Contains(fix, tc.wantFix) {
					t.Errorf("fix %q, want it to contain %q", fix, tc.wantFix)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			installed := false
			next := 0
			for _, c := range helm.calls {
				if next < len(tc.wantCalls) && strings.HasPrefix(c, tc.wantCalls[next]) {
					next++
				}
				if strings.Contains(c, "helm4 plugin install ") {
					installed = true
					want := tc.wantCmd
					if want == "" {
						want = "helm4 plugin install "
					}
					if strings.HasSuffix(want, " ") {
						want += filepath.Join(dir, "plugins", "helm-todo-postrenderer")
					}
					if c != want {
						t.Errorf("ran %q, want %q", c, want)
					}
				}
			}
			if next < len(tc.wantCalls) {
				t.Errorf("calls %q lack %q (in this order)", helm.calls, tc.wantCalls)
			}
			for _, n := range tc.wantNot {
				if strings.Contains(out.String(), n) {
					t.Errorf("output %q has %q", out.String(), n)
				}
			}
			if installed != tc.wantInstall {
				t.Errorf("install run = %v, want %v (calls %q)", installed, tc.wantInstall, helm.calls)
			}
			if !strings.Contains(out.String(), tc.wantOut) {
				t.Errorf("output %q lacks %q", out.String(), tc.wantOut)
			}
		})
	}
}

func TestHelm3LinksTheBinary(t *testing.T) {
	tests := map[string]struct {
		before      func(t *testing.T, link, bin string) // the state of link before Run
		onPath      bool
		dryRun      bool
		wantLink    bool
		wantOut     []string
		wantErr     string
		wantNoPATH  bool
		keepContent string // link is a file that must be left alone
	}{
		"fresh, bin dir not on PATH": {
			wantLink: true,
			wantOut:  []string{"linked ", "is not on your PATH", `export PATH="`},
		},
		"fresh, bin dir on PATH": {onPath: true, wantLink: true, wantOut: []string{"linked "}, wantNoPATH: true},
		"already linked": {
			before:   func(t *testing.T, link, bin string) { must(t, os.Symlink(bin, link)) },
			onPath:   true,
			wantLink: true,
			wantOut:  []string{"already links to"},
		},
		"stale link from an older install": {
			before:   func(t *testing.T, link, _ string) { must(t, os.Symlink("/old/plugin/bin/helm-todo", link)) },
			onPath:   true,
			wantLink: true,
			wantOut:  []string{"linked "},
		},
		"a real file is in the way": {
			before: func(t *testing.T, link, _ string) {
				must(t, os.WriteFile(link, []byte("someone else's"), 0o755))
			},
			wantErr:     "exists and is not a symbolic link",
			keepContent: "someone else's",
		},
		"dry run": {dryRun: true, wantOut: []string{"ln -sf "}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := pluginDir(t)
			// Helm 3 finds helm-todo on PATH; it must be the small binary.
			bin := filepath.Join(dir, "bin", "helm-todo-postrender")
			binDir := t.TempDir()
			link := filepath.Join(binDir, "helm-todo")
			if tc.before != nil {
				tc.before(t, link, bin)
			}
			path := "/usr/bin"
			if tc.onPath {
				path += string(os.PathListSeparator) + binDir
			}
			var out bytes.Buffer
			err := Run(context.Background(), Options{HelmBin: "helm3", PluginDir: dir, BinDir: binDir, PathEnv: path,
				Major: 3, Runner: &fakeHelm{}, DryRun: tc.dryRun, Out: &out})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if b, _ := os.ReadFile(link); string(b) != tc.keepContent {
					t.Errorf("the file in the way was changed to %q", b)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, lerr := os.Readlink(link)
			if tc.wantLink && (lerr != nil || got != bin) {
				t.Errorf("link -> %q (%v), want -> %q", got, lerr, bin)
			}
			if !tc.wantLink && lerr == nil {
				t.Errorf("dry run created %s -> %s", link, got)
			}
			for _, w := range tc.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output %q lacks %q", out.String(), w)
				}
			}
			if tc.wantNoPATH && strings.Contains(out.String(), "not on your PATH") {
				t.Errorf("output %q asks to change PATH although the dir is on it", out.String())
			}
		})
	}
}

func TestMissingBinaryIsAnError(t *testing.T) {
	err := Run(context.Background(), Options{HelmBin: "helm", PluginDir: t.TempDir(), Major: 3, Runner: &fakeHelm{}, Out: &bytes.Buffer{}})
	if err == nil || !strings.Contains(err.Error(), "bin/helm-todo-postrender") {
		t.Fatalf("err = %v, want one naming bin/helm-todo-postrender", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// With a Helm 3 around, a post-renderer plugin an earlier install left in
// the shared directory is named, with the command that removes it.
func TestHelm4NamesAnEarlierInstallInHelm3Sight(t *testing.T) {
	data := t.TempDir()
	old := filepath.Join(data, "plugins", "helm-todo-postrenderer", "plugin.yaml")
	must(t, os.MkdirAll(filepath.Dir(old), 0o755))
	must(t, os.WriteFile(old, []byte("apiVersion: v1\ntype: postrenderer/v1\nname: helm-todo\nversion: 0.0.9\n"), 0o644))
	bin := t.TempDir()
	helm := &fakeHelm{list: listHeader, helm3: filepath.Join(bin, "helm-3.22"), helm3Plugins: filepath.Join(data, "plugins"),
		ownEnv: "HELM_PLUGINS=" + filepath.Join(data, OwnHomeName, "plugins")}
	must(t, os.WriteFile(helm.helm3, []byte("#!/bin/sh\n"), 0o755))
	var out bytes.Buffer
	err := Run(context.Background(), Options{HelmBin: "helm4", PluginDir: pluginDir(t), Major: 4, Runner: helm, Out: &out,
		PathEnv: bin, DataHome: data, Plugins: filepath.Join(data, "plugins")})
	if err != nil {
		t.Fatal(err)
	}
	want := "warning: " + filepath.Dir(old) + ", an earlier install of this plugin, already keeps " + helm.helm3 + " from loading any plugin; remove it with `helm4 plugin uninstall helm-todo`"
	if !strings.Contains(out.String(), want) {
		t.Errorf("output %q lacks %q", out.String(), want)
	}
	if !strings.Contains(out.String(), "into "+filepath.Join(data, OwnHomeName, "plugins")) {
		t.Errorf("output %q: not installed into helm-todo's own directory", out.String())
	}
}

func TestHelmName(t *testing.T) {
	for name, want := range map[string]bool{
		"helm": true, "helm3": true, "helm4": true, "helm-3.22": true, "helmv3": true, "helm-v3.22.0": true, "helm.exe": true,
		"helm-todo": false, "helm-docs": false, "helmfile": false, "helm-todo-postrender": false, "xhelm": false,
	} {
		if got := helmName.MatchString(name); got != want {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
}

// up's own directory already holding this version is read from the
// manifest, with no helm started; any other manifest there is left to
// `helm plugin list` and the install, as before.
func TestUpFindsItsOwnPluginWithoutHelm(t *testing.T) {
	const manifest = "apiVersion: v1\ntype: postrenderer/v1\nname: helm-todo\nversion: \"0.1.0\"\nruntime: subprocess\n"
	tests := map[string]struct {
		manifest string // in <own>/helm-todo-postrenderer/plugin.yaml; "" for none
		dryRun   bool
		wantHelm bool
	}{
		"this version":        {manifest: manifest},
		"none":                {wantHelm: true},
		"another version":     {manifest: strings.Replace(manifest, "0.1.0", "0.0.9", 1), wantHelm: true},
		"another type":        {manifest: strings.Replace(manifest, "postrenderer/v1", "cli/v1", 1), wantHelm: true},
		"a Helm 3 manifest":   {manifest: "name: helm-todo\nversion: \"0.1.0\"\n", wantHelm: true},
		"unreadable manifest": {manifest: "name: [helm-todo\n", wantHelm: true},
		"dry run asks helm":   {manifest: manifest, dryRun: true, wantHelm: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			data := t.TempDir()
			if tc.manifest != "" {
				p := filepath.Join(data, OwnHomeName, "plugins", "helm-todo-postrenderer", "plugin.yaml")
				must(t, os.MkdirAll(filepath.Dir(p), 0o755))
				must(t, os.WriteFile(p, []byte(tc.manifest), 0o644))
			}
			helm := &fakeHelm{list: listHeader, ownEnv: "HELM_PLUGINS=" + filepath.Join(data, OwnHomeName, "plugins")}
			var out bytes.Buffer
			o := Options{HelmBin: "helm4", PluginDir: pluginDir(t), Major: 4, Runner: helm, Out: &out, Own: true, DryRun: tc.dryRun,
				DataHome: data, Plugins: filepath.Join(data, "plugins")}
			if err := Run(context.Background(), o); err != nil {
				t.Fatal(err)
			}
			if ran := len(helm.calls) > 0; ran != tc.wantHelm {
				t.Errorf("helm ran %q, want helm run: %v", helm.calls, tc.wantHelm)
			}
			if !tc.wantHelm && !strings.Contains(out.String(), "the helm-todo post-renderer plugin 0.1.0 is already installed in "+filepath.Join(data, OwnHomeName, "plugins")) {
				t.Errorf("output %q does not say it is installed", out.String())
			}
		})
	}
}

// TestOwnDirDanglingLinkIsReplaced: a local install's link into a checkout
// removed since made every later install into helm-todo's own directory fail
// ("symlink ...: file exists"), although Helm listed no plugin there. Only
// a link to nothing is removed; a link that resolves and a directory stay.
func TestOwnDirDanglingLinkIsReplaced(t *testing.T) {
	tests := map[string]struct {
		entry       func(t *testing.T, path string) // what is at <own>/helm-todo-postrenderer
		wantRemoved bool
	}{
		"dangling link": {
			entry:       func(t *testing.T, p string) { must(t, os.Symlink(filepath.Join(t.TempDir(), "gone"), p)) },
			wantRemoved: true,
		},
		"link that resolves": {
			entry: func(t *testing.T, p string) { must(t, os.Symlink(t.TempDir(), p)) },
		},
		"directory": {
			entry: func(t *testing.T, p string) { must(t, os.Mkdir(p, 0o755)) },
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			data := t.TempDir()
			own := filepath.Join(data, OwnHomeName, "plugins")
			must(t, os.MkdirAll(own, 0o755))
			entry := filepath.Join(own, "helm-todo-postrenderer")
			tc.entry(t, entry)
			helm := &fakeHelm{list: listHeader, ownEnv: "HELM_PLUGINS=" + own}
			var out bytes.Buffer
			o := Options{HelmBin: "helm4", PluginDir: pluginDir(t), Major: 4, Runner: helm, Out: &out, Own: true,
				DataHome: data, Plugins: filepath.Join(data, "plugins")}
			if err := Run(context.Background(), o); err != nil {
				t.Fatal(err)
			}
			_, err := os.Lstat(entry)
			if removed := errors.Is(err, os.ErrNotExist); removed != tc.wantRemoved {
				t.Errorf("entry removed = %v, want %v", removed, tc.wantRemoved)
			}
			if said := strings.Contains(out.String(), "removing "+entry); said != tc.wantRemoved {
				t.Errorf("output says it removes the entry = %v, want %v:\n%s", said, tc.wantRemoved, out.String())
			}
		})
	}
}
