package secretgen

import (
	"bytes"
	"fmt"
	"path"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// krustyGenerate is the reference: kustomize's secretGenerator run by
// krusty on an in-memory filesystem, each value given as a file so that
// it goes in byte for byte.
func krustyGenerate(t *testing.T, name, namespace string, data, ann map[string]string) (string, string) {
	t.Helper()
	fs := filesys.MakeFsInMemory()
	const dir = "/secretgen"
	gen := types.SecretArgs{GeneratorArgs: types.GeneratorArgs{Name: name, Namespace: namespace, Behavior: "create"}, Type: "Opaque"}
	for i, k := range yaml.SortedMapKeys(data) {
		file := fmt.Sprintf("values/%d", i)
		if err := fs.WriteFile(path.Join(dir, file), []byte(data[k])); err != nil {
			t.Fatal(err)
		}
		gen.FileSources = append(gen.FileSources, k+"="+file)
	}
	kust := types.Kustomization{
		TypeMeta:        types.TypeMeta{APIVersion: types.KustomizationVersion, Kind: types.KustomizationKind},
		SecretGenerator: []types.SecretArgs{gen},
	}
	if len(ann) > 0 {
		kust.GeneratorOptions = &types.GeneratorOptions{Annotations: ann}
	}
	kb, err := yaml.Marshal(kust)
	if err != nil {
		t.Fatal(err)
	}
	if err := fs.WriteFile(path.Join(dir, "kustomization.yaml"), kb); err != nil {
		t.Fatal(err)
	}
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fs, dir)
	if err != nil {
		t.Fatalf("krusty: %v", err)
	}
	res := m.Resources()
	if len(res) != 1 {
		t.Fatalf("krusty made %d resources", len(res))
	}
	b, err := res[0].AsYAML()
	if err != nil {
		t.Fatal(err)
	}
	return res[0].GetName(), string(b)
}

// TestSameAsKustomize: the streamed Secret is kustomize's, name and bytes.
func TestSameAsKustomize(t *testing.T) {
	long := strings.Repeat("0123456789abcdef", 20)
	tests := []struct {
		name, namespace string
		data, ann       map[string]string
	}{
		{"web-env", "", map[string]string{"web.app.API_KEY": "s3cr3t-value"}, nil},
		{"web-env", "prod", map[string]string{"b.app.TOKEN": "x", "a.app.PASSWORD": "hunter2!"}, map[string]string{"postrenderer.helm.sh/postrender-filename": "helm-todo/generated-secret.yaml"}},
		{"rel-env", "ns-1", map[string]string{
			"app.c.LONG":         long,                    // several base64 lines
			"app.c.EXACT":        strings.Repeat("a", 51), // 68 base64 characters: one line
			"app.c.SEVENTY":      strings.Repeat("b", 52), // 72: two lines
			"app.c.NEWLINES":     "line1\nline2\n",
			"app.c.QUOTES":       `"quoted" 'single' <html> & ünïcode`,
			"app.c.EMPTY-ISH":    " ",
			"app.c.SYMBOLS":      "+/=",
			"app.c.DATABASE_URL": "postgres://user:pa55@db:5432/app?sslmode=disable",
		}, nil},
		{"numbered", "", numbered(), nil},
		{"y", "", map[string]string{"on": "off", "Yes": "No", "a+b": "c", "x.y.7": "8"}, map[string]string{"a": "true", "b": "1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name+"/"+tc.namespace, func(t *testing.T) {
			wantName, want := krustyGenerate(t, tc.name, tc.namespace, tc.data, tc.ann)
			var buf bytes.Buffer
			got, err := Generate(&buf, Options{Name: tc.name, Namespace: tc.namespace, Data: FromMap(tc.data), Annotations: tc.ann})
			if err != nil {
				t.Fatal(err)
			}
			if got != wantName {
				t.Errorf("name %s, kustomize's %s", got, wantName)
			}
			if buf.String() != want {
				t.Errorf("YAML differs from kustomize's:\n--- got\n%s\n--- kustomize\n%s", buf.String(), want)
			}
		})
	}
}

func TestGenerateRefuses(t *testing.T) {
	keys := func(keys ...string) func(Order, func(k, v string) error) error {
		return func(_ Order, yield func(k, v string) error) error {
			for _, k := range keys {
				if err := yield(k, "v"); err != nil {
					return err
				}
			}
			return nil
		}
	}
	for name, o := range map[string]Options{
		"no name":      {Data: keys("a")},
		"no data":      {Name: "n"},
		"empty data":   {Name: "n", Data: keys()},
		"a key twice":  {Name: "n", Data: keys("a", "a", "b")},
		"out of order": {Name: "n", Data: keys("b", "a")},
	} {
		var buf bytes.Buffer
		if _, err := Generate(&buf, o); err == nil || buf.Len() > 0 {
			t.Errorf("%s: error %v, %d bytes written", name, err, buf.Len())
		}
	}
}

// numbered keys are where yaml.v2's order (digit runs by value) and
// byte order (the hash's) part.
func numbered() map[string]string {
	m := map[string]string{}
	for _, n := range []int{0, 1, 2, 9, 10, 11, 19, 20, 99, 100, 101, 199, 200, 1000} {
		m[fmt.Sprintf("app-%d.app.API_TOKEN", n)] = fmt.Sprint("token-", n)
		m[fmt.Sprintf("app-%03d.c%d.KEY", n, n%3)] = fmt.Sprint("k", n)
	}
	m["app-a.app.X"] = "letter after digits"
	m["app.app.X"] = "dot"
	return m
}
