// Package podspec finds the pod template inside the built-in workload kinds.
// Custom resources with the same kind names belong to other API groups and
// are left alone.
package podspec

import (
	"strings"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// paths from the resource root to its pod template metadata's parent.
var templatePaths = map[string][]string{
	"Deployment":  {"spec", "template"},
	"StatefulSet": {"spec", "template"},
	"DaemonSet":   {"spec", "template"},
	"ReplicaSet":  {"spec", "template"},
	"Job":         {"spec", "template"},
	"CronJob":     {"spec", "jobTemplate", "spec", "template"},
}

// groups holds the API group each kind must come from.
var groups = map[string]string{
	"Pod": "", "Deployment": "apps", "StatefulSet": "apps", "DaemonSet": "apps",
	"ReplicaSet": "apps", "Job": "batch", "CronJob": "batch",
}

// IsWorkload reports whether apiVersion/kind is a built-in kind with a pod template.
func IsWorkload(apiVersion, kind string) bool {
	g, ok := groups[kind]
	if !ok {
		return false
	}
	group := ""
	if i := strings.LastIndex(apiVersion, "/"); i >= 0 {
		group = apiVersion[:i]
	}
	return group == g
}

// Template is a workload's pod: its labels and spec.
type Template struct {
	Labels map[string]string
	Spec   *yaml.RNode
}

// Workloads is the filters' one walk over a stream, in kustomize's style
// (kio.FilterAll of a per-resource yaml.Filter): fn sees each workload's
// pod template and edits it in place; every resource, workload or not,
// passes on in order.
func Workloads(fn func(res *yaml.RNode, t Template) error) kio.Filter {
	return kio.FilterAll(yaml.FilterFunc(func(res *yaml.RNode) (*yaml.RNode, error) {
		if t, ok := Find(res); ok {
			return res, fn(res, t)
		}
		return res, nil
	}))
}

// EachContainer is Workloads for a filter that edits one container at a
// time: fn sees every container and initContainer of every workload, in
// the order Containers lists them, and the walk stops at its first error.
func EachContainer(fn func(res *yaml.RNode, t Template, c Container) error) kio.Filter {
	return Workloads(func(res *yaml.RNode, t Template) error {
		for _, c := range Containers(t.Spec) {
			if err := fn(res, t, c); err != nil {
				return err
			}
		}
		return nil
	})
}

// Find returns the pod template of a workload resource. ok is false for
// other resources and for workloads without a spec mapping.
func Find(res *yaml.RNode) (t Template, ok bool) {
	kind := res.GetKind()
	if !IsWorkload(res.GetApiVersion(), kind) {
		return Template{}, false
	}
	pod := res
	if p, isTemplated := templatePaths[kind]; isTemplated {
		pod = lookup(res, p...)
	}
	if pod == nil {
		return Template{}, false
	}
	spec := lookup(pod, "spec")
	if spec == nil {
		return Template{}, false
	}
	return Template{Labels: mergedLabels(res, pod), Spec: spec}, true
}

// mergedLabels are the workload's labels overlaid with the pod's: policies
// select pods, and charts often label only one of the two.
func mergedLabels(res, pod *yaml.RNode) map[string]string {
	labels := stringMap(lookup(res, "metadata", "labels"))
	for k, v := range stringMap(lookup(pod, "metadata", "labels")) {
		if labels == nil {
			labels = map[string]string{}
		}
		labels[k] = v
	}
	return labels
}

func stringMap(n *yaml.RNode) map[string]string {
	if n == nil || n.YNode().Kind != yaml.MappingNode {
		return nil
	}
	c := n.Content()
	m := make(map[string]string, len(c)/2)
	for i := 0; i+1 < len(c); i += 2 {
		if c[i+1].Kind == yaml.ScalarNode {
			m[c[i].Value] = c[i+1].Value
		}
	}
	return m
}

// lookup walks mapping fields, returning nil unless every step is a mapping.
func lookup(n *yaml.RNode, fields ...string) *yaml.RNode {
	for _, f := range fields {
		if n == nil || n.YNode().Kind != yaml.MappingNode {
			return nil
		}
		field := n.Field(f)
		if field == nil {
			return nil
		}
		n = field.Value
	}
	if n == nil || n.YNode().Kind != yaml.MappingNode {
		return nil
	}
	return n
}

// Container is one entry of containers or initContainers.
type Container struct {
	Name string
	Init bool
	Node *yaml.RNode
}

// Containers lists the mapping entries of spec.initContainers then
// spec.containers. Ephemeral containers are debugging sessions added by
// kubectl, never rendered by a chart.
func Containers(spec *yaml.RNode) []Container {
	var out []Container
	for _, field := range []string{"initContainers", "containers"} {
		f := spec.Field(field)
		if f == nil || f.Value.YNode().Kind != yaml.SequenceNode {
			continue
		}
		for _, c := range f.Value.Content() {
			if c.Kind != yaml.MappingNode {
				continue
			}
			node := yaml.NewRNode(c)
			name := ""
			if nf := node.Field("name"); nf != nil {
				name = nf.Value.YNode().Value
			}
			out = append(out, Container{Name: name, Init: field == "initContainers", Node: node})
		}
	}
	return out
}

// Mapping returns the mapping at field of n, creating it (or replacing a
// null) when absent. It returns nil if the field holds something else.
func Mapping(n *yaml.RNode, field string) *yaml.RNode {
	f := n.Field(field)
	if f == nil || yaml.IsMissingOrNull(f.Value) {
		m := yaml.NewMapRNode(nil)
		if f == nil {
			n.YNode().Content = append(n.YNode().Content, yaml.NewScalarRNode(field).YNode(), m.YNode())
		} else {
			*f.Value.YNode() = *m.YNode()
			return f.Value
		}
		return m
	}
	if f.Value.YNode().Kind != yaml.MappingNode {
		return nil
	}
	return f.Value
}
