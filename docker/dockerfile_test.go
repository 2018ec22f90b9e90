package docker

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	digest "github.com/opencontainers/go-digest"
)

// dockerfile is what the tests expect of one shipped Dockerfile.
type dockerfile struct {
	file      string
	baseArg   string // the ARG naming the base image
	baseImage string // its default: the original app's base image
	stages    []string
	user      string
	port      string
	probe     []string // words the HEALTHCHECK command must contain
	cmd       []string
	buildArgs []string // ARGs the builder stage must declare
	env       map[string]string
	// builderOnly must be installed in the first stage and nowhere after it.
	builderOnly []string
	// finalFrom lists the paths the final stage must copy from earlier stages.
	finalFrom []string
}

var shipped = []dockerfile{
	{
		file:        "backend.Dockerfile",
		baseArg:     "PYTHON_IMAGE",
		baseImage:   "python:3.11-slim",
		stages:      []string{"builder", "production"},
		user:        "1000:1000",
		port:        "7860",
		probe:       []string{"python", "urllib", "/health"},
		cmd:         []string{"python", "-m", "uvicorn", "src.main:app", "--host", "0.0.0.0", "--port", "7860"},
		env:         map[string]string{"PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"},
		builderOnly: []string{"gcc", "libpq-dev", "build-essential"},
		finalFrom:   []string{"/install"},
	},
	{
		file:      "frontend.Dockerfile",
		baseArg:   "NODE_IMAGE",
		baseImage: "node:20-alpine",
		stages:    []string{"deps", "builder", "runner"},
		user:      "1000:1000",
		port:      "3000",
		probe:     []string{"node", "http", "3000"},
		cmd:       []string{"node", "server.js"},
		buildArgs: []string{"NEXT_PUBLIC_API_URL", "NEXT_PUBLIC_AUTH_URL", "NEXT_PUBLIC_VAPID_PUBLIC_KEY", "NEXT_PUBLIC_OPENAI_DOMAIN_KEY"},
		env:       map[string]string{"PORT": "3000", "HOSTNAME": "0.0.0.0", "NODE_ENV": "production"},
		// The runner must not carry the build toolchain either.
		builderOnly: []string{"gcc", "build-essential", "python3", "make", "g++"},
		finalFrom:   []string{"/app/public", "/app/.next/standalone", "/app/.next/static"},
	},
}

func parse(t *testing.T, file string) ([]instructions.Stage, []instructions.ArgCommand) {
	t.Helper()
	dt, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	ast, err := parser.Parse(bytes.NewReader(dt))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	stages, metaArgs, err := instructions.Parse(ast.AST, linter.New(&linter.Config{}))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return stages, metaArgs
}

