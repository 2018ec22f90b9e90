package up

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/delivery"
	"github.com/helm-todo/helm-todo/internal/image"
	"github.com/helm-todo/helm-todo/internal/live"
)

func TestLiveRule(t *testing.T) {
	backend := func(dockerfile string) *delivery.Planned {
		return &delivery.Planned{Images: &delivery.Images{Builds: []*image.BuildStep{
			{Spec: image.Spec{Component: "frontend", Dockerfile: "/nonexistent"}},
			{Spec: image.Spec{Component: "backend", Context: "../../examples/todo-backend", Dockerfile: dockerfile}},
		}}}
	}
	other := filepath.Join(t.TempDir(), "Dockerfile")
	if err := os.WriteFile(other, []byte("FROM a\nCOPY . /app\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		a    Action
		d    *delivery.Planned
		rule *live.Rule
		off  string
	}{
		{"up never asks", Action{}, backend("../../docker/backend.Dockerfile"), nil, "not asked for"},
		{"dev, the project's backend", Action{LiveUpdate: true}, backend("../../docker/backend.Dockerfile"), &live.Rule{Local: "src", Remote: LivePath}, ""},
		{"dev, --backend-tag", Action{LiveUpdate: true, BackendTag: "x"}, backend("../../docker/backend.Dockerfile"), nil, "not built from the tree"},
		{"dev, a Dockerfile that copies the whole context", Action{LiveUpdate: true}, backend(other), nil, "not a COPY of one context directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.a.liveRule(tc.d)
			if (got.Rule == nil) != (tc.rule == nil) || (got.Rule != nil && *got.Rule != *tc.rule) || !strings.Contains(got.Off, tc.off) {
				t.Fatalf("got %+v (rule %v), want rule %v, off with %q", got, got.Rule, tc.rule, tc.off)
			}
		})
	}
}
