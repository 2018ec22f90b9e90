// Package report collects what the filters did to one resource: whether it
// changed (so the untouched bytes can pass through as they came) and the
// one-line notices for values the chart set itself.
package report

import (
	"fmt"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Report is shared by the filters applied to one resource. A nil *Report
// discards everything, so filters work without one.
type Report struct {
	Changed bool
	Notices []string
}

// Change records that the resource was modified.
func (r *Report) Change() {
	if r != nil {
		r.Changed = true
	}
}

// Notice records one line about the resource. It must never hold a value
// from the manifest: a value may be a secret.
func (r *Report) Notice(res *yaml.RNode, format string, args ...any) {
	if r == nil {
		return
	}
	r.Notices = append(r.Notices, ID(res)+": "+fmt.Sprintf(format, args...))
}

// ID is "Kind/name" or "Kind/namespace/name".
func ID(res *yaml.RNode) string {
	kind := res.GetKind()
	ns, name := res.GetNamespace(), res.GetName()
	if ns != "" {
		return kind + "/" + ns + "/" + name
	}
	return kind + "/" + name
}

// Verdict ends a notice about a value the chart set: what the pass did.
func Verdict(override bool) string {
	if override {
		return "replaced (override: true)"
	}
	return "kept (set override: true in the policy to enforce)"
}
