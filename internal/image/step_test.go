package image

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/testsupport/standin"
)

// fixture is an app context plus a Dockerfile and dockerignore named as
// the plugin ships them.
func fixture(t *testing.T) Spec {
	t.Helper()
	app := writeTree(t, map[string]string{"src/main.py": "print(1)\n", "requirements.txt": "fastapi\n", "node_modules/big.js": "x"})
	plugin := writeTree(t, map[string]string{
		"docker/backend.Dockerfile":   "FROM python:3.11-slim\nCOPY . /app\n",
		"docker/backend.dockerignore": "node_modules\n",
	})
	return Spec{
		Component:  "backend",
		Context:    app,
		Dockerfile: filepath.Join(plugin, "docker/backend.Dockerfile"),
		IgnoreFile: filepath.Join(plugin, "docker/backend.dockerignore"),
		Name:       "todo-backend",
		Args:       map[string]string{},
	}
}

func newStep(t *testing.T, spec Spec, b Builder) *BuildStep {
	t.Helper()
	s, err := NewBuildStep(spec, b, command.Exec{})
	if err != nil {
		t.Fatal(err)
	}
	s.StageDir = filepath.Join(t.TempDir(), "stage")
	return s
}

func TestBuildStepSkipsUnchanged(t *testing.T) {
	for _, kind := range []Kind{Docker, Podman, Buildah} {
		t.Run(string(kind), func(t *testing.T) {
			rig := standin.Install(t)
			spec := fixture(t)
			b := Builder{Kind: kind}
			if kind == Buildah {
				b.GlobalArgs = []string{"--storage-driver", "vfs"}
			}
			s := newStep(t, spec, b)
			ref := s.Ref()
			df, ig := s.stagedPaths()

			var out bytes.Buffer
			if err := s.Run(context.Background(), &out); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			want := []string{
				argv(s.Builder.ExistsCmd(ref)),
				argv(s.buildCmd(df, ig)),
				argv(s.Builder.SizeCmd(ref)),
			}
			assertCalls(t, rig, want)
			if !s.Result.Built || s.Result.Size == "" || !strings.Contains(out.String(), "built "+ref) {
				t.Errorf("result %+v, output:\n%s", s.Result, out.String())
			}

			// The same inputs again: the tag exists, nothing is built.
			rig.ResetCalls()
			again := newStep(t, spec, b)
			if again.Tag != s.Tag {
				t.Fatalf("unchanged inputs gave a new tag: %s -> %s", s.Tag, again.Tag)
			}
			out.Reset()
			if err := again.Run(context.Background(), &out); err != nil {
				t.Fatal(err)
			}
			// One builder start: the size is for `helm todo build`'s report only.
			assertCalls(t, rig, []string{argv(s.Builder.ExistsCmd(ref))})
			if again.Result.Built || !strings.Contains(out.String(), "build skipped") {
				t.Errorf("second run built: %+v\n%s", again.Result, out.String())
			}

			// --force builds even so.
			rig.ResetCalls()
			again.Force = true
			if err := again.Run(context.Background(), &out); err != nil {
				t.Fatal(err)
			}
			if calls := rig.Lines(); len(calls) != 2 || !strings.Contains(calls[0], " build ") {
				t.Errorf("--force: calls %q, want build then size", calls)
			}

			// One changed source file: a new tag, so a build.
			if err := os.WriteFile(filepath.Join(spec.Context, "src/main.py"), []byte("print(2)\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			changed := newStep(t, spec, b)
			if changed.Tag == s.Tag {
				t.Fatalf("a changed source file kept the tag %s", s.Tag)
			}
			if err := changed.Run(context.Background(), &out); err != nil || !changed.Result.Built {
				t.Fatalf("changed source: built=%v err=%v", changed.Result.Built, err)
			}
		})
	}
}

// argv is a command as the stand-in records it: unquoted, space-joined.
func argv(c command.Cmd) string { return strings.Join(append([]string{c.Name}, c.Args...), " ") }

func assertCalls(t *testing.T, rig *standin.Rig, want []string) {
	t.Helper()
	got := rig.Lines()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("calls:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// docker has no --ignorefile: the dockerignore must sit beside a copy of
// the Dockerfile as <name>.dockerignore, where BuildKit looks for it.
func TestDockerStagesDockerignore(t *testing.T) {
	rig := standin.Install(t, "docker")
	spec := fixture(t)
	s := newStep(t, spec, Builder{Kind: Docker})
	if err := s.Run(context.Background(), new(bytes.Buffer)); err != nil {
		t.Fatal(err)
	}
	calls := rig.Calls()
	build := calls[1]
	df := build[3]
	if build[1] != "build" || build[2] != "-f" || filepath.Base(df) != "backend.Dockerfile" || df == spec.Dockerfile {
		t.Fatalf("build call %q does not use a staged Dockerfile", build)
	}
	for staged, orig := range map[string]string{df: spec.Dockerfile, df + ".dockerignore": spec.IgnoreFile} {
		a, err1 := os.ReadFile(staged)
		b, err2 := os.ReadFile(orig)
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Errorf("staged %s differs from %s (%v %v)", staged, orig, err1, err2)
		}
	}
	if d := s.Describe(); !strings.Contains(strings.Join(d, "\n"), "-f "+df+" ") {
		t.Errorf("--dry-run shows another Dockerfile path than the build uses:\n%s", strings.Join(d, "\n"))
	}
}

func TestBuildStepErrors(t *testing.T) {
	t.Run("docker daemon down", func(t *testing.T) {
		rig := standin.Install(t, "docker")
		rig.DockerDown()
		err := newStep(t, fixture(t), Builder{Kind: Docker}).Run(context.Background(), new(bytes.Buffer))
		if err == nil || !strings.Contains(err.Error(), "docker daemon is not answering") || !strings.Contains(clierr.FixOf(err), "--builder buildah") {
			t.Fatalf("got %v / fix %q", err, clierr.FixOf(err))
		}
		if calls := rig.Lines(); len(calls) != 1 {
			t.Errorf("after the daemon failed to answer, it still ran %q", calls)
		}
	})
	t.Run("docker not installed", func(t *testing.T) {
		standin.Install(t, "buildah")
		err := newStep(t, fixture(t), Builder{Kind: Docker}).Run(context.Background(), new(bytes.Buffer))
		if err == nil || !strings.Contains(err.Error(), "docker not found on PATH") || clierr.FixOf(err) == "" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("failing build surfaces the builder's last line", func(t *testing.T) {
		rig := standin.Install(t, "buildah")
		line := `Error: building at STEP "COPY missing /x": checking on sources under "/app": copier: stat: "/missing": no such file or directory`
		rig.FailBuild("STEP 1/2: FROM scratch\n" + line)
		err := newStep(t, fixture(t), Builder{Kind: Buildah}).Run(context.Background(), new(bytes.Buffer))
		if err == nil || !strings.HasSuffix(err.Error(), line) || strings.Count(err.Error(), "\n") != 0 {
			t.Fatalf("got %q, want one line ending with buildah's own error", err)
		}
		if !strings.HasPrefix(err.Error(), "buildah exited with code 1") {
			t.Errorf("got %q", err)
		}
	})
	t.Run("missing Dockerfile", func(t *testing.T) {
		spec := fixture(t)
		spec.Dockerfile += ".missing"
		_, err := NewBuildStep(spec, Builder{Kind: Docker}, command.Exec{})
		if err == nil || !strings.Contains(err.Error(), "backend Dockerfile") || !strings.Contains(err.Error(), "does not exist") || clierr.ExitCode(err) != clierr.ExitUsage {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("missing context", func(t *testing.T) {
		spec := fixture(t)
		spec.Context = filepath.Join(spec.Context, "nope")
		_, err := NewBuildStep(spec, Builder{Kind: Docker}, command.Exec{})
		if err == nil || !strings.Contains(err.Error(), "backend build context") || clierr.FixOf(err) == "" {
			t.Fatalf("got %v", err)
		}
	})
}

func TestDryRunRunsNothing(t *testing.T) {
	rig := standin.Install(t)
	var out bytes.Buffer
	s, err := NewBuildStep(fixture(t), Builder{Kind: Podman}, command.DryRun{Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	s.Force = true
	if err := s.Run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	if calls := rig.Lines(); len(calls) != 0 {
		t.Errorf("dry run ran %q", calls)
	}
	if !strings.Contains(out.String(), "podman build --format docker -f ") {
		t.Errorf("dry run printed:\n%s", out.String())
	}
}

// Without a shipped dockerignore, podman and buildah must not fall back to
// the context's own .dockerignore, which the tag did not account for.
func TestNoIgnoreFileMeansNone(t *testing.T) {
	spec := fixture(t)
	os.Remove(spec.IgnoreFile)
	os.WriteFile(filepath.Join(spec.Context, ".dockerignore"), []byte("src\n"), 0o644)
	s := newStep(t, spec, Builder{Kind: Buildah})
	if d := strings.Join(s.Describe(), "\n"); !strings.Contains(d, "--ignorefile "+os.DevNull+" ") {
		t.Errorf("build does not override the context's .dockerignore:\n%s", d)
	}
}
