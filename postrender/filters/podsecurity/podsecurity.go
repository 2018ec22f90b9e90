// Package podsecurity fills a workload's pod securityContext from the
// policy (runAsNonRoot, runAsUser/Group, fsGroup, seccompProfile), only
// where the chart left a field out unless Override is set.
package podsecurity

import (
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/helm-todo/helm-todo/postrender/filters/fill"
	"github.com/helm-todo/helm-todo/postrender/filters/podspec"
	"github.com/helm-todo/helm-todo/postrender/filters/report"
)

// Filter fills pod securityContexts.
type Filter struct {
	// Context holds the fields to fill; nil does nothing. Not modified.
	Context  *yaml.RNode
	Override bool
	Report   *report.Report
}

var _ kio.Filter = Filter{}

// Filter applies to every workload among nodes and passes the rest through.
func (f Filter) Filter(nodes []*yaml.RNode) ([]*yaml.RNode, error) {
	if f.Context == nil {
		return nodes, nil
	}
	return podspec.Workloads(f.pod).Filter(nodes)
}

func (f Filter) pod(res *yaml.RNode, t podspec.Template) error {
	sc := podspec.Mapping(t.Spec, "securityContext")
	if sc == nil {
		f.Report.Notice(res, "pod securityContext is not a mapping, kept")
		return nil
	}
	set, err := fill.Absent(sc, f.Context, f.Override, func(path string) {
		f.Report.Notice(res, "pod securityContext.%s set by the chart, %s", path, report.Verdict(f.Override))
	})
	if set != nil {
		f.Report.Change()
	}
	return err
}
