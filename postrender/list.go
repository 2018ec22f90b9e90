package postrender

import (
	"errors"
	"fmt"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// listItems returns the items of a v1 List or of any other *List kind that
// has them, checked like documents of their own, and nil for anything else
// (including a List with no items).
func listItems(res *yaml.RNode) ([]*yaml.RNode, error) {
	if !strings.HasSuffix(res.GetKind(), "List") {
		return nil, nil
	}
	f := res.Field("items")
	if f == nil || yaml.IsMissingOrNull(f.Value) {
		return nil, nil
	}
	if f.Value.YNode().Kind != yaml.SequenceNode {
		return nil, errors.New("items is not a list: a List holds its resources in a YAML sequence")
	}
	c := f.Value.Content()
	items := make([]*yaml.RNode, 0, len(c))
	for i, n := range c {
		if n.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("items[%d]: not a mapping: a Kubernetes resource is a YAML mapping with apiVersion and kind", i)
		}
		item := yaml.NewRNode(n)
		if err := checkMeta(item); err != nil {
			return nil, fmt.Errorf("items[%d]: %w", i, err)
		}
		for _, field := range []string{"apiVersion", "kind"} {
			if v := item.Field(field); v == nil || v.Value.YNode().Value == "" {
				return nil, fmt.Errorf("items[%d]: no %s: every item of a List needs apiVersion and kind", i, field)
			}
		}
		items = append(items, item)
	}
	return items, nil
}
