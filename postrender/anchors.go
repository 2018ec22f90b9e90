package postrender

import (
	"bytes"
	"fmt"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// maxExpandedNodes bounds what a document's aliases may expand to, so that
// a "billion laughs" document fails instead of exhausting memory.
const maxExpandedNodes = 1 << 20

// deAnchor replaces aliases with copies of what they point to. A filter
// that replaces an anchored node would otherwise leave its aliases
// dangling. Documents without anchors, the usual case, are not walked.
func deAnchor(res *yaml.RNode, body []byte) error {
	if !bytes.ContainsAny(body, "&*") || !hasAnchors(res.YNode()) {
		return nil
	}
	if n := expandedSize(res.YNode(), map[*yaml.Node]int{}); n > maxExpandedNodes {
		return fmt.Errorf("aliases expand to more than %d YAML nodes: write the document out without anchors", maxExpandedNodes)
	}
	return res.DeAnchor()
}

func hasAnchors(n *yaml.Node) bool {
	if n.Anchor != "" || n.Kind == yaml.AliasNode {
		return true
	}
	for _, c := range n.Content {
		if hasAnchors(c) {
			return true
		}
	}
	return false
}

// expandedSize counts the nodes n stands for once aliases are expanded,
// saturating past the limit.
func expandedSize(n *yaml.Node, memo map[*yaml.Node]int) int {
	if n == nil {
		return 0
	}
	if v, ok := memo[n]; ok {
		return v
	}
	memo[n] = maxExpandedNodes + 1 // an alias cycle counts as too big
	size := 1
	if n.Kind == yaml.AliasNode {
		size = expandedSize(n.Alias, memo)
	}
	for _, c := range n.Content {
		if size > maxExpandedNodes {
			break
		}
		size += expandedSize(c, memo)
	}
	memo[n] = min(size, maxExpandedNodes+1)
	return memo[n]
}
