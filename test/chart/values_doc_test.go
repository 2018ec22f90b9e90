package chart_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// documentedValues walks values.yaml as helm-docs does: a key with a `# --`
// comment is one entry (its map is not descended into), a map without one
// is walked; any other key is undocumented. helm-docs itself lists an
// undocumented key silently, so this walk is what refuses one.
func documentedValues(t *testing.T) (documented, undocumented []string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		t.Fatalf("values.yaml: %v", err)
	}
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			path := prefix + k.Value
			switch {
			case hasDocComment(k.HeadComment):
				documented = append(documented, path)
			case v.Kind == yaml.MappingNode && len(v.Content) > 0:
				walk(v, path+".")
			default:
				undocumented = append(undocumented, path)
			}
		}
	}
	walk(root.Content[0], "")
	return documented, undocumented
}

func hasDocComment(c string) bool {
	for _, l := range strings.Split(c, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "# --") {
			return true
		}
	}
	return false
}

func TestValuesDocumented(t *testing.T) {
	if _, undocumented := documentedValues(t); len(undocumented) > 0 {
		t.Errorf("values without a `# --` comment (helm-docs would list them with no description): %v", undocumented)
	}
}

// helmDocsArgs are the Makefile's `docs` target's, so the test renders what
// `make docs` writes.
var helmDocsArgs = []string{"--chart-search-root", chartDir, "--sort-values-order", "file", "--log-level", "warning"}

// TestChartReadmeGenerated: charts/todo-app/README.md is what helm-docs
// renders from README.md.gotmpl and the `# --` comments of values.yaml, so
// a changed value or comment without `make docs` fails here.
func TestChartReadmeGenerated(t *testing.T) {
	bin := os.Getenv("HELM_DOCS")
	if bin == "" {
		bin = filepath.Join("..", "..", ".tools", "helm-docs", "helm-docs")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("no helm-docs at %s: run `make tools` (or `make test`, which builds it first)", bin)
	}
	cmd := exec.Command(bin, append(helmDocsArgs, "--dry-run")...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("helm-docs: %v\n%s", err, stderr.String())
	}
	want, err := os.ReadFile(filepath.Join(chartDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("charts/todo-app/README.md differs from what helm-docs renders; edit README.md.gotmpl or values.yaml, then run: make docs")
	}
}

// TestSchemaCoversValues: every documented value has a schema property, so
// additionalProperties:false never refuses a value the chart documents.
func TestSchemaCoversValues(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(chartDir, "values.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatalf("values.schema.json: %v", err)
	}
	documented, _ := documentedValues(t)
	for _, path := range documented {
		node := schema
		for _, part := range strings.Split(path, ".") {
			node = resolveRef(schema, node)
			props, _ := node["properties"].(map[string]any)
			next, ok := props[part].(map[string]any)
			if !ok {
				t.Errorf("values.schema.json has no property for %s", path)
				break
			}
			node = next
		}
		node = resolveRef(schema, node)
		if _, typed := node["type"]; !typed && node["anyOf"] == nil {
			t.Errorf("values.schema.json does not type %s", path)
		}
	}
}

func resolveRef(root, node map[string]any) map[string]any {
	for {
		ref, ok := node["$ref"].(string)
		if !ok {
			return node
		}
		node = root
		for _, p := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			node, _ = node[p].(map[string]any)
		}
	}
}
