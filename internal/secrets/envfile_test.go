package secrets

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := map[string]struct {
		in   string
		want map[string]string
	}{
		"plain and comments": {
			in:   "# top\n\nA=1\n  B = two  \n",
			want: map[string]string{"A": "1", "B": "two"},
		},
		"export prefix": {in: "export A=x\n", want: map[string]string{"A": "x"}},
		"trailing comment needs whitespace": {
			in:   "URL=http://h/p#frag\nPW=a#b # note\n",
			want: map[string]string{"URL": "http://h/p#frag", "PW": "a#b"},
		},
		"single quotes are literal": {
			in:   `A='x \n "y" # z'` + "\n",
			want: map[string]string{"A": `x \n "y" # z`},
		},
		"double quotes unescape": {
			in:   `A="line1\nline2 \"q\" \\ \$HOME"  # c` + "\n",
			want: map[string]string{"A": "line1\nline2 \"q\" \\ $HOME"},
		},
		"multi-line double quotes": {
			in:   "KEY=\"-----BEGIN-----\nabc\n-----END-----\"\nB=2\n",
			want: map[string]string{"KEY": "-----BEGIN-----\nabc\n-----END-----", "B": "2"},
		},
		"empty value": {in: "A=\nB=''\n", want: map[string]string{"A": "", "B": ""}},
		"equals inside value": {
			in:   "DATABASE_URL=postgresql://u:p=w@h/db?sslmode=require\n",
			want: map[string]string{"DATABASE_URL": "postgresql://u:p=w@h/db?sslmode=require"},
		},
		"later line wins": {in: "A=1\nA=2\n", want: map[string]string{"A": "2"}},
		"crlf line ends":  {in: "A=1\r\nB=\"2\"\r\n", want: map[string]string{"A": "1", "B": "2"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := Parse(".env", strings.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// Errors name file and line, and must never carry the value: the canary
// stands for a real secret a typo would otherwise print.
func TestParseErrorsNameLineNotValue(t *testing.T) {
	const canary = "CANARY-s3cr3t-value"
	tests := map[string]struct {
		in, wantMsg string
	}{
		"no equals":          {in: "A=1\n" + canary + "\n", wantMsg: "my.env:2: expected KEY=VALUE"},
		"bad key":            {in: "MY-KEY=" + canary + "\n", wantMsg: `my.env:1: invalid key name "MY-KEY"`},
		"unterminated":       {in: "\nA=\"" + canary + "\nB=2\n", wantMsg: "my.env:2: unterminated \"-quoted value for A"},
		"text after quote":   {in: "A='x'" + canary + "\n", wantMsg: "my.env:1: unexpected text after the closing quote of A"},
		"key starts w/digit": {in: "1A=" + canary, wantMsg: `my.env:1: invalid key name "1A"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("my.env", strings.NewReader(tc.in))
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tc.wantMsg)
			}
			if strings.Contains(err.Error(), canary) || strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("error leaks the value: %q", err)
			}
		})
	}
}

func TestParseFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(p, []byte("A=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ParseFile(p)
	if err != nil || got["A"] != "1" {
		t.Fatalf("got %v, %v", got, err)
	}
}
