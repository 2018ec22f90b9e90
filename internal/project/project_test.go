package project

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if strings.HasSuffix(p, "/") {
			if err := os.MkdirAll(full, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestParseStrict(t *testing.T) {
	tests := map[string]struct {
		yaml string
		want string // substring of the error, "" for success
		fix  string // substring of the fix line
	}{
		"empty":          {yaml: "", want: ""},
		"full":           {yaml: "release: r\nnamespace: ns\nbackend: {context: api, image: me/api}\nfrontend: {context: web}\nbuildArgs: {NEXT_PUBLIC_API_URL: http://x}\nvaluesFiles: [v.yaml]\nenvFile: secrets.env\nbuild: {builder: podman, registry: r.io/me}\n"},
		"number is text": {yaml: "release: 42\n", want: ""},
		"unknown top":    {yaml: "release: r\nrelase: typo\n", want: `line 2: unknown field "relase"`, fix: "fix the field's name or remove it"},
		"unknown nested": {yaml: "backend:\n  contxt: api\n", want: `line 2: unknown field "contxt"`, fix: "name"},
		"misspelt arg":   {yaml: "buildArgs:\n  NEXT_PUBLIC_API_URI: x\n", want: `unknown field "NEXT_PUBLIC_API_URI"`, fix: "name"},
		"wrong type":     {yaml: "valuesFiles: one.yaml\n", want: `line 1: valuesFiles is the string "one.yaml"; expected a list of strings`, fix: "type named above"},
		"args not a map": {yaml: "release: r\nbuildArgs: hello\n", want: `line 2: buildArgs is the string "hello"; expected a mapping with the fields NEXT_PUBLIC_API_URL,`, fix: "type named above"},
		"map for string": {yaml: "build:\n  builder: {a: b}\n", want: "line 2: build.builder is a mapping; expected a string", fix: "type named above"},
		"list item":      {yaml: "valuesFiles:\n  - a.yaml\n  - [b]\n", want: "line 3: valuesFiles[1] is a list; expected a string"},
		"two wrong":      {yaml: "backend: x\nfrontend: 3\n", want: `line 1: backend is the string "x"; expected a mapping with the fields context, image; line 2: frontend is the number "3"`},
		"type and typo":  {yaml: "release: [a]\nrelase: b\n", want: `line 1: release is a list; expected a string; line 2: unknown field "relase"`, fix: "fix the fields named above"},
		"not a mapping":  {yaml: "hello\n", want: `line 1: helm-todo.yaml is the string "hello"; expected a mapping with the fields release, namespace,`},
		"bad indent":     {yaml: "release: a\n  bad: x\n", want: "line 2: mapping values are not allowed", fix: "fix the YAML syntax"},
		"tab":            {yaml: "backend:\n\tcontext: api\n", want: "line 2 is indented with a tab", fix: "never tabs"},
		"two documents":  {yaml: "release: a\n---\nrelease: b\n", want: "more than one YAML document"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("helm-todo.yaml", strings.NewReader(tc.yaml))
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || clierr.ExitCode(err) != clierr.ExitUsage || clierr.FixOf(err) == "" {
				t.Fatalf("got %v, want a usage error containing %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), "helm-todo.yaml") {
				t.Errorf("error does not name the file: %v", err)
			}
			if strings.Contains(err.Error(), "project.") || strings.Contains(err.Error(), "[]string") || strings.Contains(err.Error(), "!!") {
				t.Errorf("error shows Go or YAML types: %v", err)
			}
			if fix := clierr.FixOf(err); !strings.Contains(fix, tc.fix) {
				t.Errorf("fix %q does not fit; want it to contain %q", fix, tc.fix)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	plugin := tree(t, map[string]string{"examples/todo-backend/": "", "examples/todo-frontend/": ""})
	tests := map[string]struct {
		files            map[string]string
		sub              string // working directory below the root
		backend, front   string // want, relative to root ("@" = plugin)
		release, ns, env string
		notes            []string
		wantErr          string
	}{
		"seed layout, no config": {files: map[string]string{"phase-3/backend/": "", "phase-3/frontend/": "", "backend/": ""},
			backend: "phase-3/backend", front: "phase-3/frontend", release: "todo", ns: "todo-app", env: ".env", notes: []string{"no helm-todo.yaml"}},
		"plain layout": {files: map[string]string{"backend/": "", "frontend/": ""},
			backend: "backend", front: "frontend", release: "todo", ns: "todo-app", env: ".env"},
		"config found from a subdirectory": {files: map[string]string{"helm-todo.yaml": "release: chat\nnamespace: chat-ns\nbackend: {context: svc/api}\nfrontend: {context: svc/web, image: web}\nenvFile: conf/app.env\n", "svc/api/": "", "svc/web/": "", "svc/web/src/": ""},
			sub: "svc/web/src", backend: "svc/api", front: "svc/web", release: "chat", ns: "chat-ns", env: "conf/app.env"},
		"no app: the plugin's examples": {files: map[string]string{"README.md": "x"},
			backend: "@examples/todo-backend", front: "@examples/todo-frontend", release: "todo", ns: "todo-app", env: ".env", notes: []string{"no app found", "example apps"}},
		"configured context missing": {files: map[string]string{"helm-todo.yaml": "backend: {context: api}\n", "frontend/": ""},
			wantErr: "backend build context"},
		"only a frontend": {files: map[string]string{"frontend/": ""}, wantErr: "no backend build context"},
		"bad config":      {files: map[string]string{"helm-todo.yaml": "bakend: {}\n"}, wantErr: `unknown field "bakend"`},
		"missing values file": {files: map[string]string{"helm-todo.yaml": "valuesFiles: [local.yaml]\n", "backend/": "", "frontend/": ""},
			wantErr: "values file local.yaml"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			root := tree(t, tc.files)
			p, err := Load(filepath.Join(root, tc.sub), plugin)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || clierr.FixOf(err) == "" {
					t.Fatalf("got %v, want ~%q with a fix", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			where := func(s string) string {
				if rest, ok := strings.CutPrefix(s, "@"); ok {
					return filepath.Join(plugin, rest)
				}
				return filepath.Join(root, s)
			}
			if p.Backend.Context != where(tc.backend) || p.Frontend.Context != where(tc.front) {
				t.Errorf("contexts %s %s, want %s %s", p.Backend.Context, p.Frontend.Context, where(tc.backend), where(tc.front))
			}
			if p.Release != tc.release || p.Namespace != tc.ns || p.EnvFile != filepath.Join(root, tc.env) {
				t.Errorf("got release %s ns %s env %s", p.Release, p.Namespace, p.EnvFile)
			}
			if p.Backend.Example != strings.HasPrefix(tc.backend, "@") {
				t.Errorf("Example = %v", p.Backend.Example)
			}
			notes := strings.Join(p.Notes, "\n")
			for _, n := range tc.notes {
				if !strings.Contains(notes, n) {
					t.Errorf("notes lack %q:\n%s", n, notes)
				}
			}
		})
	}
}

func TestBuildArgsAndImages(t *testing.T) {
	root := tree(t, map[string]string{"helm-todo.yaml": "buildArgs:\n  NEXT_PUBLIC_API_URL: http://localhost:7860\n  NEXT_PUBLIC_OPENAI_DOMAIN_KEY: dk\n", "backend/": "", "frontend/": ""})
	p, err := Load(root, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"NEXT_PUBLIC_API_URL": "http://localhost:7860", "NEXT_PUBLIC_OPENAI_DOMAIN_KEY": "dk"}
	if len(p.Frontend.BuildArgs) != len(want) || p.Frontend.BuildArgs["NEXT_PUBLIC_API_URL"] != want["NEXT_PUBLIC_API_URL"] || p.Frontend.BuildArgs["NEXT_PUBLIC_OPENAI_DOMAIN_KEY"] != "dk" {
		t.Errorf("frontend args %v", p.Frontend.BuildArgs)
	}
	if len(p.Backend.BuildArgs) != 0 {
		t.Errorf("the backend gets no NEXT_PUBLIC args: %v", p.Backend.BuildArgs)
	}
	if p.Backend.Image != "todo-backend" || p.Frontend.Image != "todo-frontend" {
		t.Errorf("images %s %s", p.Backend.Image, p.Frontend.Image)
	}
}

func TestCheck(t *testing.T) {
	tests := map[string]struct {
		app     string
		files   map[string]string
		wantErr string
		warn    string
	}{
		"backend ok":            {app: "backend", files: map[string]string{"requirements.txt": ""}},
		"backend without reqs":  {app: "backend", files: map[string]string{"src/main.py": ""}, wantErr: "requirements.txt"},
		"frontend ok":           {app: "frontend", files: map[string]string{"package.json": "{}", "next.config.mjs": "export default { output: 'standalone' }\n"}},
		"frontend ts config ok": {app: "frontend", files: map[string]string{"package.json": "{}", "next.config.ts": "const c = {\n  output: \"standalone\",\n};\nexport default c\n"}},
		"no package.json":       {app: "frontend", files: map[string]string{"next.config.js": ""}, wantErr: "package.json"},
		"not standalone":        {app: "frontend", files: map[string]string{"package.json": "{}", "next.config.js": "module.exports = { reactStrictMode: true }\n"}, warn: `has no ` + "`" + `output: "standalone"`},
		"no next config":        {app: "frontend", files: map[string]string{"package.json": "{}"}, warn: "no next.config"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			warnings, err := App{Name: tc.app, Context: tree(t, tc.files)}.Check()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || clierr.FixOf(err) == "" {
					t.Fatalf("got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(warnings, "\n")
			if (tc.warn == "") != (got == "") || !strings.Contains(got, tc.warn) {
				t.Errorf("warnings %q, want ~%q", got, tc.warn)
			}
		})
	}
}

func TestEnvFileSet(t *testing.T) {
	for _, tc := range []struct {
		envFile string
		want    bool
	}{{"", false}, {"missing.env", true}} {
		p, err := Resolve(&File{EnvFile: tc.envFile}, t.TempDir(), "", "../..")
		if err != nil {
			t.Fatal(err)
		}
		if p.EnvFileSet != tc.want {
			t.Errorf("envFile %q: EnvFileSet %v", tc.envFile, p.EnvFileSet)
		}
	}
}
