// Package probes gives containers the liveness, readiness and startup
// probes the policy selects for them by pod labels and container name. A
// probe is one unit: a chart's own probe is kept whole (merging two probes
// could leave one with two handlers) and reported when it differs.
package probes

import (
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/helm-todo/helm-todo/postrender/filters/fill"
	"github.com/helm-todo/helm-todo/postrender/filters/podspec"
	"github.com/helm-todo/helm-todo/postrender/filters/report"
)

// fields in the order a probe is added to a container.
var fields = []string{"startupProbe", "livenessProbe", "readinessProbe"}

// Filter adds probes.
type Filter struct {
	// For returns the probes (by container field name) for a container, or
	// none. The nodes are not modified.
	For      func(labels map[string]string, container string) map[string]*yaml.RNode
	Override bool
	Report   *report.Report
}

var _ kio.Filter = Filter{}

// Filter applies to every workload among nodes and passes the rest through.
// Init containers get no probes: Kubernetes rejects them there.
func (f Filter) Filter(nodes []*yaml.RNode) ([]*yaml.RNode, error) {
	if f.For == nil {
		return nodes, nil
	}
	for _, res := range nodes {
		t, ok := podspec.Find(res)
		if !ok {
			continue
		}
		for _, c := range podspec.Containers(t.Spec) {
			if c.Init {
				continue
			}
			want := f.For(t.Labels, c.Name)
			for _, field := range fields {
				probe, ok := want[field]
				if !ok {
					continue
				}
				if err := f.apply(res, c, field, probe); err != nil {
					return nil, err
				}
			}
		}
	}
	return nodes, nil
}

func (f Filter) apply(res *yaml.RNode, c podspec.Container, field string, probe *yaml.RNode) error {
	have := c.Node.Field(field)
	if have != nil && !yaml.IsMissingOrNull(have.Value) {
		if fill.Equal(have.Value.YNode(), probe.YNode()) {
			return nil
		}
		f.Report.Notice(res, "container %s: %s set by the chart, %s", c.Name, field, report.Verdict(f.Override))
		if !f.Override {
			return nil
		}
	}
	// SetField replaces the whole probe, which is the unit here.
	if err := c.Node.PipeE(yaml.SetField(field, probe.Copy())); err != nil {
		return err
	}
	f.Report.Change()
	return nil
}
