package migration

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/storage/driver"
	"k8s.io/client-go/kubernetes/fake"
)

func TestDecide(t *testing.T) {
	in := Inputs{Hash: "aaaa"}
	for name, tc := range map[string]struct {
		prev    Recorded
		in      Inputs
		run     bool
		wantWhy string
	}{
		"first install":          {prev: Recorded{}, in: in, run: true, wantWhy: "first install"},
		"same inputs":            {prev: Recorded{Found: true, Revision: 4, Hash: "aaaa", Enabled: true}, in: in, run: false, wantWhy: "inputs unchanged since revision 4"},
		"changed inputs":         {prev: Recorded{Found: true, Revision: 4, Hash: "bbbb", Enabled: true}, in: in, run: true, wantWhy: "inputs changed since revision 4"},
		"plain helm upgrade":     {prev: Recorded{Found: true, Revision: 2, Enabled: true}, in: in, run: true, wantWhy: "revision 2 recorded no migration inputs"},
		"migration was disabled": {prev: Recorded{Found: true, Revision: 3, Hash: "aaaa"}, in: in, run: true, wantWhy: "revision 3 had the migration disabled"},
		"no inputs":              {prev: Recorded{Found: true, Revision: 3, Hash: "aaaa", Enabled: true}, in: Inputs{Unknown: "no alembic.ini"}, run: true, wantWhy: "no alembic.ini"},
	} {
		t.Run(name, func(t *testing.T) {
			d := Decide(tc.prev, tc.in)
			if d.Run != tc.run || !strings.Contains(d.Reason, tc.wantWhy) {
				t.Fatalf("Decide = %+v, want run=%v because %q", d, tc.run, tc.wantWhy)
			}
			verb := "runs"
			if !tc.run {
				verb = "skipped"
			}
			if !strings.HasPrefix(d.Line(), "migration: "+verb+" (") {
				t.Errorf("line %q", d.Line())
			}
		})
	}
}

// backend writes a backend build context shaped like the example app.
func backend(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"alembic.ini":                       "[alembic]\nscript_location = migrations\n",
		"migrations/env.py":                 "import os\nfrom alembic import context\nfrom src.settings import sync_url  # noqa\n",
		"migrations/script.py.mako":         "${message}\n",
		"migrations/versions/0001_todos.py": "import sqlalchemy as sa\nfrom alembic import op\n",
		"migrations/__pycache__/env.pyc":    "bytecode",
		"src/__init__.py":                   "",
		"src/settings.py":                   "from .models import Base\n",
		"src/models.py":                     "import sqlalchemy\n",
		"src/main.py":                       "from src.settings import sync_url\n",
		"requirements.txt":                  "alembic==1.0\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestReadInputsFollowsImports(t *testing.T) {
	in, err := ReadInputs(backend(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"alembic.ini", "migrations/env.py", "migrations/script.py.mako", "migrations/versions/0001_todos.py",
		"src/__init__.py", "src/models.py", "src/settings.py"}
	if !reflect.DeepEqual(in.Files, want) {
		t.Errorf("files = %v\nwant %v", in.Files, want)
	}
	if len(in.Hash) != 16 {
		t.Errorf("hash %q", in.Hash)
	}
	if got := in.Summary(); got != "alembic.ini, migrations/ (3 files), src/ (3 files)" {
		t.Errorf("summary %q", got)
	}
}

// A change to any input changes the hash; a change elsewhere (the app's
// routes, requirements, bytecode) does not.
func TestReadInputsHash(t *testing.T) {
	base, err := ReadInputs(backend(t))
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		file    string
		changed bool
	}{
		"migration script": {file: "migrations/versions/0001_todos.py", changed: true},
		"new migration":    {file: "migrations/versions/0002_more.py", changed: true},
		"model":            {file: "src/models.py", changed: true},
		"alembic.ini":      {file: "alembic.ini", changed: true},
		"route":            {file: "src/main.py"},
		"requirements":     {file: "requirements.txt"},
		"bytecode":         {file: "migrations/__pycache__/env.pyc"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := backend(t)
			f, err := os.OpenFile(filepath.Join(dir, tc.file), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString("\n# edited\n")
			f.Close()
			in, err := ReadInputs(dir)
			if err != nil {
				t.Fatal(err)
			}
			if (in.Hash != base.Hash) != tc.changed {
				t.Errorf("hash %s → %s, want changed=%v", base.Hash, in.Hash, tc.changed)
			}
		})
	}
}

