package validate

import (
	"strings"
	"testing"
	"time"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

func TestRelease(t *testing.T) {
	for name, tc := range map[string]struct {
		in   string
		want string // "" for valid, else a substring of the error
	}{
		"default":       {in: "todo"},
		"dashes":        {in: "todo-dev-2"},
		"space":         {in: "Bad Release", want: `release name "Bad Release" is invalid`},
		"upper":         {in: "Todo", want: "lower case"},
		"dot":           {in: "todo.dev", want: "is invalid"},
		"leading digit": {in: "1todo", want: "start with an alphabetic character"},
		"empty":         {in: "", want: "is invalid"},
		"53":            {in: strings.Repeat("a", 53)},
		"54":            {in: strings.Repeat("a", 54), want: "longer than 53 characters"},
	} {
		t.Run(name, func(t *testing.T) {
			err := Release(tc.in)
			check(t, err, tc.want)
		})
	}
}

func TestNamespace(t *testing.T) {
	for name, tc := range map[string]struct {
		in, want string
	}{
		"default":  {in: "todo-app"},
		"digit":    {in: "1ns"},
		"bad":      {in: "Bad_NS!", want: `namespace "Bad_NS!" is invalid`},
		"too long": {in: strings.Repeat("a", 64), want: "must be no more than 63 characters"},
	} {
		t.Run(name, func(t *testing.T) {
			check(t, Namespace(tc.in), tc.want)
		})
	}
}

func check(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("got %v, want valid", err)
		}
		return
	}
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want an error containing %q", err, want)
	}
	if clierr.ExitCode(err) != clierr.ExitUsage || clierr.FixOf(err) == "" {
		t.Errorf("want a usage error with a fix, got exit %d fix %q", clierr.ExitCode(err), clierr.FixOf(err))
	}
	if strings.Contains(err.Error(), "regex") {
		t.Errorf("error quotes a regex: %v", err)
	}
}

func TestTimeout(t *testing.T) {
	if err := Timeout(time.Minute); err != nil {
		t.Fatal(err)
	}
	for _, d := range []time.Duration{0, -5 * time.Minute} {
		check(t, Timeout(d), "must be more than 0")
	}
}
