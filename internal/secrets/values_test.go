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
		"PATH":               "/bin",     // never read: not a secret key
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

// A key set twice keeps the later value (the dotenv tools agree), and the
// user hears of it: both lines named, neither value shown.
func TestLoadDuplicateKeyNotice(t *testing.T) {
	const first, second = "CANARY-first-1234", "CANARY-second-5678"
	env := writeEnv(t, "# keys\nOPENROUTER_API_KEY="+first+"\nBETTER_AUTH_SECRET=x\nOPENROUTER_API_KEY="+second+"\n")
	v, err := Load(env, true, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Data()[OpenRouterAPIKey]; string(got) != second {
		t.Errorf("value %q, want the later line's", got)
	}
	notices := v.Notices()
	if len(notices) != 1 {
		t.Fatalf("notices %q, want one", notices)
	}
	n := notices[0]
	for _, want := range []string{env + ":4:", "OPENROUTER_API_KEY", "first at line 2"} {
		if !strings.Contains(n, want) {
			t.Errorf("notice %q lacks %q", n, want)
		}
	}
	if strings.Contains(n, first) || strings.Contains(n, second) {
		t.Errorf("notice shows a value: %q", n)
	}
	if v, _ := Load(writeEnv(t, "A=1\nB=2\n"), true, func(string) string { return "" }); len(v.Notices()) != 0 {
		t.Errorf("notices without duplicates: %q", v.Notices())
	}
}
