package dev

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/helm-todo/helm-todo/internal/delivery"
	"github.com/helm-todo/helm-todo/internal/kubeclient"
	"github.com/helm-todo/helm-todo/internal/settings"
	"github.com/helm-todo/helm-todo/internal/up"

	"github.com/helm-todo/helm-todo/internal/image"
	"github.com/helm-todo/helm-todo/internal/live"
	"github.com/helm-todo/helm-todo/internal/watch"
)

// TestDecideLive: with live update on, a backend change only under its
// code directory is a live update (no build), anything else a rebuild that
// says which file forced it, and a change back to the code the pods run
// is nothing.
func TestDecideLive(t *testing.T) {
	p := newProject(t)
	backend := p.specs[0]
	lu := &liveUpdate{rule: live.Rule{Local: "src", Remote: "/app/src"}, context: backend.Context}
	inputsNow := func() *inputs {
		b, err := image.NewBuildStep(backend, image.Builder{Kind: image.Buildah}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return &inputs{builds: map[string]*image.BuildStep{"backend": b}, running: map[string]string{"backend": b.Tag}, sums: map[string][32]byte{}}
	}
	in := inputsNow()
	for _, tc := range []struct {
		name  string
		write map[string]string // backend-relative file → content
		paths []string          // the watcher's paths
		live  bool
		plan  string
	}{
		{"a code edit", map[string]string{"src/main.py": "v2"}, []string{"src/main.py"}, true, "live update of the backend (no image build)"},
		{"a new code file", map[string]string{"src/api/v1.py": "x"}, []string{"src/api/v1.py"}, true, "live update of the backend"},
		{"requirements", map[string]string{"requirements.txt": "fastapi\n"}, []string{"requirements.txt"}, false,
			"rebuild backend (requirements.txt is not under src/, the code the image copies verbatim), upgrade release todo"},
		{"code and a migration in one burst", map[string]string{"src/main.py": "v3", "migrations/0002.py": "x"}, []string{"migrations/0002.py", "src/main.py"}, false,
			"rebuild backend (migrations/0002.py is not under src/"},
		{"the Dockerfile", map[string]string{}, []string{backend.Dockerfile}, false, "rebuild backend (backend.Dockerfile changed"},
		{"a module the migrations import", map[string]string{"alembic.ini": "[alembic]\nscript_location = migrations\n",
			"migrations/env.py": "from src.settings import url\n", "src/settings.py": "url = 2\n"}, []string{"src/settings.py"}, false,
			"rebuild backend (src/settings.py is imported by the migrations"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for f, body := range tc.write {
				writeFile(t, filepath.Join(backend.Context, f), body)
			}
			if len(tc.write) == 0 { // a saved input the hash reads
				writeFile(t, backend.Dockerfile, "FROM scratch\n# "+tc.name+"\n")
			}
			d := in.decide(watch.Change{"backend": tc.paths}, lu)
			if (d.live != "") != tc.live || !strings.Contains(d.plan("todo"), tc.plan) {
				t.Fatalf("decision %+v, plan %q; want live %v, plan with %q", d, d.plan("todo"), tc.live, tc.plan)
			}
			if tc.live && len(d.rebuild) != 0 {
				t.Errorf("a live update also rebuilds %v", d.rebuild)
			}
			in = inputsNow() // as after the cycle or sync
		})
	}
	// Live update off (no rule from the Dockerfile): a code edit builds.
	writeFile(t, filepath.Join(backend.Context, "src/main.py"), "v4")
	if d := in.decide(watch.Change{"backend": {"src/main.py"}}, nil); d.live != "" || len(d.rebuild) != 1 {
		t.Errorf("without live update: %+v, want a rebuild", d)
	}
	// After a live update the pods run the synced tree: saving it again is
	// nothing, and reverting to the image's code is a live update again.
	b := in.builds["backend"]
	writeFile(t, filepath.Join(backend.Context, "src/main.py"), "v5")
	d := in.decide(watch.Change{"backend": {"src/main.py"}}, lu)
	in.running["backend"] = d.live
	if d = in.decide(watch.Change{"backend": {"src/main.py"}}, lu); d.any() {
		t.Errorf("the synced code saved again: %+v, want nothing", d)
	}
	writeFile(t, filepath.Join(backend.Context, "src/main.py"), "v3") // as built
	if d = in.decide(watch.Change{"backend": {"src/main.py"}}, lu); d.live != b.Tag {
		t.Errorf("back to the image's code: %+v, want a live update to tag %s", d, b.Tag)
	}
}

// TestFinalBuild: after a run in live-update mode, Ctrl-C runs one more up
// outside it (what up deploys), unless --no-final-build or --cleanup.
func TestFinalBuild(t *testing.T) {
	for _, tc := range []struct {
		name         string
		noFinalBuild bool
		cleanup      bool
		liveRule     bool
		cycles       []bool // LiveUpdate of each up
		says         string
	}{
		{"final build", false, false, true, []bool{true, false}, "dev: final build"},
		{"--no-final-build", true, false, true, []bool{true}, "--no-final-build: the backend stays in live-update mode"},
		{"--cleanup removes the app instead", false, true, true, []bool{true}, "--cleanup: removing the app"},
		{"never in live-update mode", false, false, false, []bool{true}, "dev: stopped"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newProject(t)
			rec := &recorder{p: p, ran: make(chan int, 10)}
			var ups []bool
			out := &syncBuffer{}
			a := &Action{
				Up:           up.Action{Images: delivery.Options{Settings: settings.FromEnv(func(string) string { return "" }), Dir: p.root, Out: out}},
				Debounce:     200 * time.Millisecond,
				NoFinalBuild: tc.noFinalBuild,
				Kube:         func() (*kubeclient.Client, error) { return nil, errors.New("no cluster in a unit test") },
				Cycle: func(ctx context.Context, u *up.Action) (*up.Result, error) {
					ups = append(ups, u.LiveUpdate)
					r, err := rec.cycle(ctx, u)
					if r != nil && tc.liveRule {
						r.Live.Rule = &live.Rule{Local: "src", Remote: "/app/src"}
					}
					return r, err
				},
			}
			if tc.cleanup {
				a.Cleanup = func(context.Context, io.Writer) error { return nil }
			}
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() { _, err := a.Run(ctx); done <- err }()
			rec.wait(t, 1)
			waitFor(t, out, "dev: watching")
			cancel()
			<-done
			if fmt.Sprint(ups) != fmt.Sprint(tc.cycles) || !strings.Contains(out.String(), tc.says) {
				t.Errorf("ups with LiveUpdate %v, want %v; output:\n%s\nwant %q", ups, tc.cycles, out.String(), tc.says)
			}
		})
	}
}
