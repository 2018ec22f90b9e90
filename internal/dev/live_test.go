package dev

import (
	"path/filepath"
	"strings"
	"testing"

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
