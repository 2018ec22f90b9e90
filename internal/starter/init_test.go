package starter

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/project"
)

func TestInit(t *testing.T) {
	dir := t.TempDir()
	r, err := Init{Dir: dir}.Run()
	if err != nil {
		t.Fatal(err)
	}
	if r.Path != filepath.Join(dir, "helm-todo.yaml") || r.Gitignore != filepath.Join(dir, ".gitignore") {
		t.Errorf("result %+v", r)
	}
	if data, err := os.ReadFile(r.Gitignore); err != nil || !strings.Contains(string(data), project.DefaultEnvFile) {
		t.Errorf(".gitignore %q, %v: want %s in it", data, err, project.DefaultEnvFile)
	}
	if _, err := (Init{Dir: dir}).Run(); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second init: %v, want already exists", err)
	}
	r, err = Init{Dir: dir, Force: true}.Run()
	if err != nil || r.Gitignore != "" {
		t.Errorf("forced init: %+v, %v; want no second .gitignore entry", r, err)
	}
}
