package postrender

import "sigs.k8s.io/kustomize/kyaml/yaml"

// serialize writes a changed document back out. The YAML encoder writes an
// empty null inside a flow collection ("{a, b: 1}") as a quoted empty
// string, turning null into "" (found by FuzzRun); spelling such a null "null"
// keeps its meaning and makes the output read back the same.
func serialize(res *yaml.RNode) (string, error) {
	flowNulls(res.YNode(), false)
	return res.String()
}

func flowNulls(n *yaml.Node, inFlow bool) {
	if n.Kind == yaml.ScalarNode {
		if inFlow && n.Tag == yaml.NodeTagNull && n.Value == "" {
			n.Value = "null"
		}
		return
	}
	inFlow = inFlow || n.Style&yaml.FlowStyle != 0
	for _, c := range n.Content {
		flowNulls(c, inFlow)
	}
}
