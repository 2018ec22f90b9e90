package fill

import (
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func TestAbsent(t *testing.T) {
	patch := "a: 1\nm:\n  b: x\n  l: [ALL]\n"
	tests := map[string]struct {
		dst, want, set string
		override       bool
		conflicts      []string
	}{
		"empty gets everything":                            {dst: "{}", want: "a: 1\nm:\n  b: x\n  l: [ALL]", set: "a: 1\nm:\n  b: x\n  l: [ALL]"},
		"null counts as absent":                            {dst: "a: null\nm: ~\n", want: "a: 1\nm:\n  b: x\n  l: [ALL]", set: "a: 1\nm:\n  b: x\n  l: [ALL]"},
		"equal is left alone":                              {dst: "m: {l: [ALL], b: x}\na: 1\n", want: "m: {l: [ALL], b: x}\na: 1"},
		"a list is one leaf":                               {dst: "a: 1\nm: {b: x, l: [NET_RAW]}\n", want: "a: 1\nm: {b: x, l: [NET_RAW]}", conflicts: []string{"m.l"}},
		"override replaces lists":                          {dst: "a: 2\nm: {b: x, l: [NET_RAW, ALL]}\n", override: true, want: "a: 1\nm: {b: x, l: [ALL]}", set: "a: 1\nm:\n  l: [ALL]", conflicts: []string{"a", "m.l"}},
		"a scalar where a mapping is wanted is a conflict": {dst: "a: 1\nm: text\n", want: "a: 1\nm: text", conflicts: []string{"m"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dst := yaml.MustParse(tc.dst)
			p := yaml.MustParse(patch)
			var conflicts []string
			set, err := Absent(dst, p, tc.override, func(path string) { conflicts = append(conflicts, path) })
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(dst.MustString()); got != tc.want {
				t.Errorf("dst =\n%s\nwant\n%s", got, tc.want)
			}
			gotSet := ""
			if set != nil {
				gotSet = strings.TrimSpace(set.MustString())
			}
			if gotSet != tc.set {
				t.Errorf("set =\n%s\nwant\n%s", gotSet, tc.set)
			}
			if strings.Join(conflicts, ",") != strings.Join(tc.conflicts, ",") {
				t.Errorf("conflicts %v, want %v", conflicts, tc.conflicts)
			}
			if got := strings.TrimSpace(p.MustString()); got != strings.TrimSpace(patch) {
				t.Errorf("the patch was modified:\n%s", got)
			}
		})
	}
}

func TestEqual(t *testing.T) {
	tests := map[string]struct {
		a, b string
		want bool
	}{
		"key order and style do not matter": {"{x: 1, y: [a, b]}", "y:\n- a\n- b\nx: 1\n", true},
		"list order matters":                {"[a, b]", "[b, a]", false},
		"extra key":                         {"{x: 1}", "{x: 1, y: 2}", false},
		"quoting does not matter":           {`"1"`, "1", true},
		"kinds differ":                      {"[a]", "a", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Equal(yaml.MustParse(tc.a).YNode(), yaml.MustParse(tc.b).YNode()); got != tc.want {
				t.Errorf("Equal(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
		})
	}
}
