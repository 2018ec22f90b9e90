package doctor

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/postrendersetup"
)

func TestContext(t *testing.T) {
	tests := []struct {
		kind, ctx, server string
		allow             bool
		want              Level
	}{
		{"minikube", "minikube", "https://192.168.49.2:8443", false, OK},
		{"kwok", "kwok-e2e", "https://127.0.0.1:32766", false, OK},
		{"other", "lab", "https://127.0.0.1:6443", false, OK},
		{"other", "lab", "https://[::1]:6443", false, OK},
		{"other", "prod", "https://k8s.example.com", false, Warn},
		{"other", "prod", "https://k8s.example.com", true, OK},
		{"", "", "", false, Fail},
	}
	for _, tc := range tests {
		if got := Context(tc.kind, tc.ctx, tc.server, tc.allow); got.Level != tc.want {
			t.Errorf("%s %s allow=%v: got %+v, want %s", tc.ctx, tc.server, tc.allow, got, tc.want)
		}
	}
}

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestStandalone(t *testing.T) {
	tests := map[string]struct {
		file, body string
		want       Level
	}{
		"mjs double quotes": {"next.config.mjs", `export default { output: "standalone" }`, OK},
		"js single quotes":  {"next.config.js", `module.exports = {output:'standalone'}`, OK},
		"missing option":    {"next.config.ts", `export default { reactStrictMode: true }`, Fail},
		"no config":         {"", "", Fail},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.file != "" {
				write(t, dir, tc.file, tc.body)
			}
			if got := Standalone(dir); got.Level != tc.want {
				t.Errorf("got %+v", got)
			}
		})
	}
}

func TestAPIURL(t *testing.T) {
	if got := APIURL(map[string]string{"helm-todo.yaml": "http://todo-backend.todo-app.svc.cluster.local:7860"}); got.Level != Warn || !strings.Contains(got.Detail, "helm-todo.yaml") {
		t.Errorf("cluster DNS: %+v", got)
	}
	if got := APIURL(map[string]string{"environment": "http://localhost:7860"}); got.Level != OK {
		t.Errorf("localhost: %+v", got)
	}
	if got := APIURL(nil); got.Level != OK {
		t.Errorf("unset: %+v", got)
	}
}

func TestSecretsNeverShowsValues(t *testing.T) {
	const canary = "CANARY-doctor-1234"
	env := write(t, t.TempDir(), ".env", "OPENROUTER_API_KEY="+canary+"\nBETTER_AUTH_SECRET="+canary+"\n")
	got := Secrets(env, true, func(string) string { return "" })
	if got.Level != Fail || !strings.Contains(got.Detail, "VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY") {
		t.Errorf("got %+v", got)
	}
	var out bytes.Buffer
	if failed := Print(&out, []Check{got}); failed != 1 {
		t.Errorf("failed = %d", failed)
	}
	if strings.Contains(out.String(), canary) {
		t.Errorf("checklist leaks a value:\n%s", out.String())
	}
	if Result([]Check{got, {Name: "x", Level: Warn}}) == nil || Result([]Check{{Name: "x", Level: Warn}}) != nil {
		t.Error("only failures fail")
	}
}

func TestPostRenderer(t *testing.T) {
	tests := map[string]struct {
		got       string
		err       error
		wantLevel Level
		wantFix   bool
	}{
		"same version":  {got: "0.1.0\n", wantLevel: OK},
		"other version": {got: "0.0.9\n", wantLevel: Fail, wantFix: true},
		"missing":       {err: errors.New("no such file or directory"), wantLevel: Fail, wantFix: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c := PostRenderer("/p/bin/helm-todo-postrender", tc.got, tc.err, "0.1.0")
			if c.Level != tc.wantLevel || (c.Fix != "") != tc.wantFix || !strings.Contains(c.Detail, "/p/bin/helm-todo-postrender") {
				t.Errorf("got %+v, want level %s, fix %v, detail naming the binary", c, tc.wantLevel, tc.wantFix)
			}
		})
	}
}

