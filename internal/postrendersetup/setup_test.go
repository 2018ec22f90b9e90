package postrendersetup

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/command"
)

func TestParsePluginList(t *testing.T) {
	tests := map[string]struct {
		out  string
		want map[string]string
	}{
		"helm 3": {
			out:  "NAME\tVERSION\tDESCRIPTION\ntodo\t0.1.0\trun the Todo chatbot\ndiff\t3.9.0\tPreview helm upgrade\n",
			want: map[string]string{"todo": "", "diff": ""},
		},
		"helm 4": {
			out:  "NAME     \tVERSION\tTYPE           \tAPIVERSION\tPROVENANCE\tSOURCE \nhelm-todo\t0.1.0  \tpostrenderer/v1\tv1        \tlocal dev \tunknown\ntodo\t0.1.0\tcli/v1\tlegacy\tlocal dev\tunknown\n",
			want: map[string]string{"helm-todo": "postrenderer/v1", "todo": "cli/v1"},
		},
		"none":  {out: "NAME\tVERSION\tDESCRIPTION\n", want: map[string]string{}},
		"empty": {out: "", want: map[string]string{}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := ParsePluginList(tc.out)
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s: got type %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

// fakeHelm answers `helm plugin list` with list and records every command.
// fakeHelm answers like helm: plugin list shows what plugin install added,
// unless installHidden (Helm 4 installing where it does not look).
type fakeHelm struct {
	list          string
	env           string // `helm env` output
	installErr    error
	installHidden bool
	calls         []string
}

func (f *fakeHelm) Run(_ context.Context, c command.Cmd) (command.Result, error) {
	f.calls = append(f.calls, c.String())
	switch {
	case len(c.Args) >= 2 && c.Args[0] == "plugin" && c.Args[1] == "list":
		return command.Result{Stdout: []byte(f.list)}, nil
	case len(c.Args) >= 2 && c.Args[0] == "plugin" && c.Args[1] == "install":
		if f.installErr != nil {
			return command.Result{}, f.installErr
		}
		if !f.installHidden {
			f.list += "helm-todo\t0.1.0\tpostrenderer/v1\tv1\tlocal dev\tunknown\n"
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
	const header = "NAME\tVERSION\tTYPE\tAPIVERSION\tPROVENANCE\tSOURCE\n"
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
			helm := &fakeHelm{list: tc.list, env: tc.env, installErr: tc.installErr, installHidden: tc.installHidden}
			var out bytes.Buffer
			o := tc.o
			o.HelmBin, o.PluginDir, o.Major, o.Runner, o.DryRun, o.Out = "helm4", dir, 4, helm, tc.dryRun, &out
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
			for _, c := range helm.calls {
				if strings.HasPrefix(c, "helm4 plugin install ") {
					installed = true
					want := tc.wantCmd
					if want == "" {
						want = "helm4 plugin install " + filepath.Join(dir, "plugins", "helm-todo-postrenderer")
					}
					if c != want {
						t.Errorf("ran %q, want %q", c, want)
					}
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