func TestReadInputsWithoutAlembic(t *testing.T) {
	in, err := ReadInputs(t.TempDir())
	if err != nil || in.Hash != "" || !strings.Contains(in.Unknown, "no alembic.ini") {
		t.Fatalf("got %+v, %v", in, err)
	}
}

func TestScriptLocation(t *testing.T) {
	for ini, want := range map[string]string{
		"[alembic]\nscript_location = %(here)s/db/migrations\n": "db/migrations",
		"[alembic]\nscript_location: alembic\n":                 "alembic",
		"[other]\nscript_location = x\n":                        "migrations",
		"":                                                      "migrations",
	} {
		if got := scriptLocation([]byte(ini)); got != filepath.FromSlash(want) {
			t.Errorf("%q: got %q, want %q", ini, got, want)
		}
	}
}

// Read goes through Helm's own Secret driver: the records written here
// are what helm writes.
func TestRead(t *testing.T) {
	cs := fake.NewClientset()
	d := driver.NewSecrets(cs.CoreV1().Secrets("ns"))
	ch := &chart.Chart{Metadata: &chart.Metadata{Name: "todo-app"}, Values: map[string]any{"migration": map[string]any{"enabled": true}}}
	put := func(v int, status release.Status, config map[string]any) {
		r := &release.Release{Name: "todo", Namespace: "ns", Version: v, Chart: ch, Config: config, Info: &release.Info{Status: status}}
		if err := d.Create(strings.Join([]string{"sh.helm.release.v1.todo.v", string(rune('0' + v))}, ""), r); err != nil {
			t.Fatal(err)
		}
	}
	rec, err := Read(cs, "", "ns", "todo")
	if err != nil || rec.Found {
		t.Fatalf("no release: got %+v, %v", rec, err)
	}
	put(1, release.StatusSuperseded, map[string]any{"migration": map[string]any{"inputsHash": "old"}})
	put(2, release.StatusDeployed, map[string]any{"migration": map[string]any{"inputsHash": "abcd"}})
	put(3, release.StatusFailed, map[string]any{"migration": map[string]any{"inputsHash": "new"}})
	rec, err = Read(cs, "secret", "ns", "todo")
	if want := (Recorded{Found: true, Revision: 2, Hash: "abcd", Enabled: true}); err != nil || rec != want {
		t.Fatalf("got %+v, %v; want %+v", rec, err, want)
	}
	put(4, release.StatusDeployed, map[string]any{"migration": map[string]any{"inputsHash": "abcd", "enabled": false}})
	rec, _ = Read(cs, "secrets", "ns", "todo")
	if rec.Revision != 4 || rec.Enabled {
		t.Errorf("disabled migration read as %+v", rec)
	}
	if _, err := Read(cs, "sql", "ns", "todo"); err == nil || !strings.Contains(err.Error(), `"sql"`) {
		t.Errorf("sql storage: %v", err)
	}
}

func TestImports(t *testing.T) {
	for src, want := range map[string][]string{
		"from src.settings import sync_url  # noqa\n":              {"src.settings", "src.settings.sync_url"},
		"from . import models\n":                                   {".", ".models"},
		"from .db import (\n    Base,  # tables\n    x as y,\n)\n": {".db", ".db.Base", ".db.x"},
		"import os, src.models\n":                                  {"os", "src.models"},
		"x = 'import nothing'\n":                                   nil,
	} {
		if got := imports([]byte(src)); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %q, want %q", src, got, want)
		}
	}
}