// Every way the secrets check fails or warns carries a fix line that fits,
// and none shows a value.
func TestSecretsFixLines(t *testing.T) {
	const canary = "CANARY-doctor-5678"
	full := "OPENROUTER_API_KEY=" + canary + "\nBETTER_AUTH_SECRET=" + canary + "\nVAPID_PRIVATE_KEY=" + canary + "\nVAPID_PUBLIC_KEY=" + canary + "\n"
	dir := t.TempDir()
	tests := map[string]struct {
		env       string
		explicit  bool
		wantLevel Level
		detail    string
		fix       string
	}{
		"all keys":      {env: write(t, dir, "ok.env", full), wantLevel: OK, detail: "keys present"},
		"missing keys":  {env: write(t, dir, "few.env", "OPENROUTER_API_KEY="+canary+"\n"), wantLevel: Fail, detail: "BETTER_AUTH_SECRET", fix: "add them to the env file"},
		"bad line":      {env: write(t, dir, "bad.env", "OPENROUTER_API_KEY "+canary+"\n"), wantLevel: Fail, detail: "bad.env:1", fix: "fix the line named above"},
		"directory":     {env: dir, explicit: true, wantLevel: Fail, detail: "is a directory", fix: "pass a dotenv file"},
		"missing file":  {env: filepath.Join(dir, "nope.env"), explicit: true, wantLevel: Fail, detail: "nope.env", fix: "create it"},
		"duplicate key": {env: write(t, dir, "dup.env", full+"OPENROUTER_API_KEY="+canary+"2\n"), wantLevel: Warn, detail: "dup.env:5: OPENROUTER_API_KEY is set again (first at line 1)", fix: "keep one line per key"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c := Secrets(tc.env, tc.explicit, func(string) string { return "" })
			if c.Level != tc.wantLevel || !strings.Contains(c.Detail, tc.detail) || !strings.Contains(c.Fix, tc.fix) || (tc.fix == "") != (c.Fix == "") {
				t.Errorf("got %+v, want level %s, detail with %q, fix with %q", c, tc.wantLevel, tc.detail, tc.fix)
			}
			if strings.Contains(c.Detail+c.Fix, canary) {
				t.Errorf("a value is shown: %+v", c)
			}
		})
	}
}

// A Helm 4 plugin manifest where a Helm 3 looks makes that Helm 3 load no
// plugin at all: the check names the file and the fix.
func TestHelm3Plugins(t *testing.T) {
	legacy := "name: todo\nversion: \"0.1.0\"\n"
	v1 := func(name string) string {
		return "apiVersion: v1\ntype: postrenderer/v1\nname: " + name + "\nversion: \"0.1.0\"\n"
	}
	tests := map[string]struct {
		files   map[string]string // under the Helm 3's plugin dir
		none    bool              // no Helm 3 at all
		want    Level
		wantIn  []string
		wantFix string
	}{
		"no Helm 3":           {none: true, want: Skip},
		"only legacy plugins": {files: map[string]string{"helm-todo/plugin.yaml": legacy}, want: OK, wantIn: []string{"helm3 (v3.22.0)"}},
		"the post-renderer where Helm 3 looks": {
			files:   map[string]string{"helm-todo/plugin.yaml": legacy, "helm-todo-postrenderer/plugin.yaml": v1("helm-todo")},
			want:    Warn,
			wantIn:  []string{"loads no plugin at all", filepath.Join("helm-todo-postrenderer", "plugin.yaml")},
			wantFix: "`helm4 plugin uninstall helm-todo`, then `helm todo install-postrenderer`",
		},
		"someone else's Helm 4 plugin": {
			files:   map[string]string{"other/plugin.yaml": v1("other")},
			want:    Warn,
			wantFix: "move ",
		},
		"a nested v1 manifest is not scanned": {files: map[string]string{"helm-todo/plugins/helm-todo-postrenderer/plugin.yaml": v1("helm-todo")}, want: OK},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			for f, body := range tc.files {
				p := filepath.Join(dir, f)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var h3 []postrendersetup.Helm3
			if !tc.none {
				h3 = []postrendersetup.Helm3{{Bin: "helm3", Version: "v3.22.0", Plugins: []string{filepath.Join(dir, "missing"), dir}}}
			}
			c := Helm3Plugins(h3, "helm4")
			if c.Level != tc.want {
				t.Fatalf("level %s, want %s: %+v", c.Level, tc.want, c)
			}
			for _, w := range tc.wantIn {
				if !strings.Contains(c.Detail, w) {
					t.Errorf("detail %q lacks %q", c.Detail, w)
				}
			}
			if !strings.Contains(c.Fix, tc.wantFix) {
				t.Errorf("fix %q lacks %q", c.Fix, tc.wantFix)
			}
		})
	}
}
