// Package fill applies a policy patch "only where absent": every leaf of the
// patch (a scalar or a whole list) that the target lacks is added, through
// kyaml's strategic merge (merge2); a leaf the target holds with another
// value is kept and reported, or replaced when override is set.
package fill

import (
	"sigs.k8s.io/kustomize/kyaml/yaml"
	"sigs.k8s.io/kustomize/kyaml/yaml/merge2"
)

// Absent merges into dst (a mapping) the leaves of patch that dst lacks.
// conflict is called with the dotted path of each leaf dst set to another
// value. It returns the leaves it added or replaced, as a patch-shaped
// mapping, or nil when dst is unchanged.
func Absent(dst, patch *yaml.RNode, override bool, conflict func(path string)) (*yaml.RNode, error) {
	set := missing(dst.YNode(), patch.YNode(), override, "", conflict)
	if set == nil {
		return nil, nil
	}
	applied := yaml.NewRNode(set).Copy()
	if len(dst.Content()) == 0 {
		// Nothing to merge with: the whole patch is the value. Skipping
		// the merge walk here matters at scale, as most charts set no
		// securityContext at all.
		dst.YNode().Content = set.Content
		dst.YNode().Style = 0 // "{}" becomes a block mapping, as merge2 writes it
		return applied, nil
	}
	// merge2 replaces a scalar list and adds missing fields: with a patch
	// holding only absent or overridden leaves, that is exactly "fill".
	merged, err := merge2.Merge(yaml.NewRNode(set), dst, yaml.MergeOptions{})
	if err != nil {
		return nil, err
	}
	if merged.YNode() != dst.YNode() {
		*dst.YNode() = *merged.YNode()
	}
	return applied, nil
}

// missing returns the sub-mapping of patch to apply to dst, or nil.
func missing(dst, patch *yaml.Node, override bool, prefix string, conflict func(string)) *yaml.Node {
	var out *yaml.Node
	add := func(k, v *yaml.Node) {
		if out == nil {
			out = &yaml.Node{Kind: yaml.MappingNode, Tag: yaml.NodeTagMap}
		}
		out.Content = append(out.Content, yaml.CopyYNode(k), v)
	}
	for i := 0; i+1 < len(patch.Content); i += 2 {
		k, v := patch.Content[i], patch.Content[i+1]
		path := k.Value
		if prefix != "" {
			path = prefix + "." + k.Value
		}
		d := field(dst, k.Value)
		switch {
		case d == nil || isNull(d):
			add(k, yaml.CopyYNode(v))
		case v.Kind == yaml.MappingNode && d.Kind == yaml.MappingNode:
			if sub := missing(d, v, override, path, conflict); sub != nil {
				add(k, sub)
			}
		case Equal(d, v):
		default:
			if conflict != nil {
				conflict(path)
			}
			if override {
				add(k, yaml.CopyYNode(v))
			}
		}
	}
	return out
}

func field(m *yaml.Node, name string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == name {
			return m.Content[i+1]
		}
	}
	return nil
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == yaml.NodeTagNull
}

// Equal compares two nodes by content: scalar values, lists in order and
// mappings regardless of key order or style.
func Equal(a, b *yaml.Node) bool {
	if a.Kind == yaml.DocumentNode && len(a.Content) == 1 {
		a = a.Content[0]
	}
	if b.Kind == yaml.DocumentNode && len(b.Content) == 1 {
		b = b.Content[0]
	}
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case yaml.ScalarNode:
		return a.Value == b.Value
	case yaml.SequenceNode:
		if len(a.Content) != len(b.Content) {
			return false
		}
		for i := range a.Content {
			if !Equal(a.Content[i], b.Content[i]) {
				return false
			}
		}
		return true
	case yaml.MappingNode:
		if len(a.Content) != len(b.Content) {
			return false
		}
		for i := 0; i+1 < len(a.Content); i += 2 {
			bv := field(b, a.Content[i].Value)
			if bv == nil || !Equal(a.Content[i+1], bv) {
				return false
			}
		}
		return true
	case yaml.AliasNode:
		return a.Value == b.Value
	}
	return false
}
