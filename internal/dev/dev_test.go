package dev

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/delivery"
	"github.com/helm-todo/helm-todo/internal/deploy"
	"github.com/helm-todo/helm-todo/internal/image"
	"github.com/helm-todo/helm-todo/internal/kubeclient"
	"github.com/helm-todo/helm-todo/internal/settings"
	"github.com/helm-todo/helm-todo/internal/up"
)

// syncBuffer is the terminal, read while dev writes it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// project is two build contexts, their Dockerfiles and dockerignores, an
// env file and a values file.
type project struct {
	root, env, values string
	specs             []image.Spec
}

func newProject(t *testing.T) *project {
	root := t.TempDir()
	p := &project{root: root, env: filepath.Join(root, ".env"), values: filepath.Join(root, "values-dev.yaml")}
	writeFile(t, p.env, "OPENROUTER_API_KEY=a\n")
	writeFile(t, p.values, "backend:\n  replicaCount: 1\n")
	// In this order: the recorder's tags are [backend, frontend] (a map's
	// order is random, which made this test fail one run in three).
	for _, cs := range [][2]string{{"backend", "src/main.py"}, {"frontend", "app/page.tsx"}} {
		comp, src := cs[0], cs[1]
		ctx := filepath.Join(root, comp)
		writeFile(t, filepath.Join(ctx, src), "v1")
		writeFile(t, filepath.Join(root, "docker", comp+".Dockerfile"), "FROM scratch\n")
		writeFile(t, filepath.Join(root, "docker", comp+".dockerignore"), "**/__pycache__\nnode_modules\n*.log\n")
		p.specs = append(p.specs, image.Spec{Component: comp, Context: ctx, Name: "todo-" + comp,
			Dockerfile: filepath.Join(root, "docker", comp+".Dockerfile"), IgnoreFile: filepath.Join(root, "docker", comp+".dockerignore")})
	}
	return p
}

// recorder stands in for up: it plans the builds from the files as they
// are now (as up does) and records which tags each cycle had.
type recorder struct {
	p      *project
	mu     sync.Mutex
	cycles [][2]string // backend, frontend tag per cycle
	ran    chan int
	fail   error
}

func (r *recorder) cycle(_ context.Context, a *up.Action) (*up.Result, error) {
	res := &up.Result{Delivery: &delivery.Planned{Images: &delivery.Images{}}}
	res.Options.EnvFile = r.p.env
	res.Options.Deploy = deploy.Options{Release: "todo", Namespace: "dev-unit", ValuesFiles: []string{r.p.values}}
	var tags [2]string
	for i, s := range r.p.specs {
		b, err := image.NewBuildStep(s, image.Builder{Kind: image.Buildah}, nil)
		if err != nil {
			return nil, err
		}
		res.Delivery.Builds = append(res.Delivery.Builds, b)
		tags[i] = b.Tag
	}
	r.mu.Lock()
	r.cycles = append(r.cycles, tags)
	n := len(r.cycles)
	err := r.fail
	r.mu.Unlock()
	r.ran <- n
	return res, err
}

func (r *recorder) wait(t *testing.T, want int) {
	t.Helper()
	select {
	case n := <-r.ran:
		if n != want {
			t.Fatalf("cycle %d ran, want cycle %d", n, want)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("cycle %d never ran", want)
	}
}

func waitFor(t *testing.T, out *syncBuffer, s string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("output never had %q:\n%s", s, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestLoop drives the loop through real files: an ignored file does
// nothing, a backend edit is one cycle that changes only the backend tag,
// ten saves in a burst are one cycle, a values edit is a cycle with no new
// tag, a failed cycle keeps the loop alive, and Ctrl-C ends it with the
// down line.
func TestLoop(t *testing.T) {
	p := newProject(t)
	rec := &recorder{p: p, ran: make(chan int, 100)}
	out := &syncBuffer{}
	s := settings.FromEnv(func(string) string { return "" })
	a := &Action{
		Up:       up.Action{Images: delivery.Options{Settings: s, Dir: p.root, Out: out}},
		Debounce: 200 * time.Millisecond,
		Cycle:    rec.cycle,
		Kube:     func() (*kubeclient.Client, error) { return nil, errors.New("no cluster in a unit test") },
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := a.Run(ctx)
		done <- err
	}()
	rec.wait(t, 1)
	waitFor(t, out, "dev: watching")

	backend := filepath.Join(p.root, "backend")
	writeFile(t, filepath.Join(backend, "debug.log"), "ignored")
	writeFile(t, filepath.Join(backend, "src/__pycache__/main.pyc"), "ignored")
	writeFile(t, filepath.Join(backend, "src/main.py"), "v2")
	rec.wait(t, 2)
	waitFor(t, out, "dev: backend (src/main.py) changed: rebuild backend, upgrade release todo")
	if c := rec.cycles; c[1][0] == c[0][0] || c[1][1] != c[0][1] {
		t.Errorf("tags %v → %v: want a new backend tag and the same frontend tag", c[0], c[1])
	}

	for i := range 10 {
		writeFile(t, filepath.Join(backend, "src/main.py"), "v3-"+string(rune('a'+i)))
	}
	rec.wait(t, 3)
	// The values edit comes after the burst's cycle: had the burst made a
	// second cycle, it would be cycle 4 here, not the values one.
	writeFile(t, p.values, "backend:\n  replicaCount: 2\n")
	rec.wait(t, 4)
	waitFor(t, out, "dev: values ("+p.values+") changed: upgrade release todo\n")
	if c := rec.cycles; c[3] != c[2] {
		t.Errorf("a values change changed a tag: %v → %v", c[2], c[3])
	}

	rec.mu.Lock()
	rec.fail = errors.New("build backend: exit status 1")
	rec.mu.Unlock()
	writeFile(t, filepath.Join(backend, "src/main.py"), "broken(")
	rec.wait(t, 5)
	waitFor(t, out, "dev: cycle 5 failed")
	rec.mu.Lock()
	rec.fail = nil
	rec.mu.Unlock()
	writeFile(t, filepath.Join(backend, "src/main.py"), "fixed")
	rec.wait(t, 6)
	waitFor(t, out, "dev: cycle 6 done")

	cancel()
	// Ctrl-C ends dev as it ends up: exit 130, nothing more printed
	if err := <-done; err != clierr.ErrInterrupted || clierr.ExitCode(err) != 130 {
		t.Fatalf("dev after Ctrl-C: %v (exit %d), want exit 130", err, clierr.ExitCode(err))
	}
	if !strings.Contains(out.String(), "the app stays deployed. Remove it with: helm todo down -n dev-unit --release todo") {
		t.Errorf("no down line:\n%s", out.String())
	}
	if strings.Contains(out.String(), "debug.log") || strings.Contains(out.String(), "main.pyc") {
		t.Errorf("an ignored file was reported:\n%s", out.String())
	}
	if len(rec.cycles) != 6 {
		t.Errorf("%d cycles, want 6", len(rec.cycles))
	}
}
