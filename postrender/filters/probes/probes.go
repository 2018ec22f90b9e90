// Package probes gives containers the liveness, readiness and startup
// probes the policy selects for them by pod labels and container name. A
// probe is one unit: a chart's own probe is kept whole (merging two probes
// could leave one with two handlers) and reported when it differs.
package probes

import (
	"encoding/json"
	"reflect"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
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
	return podspec.EachContainer(f.container).Filter(nodes)
}

func (f Filter) container(res *yaml.RNode, t podspec.Template, c podspec.Container) error {
	if c.Init {
		return nil
	}
	want := f.For(t.Labels, c.Name)
	for _, field := range fields {
		probe, ok := want[field]
		if !ok {
			continue
		}
		if err := f.apply(res, c, field, probe); err != nil {
			return err
		}
	}
	return nil
}

func (f Filter) apply(res *yaml.RNode, c podspec.Container, field string, probe *yaml.RNode) error {
	have := c.Node.Field(field)
	if have != nil && !yaml.IsMissingOrNull(have.Value) {
		if fill.Equal(have.Value.YNode(), probe.YNode()) || sameProbe(c.Node, have.Value, probe) {
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

// sameProbe compares two probes as the kubelet runs them: defaults filled
// in and a named port resolved against the container's ports, so that a
// chart spelling the policy's probe another way is not reported.
func sameProbe(container, a, b *yaml.RNode) bool {
	pa, errA := normalize(container, a)
	pb, errB := normalize(container, b)
	return errA == nil && errB == nil && reflect.DeepEqual(pa, pb)
}

func normalize(container, n *yaml.RNode) (corev1.Probe, error) {
	var p corev1.Probe
	j, err := n.MarshalJSON()
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(j, &p); err != nil {
		return p, err
	}
	def := func(v *int32, d int32) {
		if *v == 0 {
			*v = d
		}
	}
	// The API server's defaults for a probe.
	def(&p.TimeoutSeconds, 1)
	def(&p.PeriodSeconds, 10)
	def(&p.SuccessThreshold, 1)
	def(&p.FailureThreshold, 3)
	if h := p.HTTPGet; h != nil {
		if h.Scheme == "" {
			h.Scheme = corev1.URISchemeHTTP
		}
		if h.Path == "" {
			h.Path = "/"
		}
		h.Port = resolvePort(container, h.Port)
	}
	if t := p.TCPSocket; t != nil {
		t.Port = resolvePort(container, t.Port)
	}
	return p, nil
}

func resolvePort(container *yaml.RNode, port intstr.IntOrString) intstr.IntOrString {
	if port.Type != intstr.String {
		return port
	}
	ports := container.Field("ports")
	if ports == nil {
		return port
	}
	for _, cp := range ports.Value.Content() {
		var name, number string
		for i := 0; i+1 < len(cp.Content); i += 2 {
			switch cp.Content[i].Value {
			case "name":
				name = cp.Content[i+1].Value
			case "containerPort":
				number = cp.Content[i+1].Value
			}
		}
		if name == port.StrVal {
			if n, err := strconv.Atoi(number); err == nil {
				return intstr.FromInt32(int32(n))
			}
		}
	}
	return port
}