func commands[T instructions.Command](s instructions.Stage) []T {
	var out []T
	for _, c := range s.Commands {
		if v, ok := c.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// runText is every RUN of a stage as one shell text, for package checks.
func runText(s instructions.Stage) string {
	var b strings.Builder
	for _, r := range commands[*instructions.RunCommand](s) {
		b.WriteString(strings.Join(r.CmdLine, " "))
		b.WriteString("\n")
	}
	return b.String()
}

func installs(text, pkg string) bool {
	return slices.Contains(strings.FieldsFunc(text, func(r rune) bool {
		return r == ' ' || r == '\n' || r == '\t' || r == '\\' || r == ';' || r == '&' || r == '|'
	}), pkg)
}

func TestShippedDockerfiles(t *testing.T) {
	for _, want := range shipped {
		t.Run(want.file, func(t *testing.T) {
			stages, metaArgs := parse(t, want.file)

			var names []string
			for _, s := range stages {
				names = append(names, s.Name)
				if s.BaseName != "${"+want.baseArg+"}" {
					t.Errorf("stage %s: FROM %s, want FROM ${%s} so the base is overridable", s.Name, s.BaseName, want.baseArg)
				}
			}
			if !slices.Equal(names, want.stages) {
				t.Errorf("stages = %v, want %v", names, want.stages)
			}

			var baseDefault string
			for _, a := range metaArgs {
				for _, kv := range a.Args {
					if kv.Key == want.baseArg && kv.Value != nil {
						baseDefault = *kv.Value
					}
				}
			}
			if baseDefault != want.baseImage {
				t.Errorf("ARG %s default = %q, want %q", want.baseArg, baseDefault, want.baseImage)
			}

			final := stages[len(stages)-1]
			users := commands[*instructions.UserCommand](final)
			if len(users) == 0 || users[len(users)-1].User != want.user {
				t.Errorf("final stage USER = %v, want %s (numeric, so runAsNonRoot can be verified)", users, want.user)
			}

			var ports []string
			for _, e := range commands[*instructions.ExposeCommand](final) {
				ports = append(ports, e.Ports...)
			}
			if !slices.Equal(ports, []string{want.port}) {
				t.Errorf("EXPOSE = %v, want [%s]", ports, want.port)
			}

			hcs := commands[*instructions.HealthCheckCommand](final)
			if len(hcs) != 1 {
				t.Fatalf("final stage has %d HEALTHCHECKs, want 1", len(hcs))
			}
			test := hcs[0].Health.Test
			if len(test) < 2 || test[0] != "CMD" {
				t.Errorf("HEALTHCHECK %v: want the exec form, which needs no shell", test)
			}
			probe := strings.Join(test, " ")
			for _, w := range want.probe {
				if !strings.Contains(probe, w) {
					t.Errorf("HEALTHCHECK %q lacks %q", probe, w)
				}
			}
			if strings.Contains(probe, "curl") || strings.Contains(probe, "wget") {
				t.Errorf("HEALTHCHECK %q uses a tool slim images lack", probe)
			}

			cmds := commands[*instructions.CmdCommand](final)
			if len(cmds) != 1 || cmds[0].PrependShell || !slices.Equal(cmds[0].CmdLine, want.cmd) {
				t.Errorf("CMD = %+v, want exec form %q", cmds, want.cmd)
			}

			env := map[string]string{}
			for _, e := range commands[*instructions.EnvCommand](final) {
				for _, kv := range e.Env {
					env[kv.Key] = kv.Value
				}
			}
			for k, v := range want.env {
				if env[k] != v {
					t.Errorf("final ENV %s = %q, want %q", k, env[k], v)
				}
			}

			var declared []string
			for _, s := range stages {
				for _, a := range commands[*instructions.ArgCommand](s) {
					for _, kv := range a.Args {
						declared = append(declared, kv.Key)
					}
				}
			}
			for _, a := range want.buildArgs {
				if !slices.Contains(declared, a) {
					t.Errorf("no ARG %s in any stage", a)
				}
			}
			// Anything but a public build-time value would end up in the
			// image history.
			for _, a := range declared {
				if !strings.HasPrefix(a, "NEXT_PUBLIC_") {
					t.Errorf("ARG %s in a stage: only NEXT_PUBLIC_* values may be build args", a)
				}
			}

			if want.file == "backend.Dockerfile" {
				builder := runText(stages[0])
				for _, p := range []string{"gcc", "libpq-dev"} {
					if !installs(builder, p) {
						t.Errorf("builder stage does not install %s", p)
					}
				}
				if !strings.Contains(builder, "pip install") || !strings.Contains(builder, "-r requirements.txt") {
					t.Errorf("builder stage must pip install -r requirements.txt, runs:\n%s", builder)
				}
			}
			for _, s := range stages[1:] {
				text := runText(s)
				for _, p := range want.builderOnly {
					if installs(text, p) {
						t.Errorf("stage %s installs %s, a build-only package", s.Name, p)
					}
				}
			}

			var copied []string
			for _, c := range commands[*instructions.CopyCommand](final) {
				if c.From != "" {
					copied = append(copied, c.SourcePaths...)
				}
			}
			for _, p := range want.finalFrom {
				if !slices.Contains(copied, p) {
					t.Errorf("final stage does not COPY --from an earlier stage %s (copies %v)", p, copied)
				}
			}
		})
	}
}

// fakeResolver answers for any base image with a minimal config of this
// machine's platform, so the lint runs offline.
type fakeResolver struct{}

func (fakeResolver) ResolveImageConfig(_ context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	cfg, err := json.Marshal(map[string]any{
		"architecture": runtime.GOARCH,
		"os":           "linux",
		"config":       map[string]any{"Env": []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}},
		"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + strings.Repeat("0", 64)}},
	})
	return ref, "", cfg, err
}

func lint(t *testing.T, file string) []string {
	t.Helper()
	dt, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// The lint result records its source as an LLB definition, as it
	// would inside a BuildKit frontend.
	src := llb.Local("dockerfile")
	sm := llb.NewSourceMap(&src, file, "Dockerfile", dt)
	if sm.Definition, err = src.Marshal(context.Background()); err != nil {
		t.Fatal(err)
	}
	res, err := dockerfile2llb.DockerfileLint(context.Background(), dt, dockerfile2llb.ConvertOpt{
		MetaResolver: fakeResolver{},
		SourceMap:    sm,
	})
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if res.Error != nil {
		t.Fatalf("%s: lint could not finish: %s", file, res.Error.Message)
	}
	var out []string
	for _, w := range res.Warnings {
		line := 0
		if w.Location != nil && len(w.Location.Ranges) > 0 {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		out = append(out, fmt.Sprintf("%s:%d: %s: %s", file, line, w.RuleName, w.Detail))
	}
	return out
}

func TestShippedDockerfilesLintClean(t *testing.T) {
	for _, d := range shipped {
		t.Run(d.file, func(t *testing.T) {
			if ws := lint(t, d.file); len(ws) > 0 {
				t.Errorf("BuildKit's linter warns:\n%s", strings.Join(ws, "\n"))
			}
		})
	}
}

// The clean result above means something only if the linter, run the same
// way, does report the rules a Dockerfile can break.
func TestLinterCatchesBadDockerfile(t *testing.T) {
	ws := strings.Join(lint(t, "testdata/lint-bad.Dockerfile"), "\n")
	for _, rule := range []string{"ConsistentInstructionCasing", "StageNameCasing", "SecretsUsedInArgOrEnv", "UndefinedVar", "JSONArgsRecommended"} {
		if !strings.Contains(ws, rule) {
			t.Errorf("linter did not report %s; got:\n%s", rule, ws)
		}
	}
}

func TestDockerignore(t *testing.T) {
	for _, tc := range []struct {
		file     string
		excluded []string
		kept     []string
	}{
		{
			file:     "backend.dockerignore",
			excluded: []string{".env", ".env.local", "src/__pycache__/main.cpython-311.pyc", ".venv/bin/python", ".git/HEAD"},
			kept:     []string{"requirements.txt", "src/main.py", "migrations/env.py", "migrations/versions/0001_create_todos.py", "alembic.ini"},
		},
		{
			file:     "frontend.dockerignore",
			excluded: []string{"node_modules/next/package.json", ".next/BUILD_ID", ".env", ".env.production", ".git/HEAD"},
			kept:     []string{"package.json", "package-lock.json", "next.config.mjs", "app/page.js", "public/robots.txt"},
		},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			patterns, err := ignorefile.ReadAll(f)
			if err != nil {
				t.Fatal(err)
			}
			pm, err := patternmatcher.New(patterns)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range tc.excluded {
				if ok, _ := pm.MatchesOrParentMatches(p); !ok {
					t.Errorf("%s is sent to the build context; want it ignored", p)
				}
			}
			for _, p := range tc.kept {
				if ok, _ := pm.MatchesOrParentMatches(p); ok {
					t.Errorf("%s is ignored; the Dockerfile needs it", p)
				}
			}
		})
	}
}

