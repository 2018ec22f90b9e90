// Package containersecurity fills each container's and initContainer's
// securityContext from the policy (allowPrivilegeEscalation,
// readOnlyRootFilesystem, capabilities), only where the chart left a field
// out unless Override is set. Where it makes the root filesystem read-only
// it also mounts an emptyDir at each writable path the policy lists for
// the container: /tmp, and the Next.js cache of the frontend.
package containersecurity

import (
	"fmt"
	"hash/fnv"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/helm-todo/helm-todo/postrender/filters/fill"
	"github.com/helm-todo/helm-todo/postrender/filters/podspec"
	"github.com/helm-todo/helm-todo/postrender/filters/report"
)

// Filter fills container securityContexts and mounts writable paths.
type Filter struct {
	// Context holds the fields to fill; nil does nothing. Not modified.
	Context *yaml.RNode
	// WritablePaths lists the paths to mount an emptyDir at in a container
	// whose root filesystem this filter makes read-only.
	WritablePaths func(labels map[string]string, container string) []string
	Override      bool
	Report        *report.Report
}

var _ kio.Filter = Filter{}

// Filter applies to every workload among nodes and passes the rest through.
func (f Filter) Filter(nodes []*yaml.RNode) ([]*yaml.RNode, error) {
	if f.Context == nil {
		return nodes, nil
	}
	return podspec.EachContainer(f.container).Filter(nodes)
}

func (f Filter) container(res *yaml.RNode, t podspec.Template, c podspec.Container) error {
	sc := podspec.Mapping(c.Node, "securityContext")
	if sc == nil {
		f.Report.Notice(res, "container %s: securityContext is not a mapping, kept", c.Name)
		return nil
	}
	set, err := fill.Absent(sc, f.Context, f.Override, func(path string) {
		f.Report.Notice(res, "container %s: securityContext.%s set by the chart, %s", c.Name, path, report.Verdict(f.Override))
	})
	if err != nil || set == nil {
		return err
	}
	f.Report.Change()
	if ro := set.Field("readOnlyRootFilesystem"); ro == nil || ro.Value.YNode().Value != "true" || f.WritablePaths == nil {
		return nil
	}
	for _, p := range f.WritablePaths(t.Labels, c.Name) {
		if err := mountEmptyDir(t.Spec, c, p); err != nil {
			return fmt.Errorf("container %s: writable path %s: %w", c.Name, p, err)
		}
	}
	return nil
}

// mountEmptyDir mounts a new emptyDir at p unless a writable mount already
// covers p.
func mountEmptyDir(spec *yaml.RNode, c podspec.Container, p string) error {
	mounts, err := sequence(c.Node, "volumeMounts")
	if err != nil {
		return err
	}
	for _, m := range mounts.Content() {
		mp := scalar(m, "mountPath")
		if strings.TrimSuffix(mp, "/") == p || (mp != "" && strings.HasPrefix(p, strings.TrimSuffix(mp, "/")+"/") && scalar(m, "readOnly") != "true") {
			return nil
		}
	}
	volumes, err := sequence(spec, "volumes")
	if err != nil {
		return err
	}
	name := freeName(volumes, volumeName(c.Name, p))
	emptyDir := &yaml.Node{Kind: yaml.MappingNode, Tag: yaml.NodeTagMap, Style: yaml.FlowStyle}
	vol := mapping("name", yaml.NewStringRNode(name).YNode(), "emptyDir", emptyDir)
	mount := mapping("name", yaml.NewStringRNode(name).YNode(), "mountPath", yaml.NewStringRNode(p).YNode())
	volumes.YNode().Content = append(volumes.YNode().Content, vol)
	mounts.YNode().Content = append(mounts.YNode().Content, mount)
	return nil
}

// sequence returns the list at field, creating it when absent or null.
func sequence(n *yaml.RNode, field string) (*yaml.RNode, error) {
	f := n.Field(field)
	if f != nil && !yaml.IsMissingOrNull(f.Value) {
		if f.Value.YNode().Kind != yaml.SequenceNode {
			return nil, fmt.Errorf("%s is not a list", field)
		}
		return f.Value, nil
	}
	seq := yaml.NewListRNode()
	if f != nil {
		*f.Value.YNode() = *seq.YNode()
		return f.Value, nil
	}
	n.YNode().Content = append(n.YNode().Content, yaml.NewScalarRNode(field).YNode(), seq.YNode())
	return seq, nil
}

func scalar(m *yaml.Node, field string) string {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == field && m.Content[i+1].Kind == yaml.ScalarNode {
			return m.Content[i+1].Value
		}
	}
	return ""
}

// volumeName is a DNS-1123 label naming the container and the path, so
// that a reader of the pod spec sees where it came from.
func volumeName(container, p string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(container + "-" + p) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	name := strings.Trim(b.String(), "-")
	if name == "" {
		name = "writable"
	}
	if len(name) > 63 {
		h := fnv.New32a()
		h.Write([]byte(container + "\x00" + p))
		name = strings.Trim(name[:54], "-") + fmt.Sprintf("-%08x", h.Sum32())
	}
	return name
}

func freeName(volumes *yaml.RNode, base string) string {
	taken := map[string]bool{}
	for _, v := range volumes.Content() {
		taken[scalar(v, "name")] = true
	}
	name := base
	for i := 2; taken[name]; i++ {
		suffix := fmt.Sprintf("-%d", i)
		name = strings.TrimRight(base[:min(len(base), 63-len(suffix))], "-") + suffix
	}
	return name
}

func mapping(kv ...any) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: yaml.NodeTagMap}
	for i := 0; i+1 < len(kv); i += 2 {
		m.Content = append(m.Content, yaml.NewScalarRNode(kv[i].(string)).YNode(), kv[i+1].(*yaml.Node))
	}
	return m
}
