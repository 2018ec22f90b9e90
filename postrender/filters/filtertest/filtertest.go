// Package filtertest checks one filter on one resource the way every filter
// table under postrender/filters does, in the style of kustomize's
// api/filters tests. Only tests import it.
package filtertest

import (
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/helm-todo/helm-todo/postrender/filters/report"
)

// Check runs f on res (parsed from input) and compares the trimmed result
// with expected (with input itself when unchanged), the report's Changed
// flag with !unchanged, and its notices with notices.
func Check(t testing.TB, f kio.Filter, res *yaml.RNode, rep *report.Report, input, expected string, unchanged bool, notices []string) {
	t.Helper()
	if _, err := f.Filter([]*yaml.RNode{res}); err != nil {
		t.Fatal(err)
	}
	want := expected
	if unchanged {
		want = input
	}
	if got := res.MustString(); strings.TrimSpace(got) != strings.TrimSpace(want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if rep.Changed == unchanged {
		t.Errorf("Changed = %v, want %v", rep.Changed, !unchanged)
	}
	if strings.Join(rep.Notices, "\n") != strings.Join(notices, "\n") {
		t.Errorf("notices\n%q\nwant\n%q", rep.Notices, notices)
	}
}