// TestCodeCopiedLast: the backend's code is the final stage's last layer,
// after the settings and the files that change less, so that with a layer
// cache a code edit rebuilds one layer (buildah --layers commits one image
// per instruction after the first changed one).
func TestCodeCopiedLast(t *testing.T) {
	stages, _ := parse(t, "backend.Dockerfile")
	final := stages[len(stages)-1]
	cmds := final.Commands
	last, ok := cmds[len(cmds)-1].(*instructions.CopyCommand)
	if !ok || last.From != "" || !slices.Equal(last.SourcePaths, []string{"src/"}) {
		t.Fatalf("the final stage ends with %v, want COPY src/ (the code, which changes most)", cmds[len(cmds)-1])
	}
	seen := false
	for _, c := range cmds {
		cp, isCopy := c.(*instructions.CopyCommand)
		if isCopy && cp.From == "" {
			seen = true
			continue
		}
		if seen {
			t.Errorf("%v after a COPY from the context: every edit there would rebuild it too; put it before", c)
		}
	}
}

// TestFrontendBuildCaches: npm's download cache and Next.js's compiler cache
// are cache mounts, which outlive the layers they are used in, so a
// frontend edit's `next build` reuses what the last build compiled.
func TestFrontendBuildCaches(t *testing.T) {
	stages, _ := parse(t, "frontend.Dockerfile")
	want := map[string]string{"npm ci": "/root/.npm", "npm run build": "/app/.next/cache"}
	for _, s := range stages {
		for _, r := range commands[*instructions.RunCommand](s) {
			line := strings.Join(r.CmdLine, " ")
			// --mount values are parsed when the command is expanded.
			if err := r.Expand(func(w string) (string, error) { return w, nil }); err != nil {
				t.Fatalf("RUN %s: %v", line, err)
			}
			for cmd, target := range want {
				if !strings.Contains(line, cmd) {
					continue
				}
				for _, m := range instructions.GetMounts(r) {
					if m.Type == instructions.MountTypeCache && m.Target == target {
						delete(want, cmd)
					}
				}
			}
		}
	}
	for cmd, target := range want {
		t.Errorf("no RUN %s with a cache mount on %s", cmd, target)
	}
}
