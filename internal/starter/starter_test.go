package starter

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/project"
)

func TestText(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"phase-3/backend", "frontend"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s := Text(root)
	f, err := project.Parse("starter", strings.NewReader(s))
	if err != nil {
		t.Fatalf("the starter does not parse: %v\n%s", err, s)
	}
	if f.Backend.Context != "phase-3/backend" || f.Frontend.Context != "frontend" {
		t.Errorf("starter contexts %q %q", f.Backend.Context, f.Frontend.Context)
	}
	// Every field of File is documented in the starter.
	for _, field := range []string{"release:", "namespace:", "context:", "image:", "NEXT_PUBLIC_API_URL", "NEXT_PUBLIC_AUTH_URL", "NEXT_PUBLIC_VAPID_PUBLIC_KEY", "NEXT_PUBLIC_OPENAI_DOMAIN_KEY", "valuesFiles:", "envFile:", "builder:", "registry:"} {
		if !strings.Contains(s, field) {
			t.Errorf("starter lacks %s", field)
		}
	}
	path, err := Write(root, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Write(root, false); !os.IsExist(err) {
		t.Errorf("second write: got %v, want exists", err)
	}
	if _, err := Write(root, true); err != nil {
		t.Errorf("overwrite: %v", err)
	}
	if p, err := project.Load(root, t.TempDir()); err != nil || p.ConfigPath != path {
		t.Errorf("load after init: %v %v", p, err)
	}
}

// envFile named in helm-todo.yaml is explicit: a missing one is an error
// (secrets.Load), as with --env-file; the default .env is not.
