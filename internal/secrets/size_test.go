package secrets

import (
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

func TestCheckSize(t *testing.T) {
	big := strings.Repeat("x", MaxSize-generatedLen)
	for name, tc := range map[string]struct {
		vals     map[string]string
		generate bool
		want     string
	}{
		"small":                  {vals: map[string]string{"A": "1"}},
		"exactly the limit":      {vals: map[string]string{"A": big + strings.Repeat("x", generatedLen)}},
		"over by one":            {vals: map[string]string{"A": big + strings.Repeat("x", generatedLen+1)}, want: "over the 1048576-byte limit"},
		"generated tips it over": {vals: map[string]string{"A": big + "x"}, generate: true, want: "biggest: A ("},
	} {
		t.Run(name, func(t *testing.T) {
			v := NewValues(tc.vals, "test")
			if tc.generate {
				v.GenerateIfAbsent(PostgresPassword)
			}
			err := v.CheckSize()
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if clierr.ExitCode(err) != clierr.ExitUsage || strings.Contains(err.Error(), "xxxx") {
				t.Errorf("want a usage error without the value, got %v", err)
			}
		})
	}
}
