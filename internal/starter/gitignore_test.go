package starter

import (
	"os"
	"path/filepath"
	"testing"
)

func TestIgnoreEnvFile(t *testing.T) {
	tests := map[string]struct {
		before      *string // nil: no .gitignore
		wantChanged bool
		want        string
	}{
		"no gitignore":            {before: nil, wantChanged: true, want: "# secrets for helm todo up: never commit them\n/.env\n"},
		"appends":                 {before: ptr("node_modules/\n"), wantChanged: true, want: "node_modules/\n# secrets for helm todo up: never commit them\n/.env\n"},
		"no trailing newline":     {before: ptr("dist"), wantChanged: true, want: "dist\n# secrets for helm todo up: never commit them\n/.env\n"},
		"already there":           {before: ptr("a\n.env\n"), want: "a\n.env\n"},
		"already there rooted":    {before: ptr("/.env\n"), want: "/.env\n"},
		"a longer name is not it": {before: ptr(".env.local\n"), wantChanged: true, want: ".env.local\n# secrets for helm todo up: never commit them\n/.env\n"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, ".gitignore")
			if tc.before != nil {
				if err := os.WriteFile(path, []byte(*tc.before), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			changed, err := IgnoreEnvFile(dir, ".env")
			if err != nil || changed != tc.wantChanged {
				t.Fatalf("changed %v, err %v; want changed %v", changed, err, tc.wantChanged)
			}
			got, _ := os.ReadFile(path)
			if string(got) != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if again, _ := IgnoreEnvFile(dir, ".env"); again {
				t.Error("a second call changed .gitignore again")
			}
		})
	}
}

func ptr(s string) *string { return &s }
