package secrets

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

func writeEnv(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

const full = "OPENROUTER_API_KEY=o\nBETTER_AUTH_SECRET=b\nVAPID_PRIVATE_KEY=vp\nVAPID_PUBLIC_KEY=vu\n"

func TestLoadPrecedenceAndFiltering(t *testing.T) {
	file := writeEnv(t, "OPENROUTER_API_KEY=from-file\nEXTRA=x\nNEXT_PUBLIC_API_URL=http://x\nEMPTY=\n")
	env := envOf(map[string]string{
		"OPENROUTER_API_KEY": "from-env", // the file wins
		"BETTER_AUTH_SECRET": "from-env", // fills a gap
		"PATH":               "/bin",     // never read: not an R6 key
	})
	v, err := Load(file, true, env)
	if err != nil {
		t.Fatal(err)
	}
	d := v.Data()
	if string(d[OpenRouterAPIKey]) != "from-file" || string(d[BetterAuthSecret]) != "from-env" {
		t.Errorf("precedence wrong: %q", d)
	}
	if want := []string{BetterAuthSecret, "EXTRA", OpenRouterAPIKey}; !reflect.DeepEqual(v.Names(), want) {
		t.Errorf("names = %v, want %v", v.Names(), want)
	}
	for _, l := range v.Describe() {
		if strings.Contains(l, "from-file") || strings.Contains(l, "from-env") || !strings.Contains(l, "<redacted>") {
			t.Errorf("describe line leaks or lacks redaction: %q", l)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.env")
	if _, err := Load(missing, false, envOf(nil)); err != nil {
		t.Errorf("default env file may be absent, got %v", err)
	}
	_, err := Load(missing, true, envOf(nil))
	if err == nil || clierr.ExitCode(err) != clierr.ExitUsage || !strings.Contains(err.Error(), "nope.env") {
		t.Errorf("explicit missing file: got %v", err)
	}
}

func TestCheck(t *testing.T) {
	tests := map[string]struct {
		body        string
		wantMissing string // "" means ok
		inCluster   bool
	}{
		"all but database url": {body: full, inCluster: true},
		"with database url":    {body: full + "DATABASE_URL=postgresql://h/db\n"},
		"missing two":          {body: "OPENROUTER_API_KEY=o\nVAPID_PUBLIC_KEY=vu\n", wantMissing: "BETTER_AUTH_SECRET, VAPID_PRIVATE_KEY", inCluster: true},
		"empty counts missing": {body: strings.Replace(full, "=b", "=", 1), wantMissing: "BETTER_AUTH_SECRET", inCluster: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			v, err := Load(writeEnv(t, tc.body), true, envOf(nil))
			if err != nil {
				t.Fatal(err)
			}
			if v.InClusterDB() != tc.inCluster {
				t.Errorf("InClusterDB = %v", v.InClusterDB())
			}
			err = v.Check()
			if tc.wantMissing == "" {
				if err != nil {
					t.Errorf("unexpected %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantMissing) {
				t.Errorf("got %v, want missing %s", err, tc.wantMissing)
			}
		})
	}
}
