package chart_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite the values table in charts/todo-app/README.md")

// valueDoc is one documented value, helm-docs style: a key with a `# --`
// comment is an entry (its map value is not descended into).
type valueDoc struct {
	Path, Type, Default, Description string
}

func documentedValues(t *testing.T) ([]valueDoc, []string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		t.Fatalf("values.yaml: %v", err)
	}
	var docs []valueDoc
	var undocumented []string
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			path := prefix + k.Value
			desc, def, ok := parseDocComment(k.HeadComment)
			switch {
			case ok:
				docs = append(docs, valueDoc{Path: path, Type: yamlType(v), Default: orDefaultJSON(def, v), Description: desc})
			case v.Kind == yaml.MappingNode && len(v.Content) > 0:
				walk(v, path+".")
			default:
				undocumented = append(undocumented, path)
			}
		}
	}
	walk(root.Content[0], "")
	return docs, undocumented
}

// parseDocComment reads the last `# --` block of a head comment.
func parseDocComment(c string) (desc, def string, ok bool) {
	lines := strings.Split(c, "\n")
	start := -1
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "# --") {
			start = i
		}
	}
	if start < 0 {
		return "", "", false
	}
	var parts []string
	for i, l := range lines[start:] {
		l = strings.TrimPrefix(strings.TrimSpace(l), "#")
		if i == 0 {
			l = strings.TrimPrefix(l, " --")
		}
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "@default --") {
			def = strings.TrimSpace(strings.TrimPrefix(l, "@default --"))
			continue
		}
		parts = append(parts, l)
	}
	return strings.Join(parts, " "), def, true
}

func yamlType(v *yaml.Node) string {
	switch v.Kind {
	case yaml.MappingNode:
		return "object"
	case yaml.SequenceNode:
		return "list"
	}
	switch v.Tag {
	case "!!int":
		return "int"
	case "!!bool":
		return "bool"
	case "!!float":
		return "float"
	}
	return "string"
}

func orDefaultJSON(def string, v *yaml.Node) string {
	if def != "" {
		return def
	}
	var x any
	if err := v.Decode(&x); err != nil {
		return "?"
	}
	b, _ := json.Marshal(x)
	return "`" + string(b) + "`"
}

func valuesTable(docs []valueDoc) string {
	var b strings.Builder
	b.WriteString("| Key | Type | Default | Description |\n|-----|------|---------|-------------|\n")
	for _, d := range docs {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", d.Path, d.Type, strings.ReplaceAll(d.Default, "|", "\\|"), strings.ReplaceAll(d.Description, "|", "\\|"))
	}
	return b.String()
}

const tableStart, tableEnd = "<!-- values-table:start -->\n", "<!-- values-table:end -->"

// TestValuesDocumented: every value has a `# --` comment, and the README's
// table is the one generated from them (`go test ./test/chart -run
// TestValuesDocumented -update` rewrites it).
func TestValuesDocumented(t *testing.T) {
	docs, undocumented := documentedValues(t)
	if len(undocumented) > 0 {
		t.Errorf("values without a `# --` comment: %v", undocumented)
	}
	readme := filepath.Join(chartDir, "README.md")
	b, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i, j := strings.Index(s, tableStart), strings.Index(s, tableEnd)
	if i < 0 || j < i {
		t.Fatalf("%s has no %q ... %q section", readme, strings.TrimSpace(tableStart), tableEnd)
	}
	want := valuesTable(docs)
	if got := s[i+len(tableStart) : j]; got != want {
		if *update {
			if err := os.WriteFile(readme, []byte(s[:i+len(tableStart)]+want+s[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("the values table in %s is stale; run: go test ./test/chart -run TestValuesDocumented -update", readme)
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
	docs, _ := documentedValues(t)
	for _, d := range docs {
		node := schema
		for _, part := range strings.Split(d.Path, ".") {
			node = resolveRef(schema, node)
			props, _ := node["properties"].(map[string]any)
			next, ok := props[part].(map[string]any)
			if !ok {
				t.Errorf("values.schema.json has no property for %s", d.Path)
				break
			}
			node = next
		}
		node = resolveRef(schema, node)
		if _, typed := node["type"]; !typed && node["anyOf"] == nil {
			t.Errorf("values.schema.json does not type %s", d.Path)
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
