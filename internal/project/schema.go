package project

import (
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// typeProblem is a value in helm-todo.yaml whose YAML kind does not fit its
// field: yaml.v3 says "cannot unmarshal !!str into project.PublicArgs",
// which names neither the field nor what it wants.
type typeProblem struct {
	line  int
	field string // "buildArgs", "build.builder", "valuesFiles[1]"
	msg   string // "line 1: buildArgs is the string "x"; expected ..."
}

// typeProblems walks the parsed document against File's fields and names
// each value of the wrong kind. Unknown fields are left to yaml.v3's strict
// decoding, which already names them.
func typeProblems(doc *yaml.Node) []typeProblem {
	var out []typeProblem
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		walkType(deref(doc.Content[0]), reflect.TypeOf(File{}), "", &out)
	}
	return out
}

func walkType(n *yaml.Node, t reflect.Type, field string, out *[]typeProblem) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // an empty value leaves the default, as yaml.v3 does
	}
	bad := func() {
		name := field
		if name == "" {
			name = FileName
		}
		*out = append(*out, typeProblem{
			line:  n.Line,
			field: field,
			msg:   fmt.Sprintf("line %d: %s is %s; expected %s", n.Line, name, describeNode(n), describeType(t)),
		})
	}
	switch t.Kind() {
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			bad()
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			bad()
			return
		}
		for i, c := range n.Content {
			walkType(deref(c), t.Elem(), fmt.Sprintf("%s[%d]", field, i), out)
		}
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			bad()
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if f, ok := fieldByTag(t, n.Content[i].Value); ok {
				walkType(deref(n.Content[i+1]), f.Type, join(field, n.Content[i].Value), out)
			}
		}
	}
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func join(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

func fieldByTag(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if f := t.Field(i); yamlName(f) == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func yamlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	return name
}

// describeType says in the user's words what a field takes.
func describeType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(describeType(t.Elem()), "a ") + "s"
	case reflect.Struct:
		names := make([]string, 0, t.NumField())
		for i := range t.NumField() {
			names = append(names, yamlName(t.Field(i)))
		}
		return "a mapping with the fields " + strings.Join(names, ", ")
	}
	return t.Kind().String()
}

// describeNode says what the user wrote. A scalar's value is shown: nothing
// in helm-todo.yaml is secret (buildArgs are baked into browser code).
func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	kind := map[string]string{"!!int": "number", "!!float": "number", "!!bool": "boolean"}[n.Tag]
	if kind == "" {
		kind = "string"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:40] + "…"
	}
	return fmt.Sprintf("the %s %q", kind, v)
}
