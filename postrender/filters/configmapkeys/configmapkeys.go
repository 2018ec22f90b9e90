// Package configmapkeys checks ConfigMaps for secrets: a ConfigMap is
// readable by anyone who can read the namespace's config and lands
// unencrypted in etcd, so a password there is a chart bug to fix, not
// something to move silently. Whether a value is a secret is the policy's
// Judge (the key's name says where to look, the value decides); what a
// secret gets depends on the mode: an error where the policy is strict, a
// notice elsewhere. A key whose name looks secret but whose value is not
// one (a file path, a plain URL) gets a notice saying so, never an error.
package configmapkeys

import (
	"fmt"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/helm-todo/helm-todo/postrender/filters/report"
	"github.com/helm-todo/helm-todo/postrender/policy"
)

// Filter checks ConfigMaps and changes nothing.
type Filter struct {
	Judge func(name, value string) policy.Verdict
	// Strict says whether a secret in a ConfigMap with these labels is an
	// error; nil means never.
	Strict func(labels map[string]string) bool
	// LooksSecret is where Judge looks at all: such a key that holds no
	// secret is reported as kept.
	LooksSecret func(name string) bool
	Report      *report.Report
}

var _ kio.Filter = Filter{}

// Filter returns an error naming the first secret key of a strict
// ConfigMap, and notices for the others.
func (f Filter) Filter(nodes []*yaml.RNode) ([]*yaml.RNode, error) {
	if f.Judge == nil {
		return nodes, nil
	}
	return kio.FilterAll(yaml.FilterFunc(func(res *yaml.RNode) (*yaml.RNode, error) {
		if res.GetKind() != "ConfigMap" || res.GetApiVersion() != "v1" {
			return res, nil
		}
		return res, f.configMap(res)
	})).Filter(nodes)
}

func (f Filter) configMap(res *yaml.RNode) error {
	strict := f.Strict != nil && f.Strict(res.GetLabels())
	for _, field := range []string{"data", "binaryData"} {
		m := res.Field(field)
		if m == nil || m.Value.YNode().Kind != yaml.MappingNode {
			continue
		}
		c := m.Value.Content()
		for i := 0; i+1 < len(c); i += 2 {
			key, value := c[i].Value, c[i+1].Value
			v := f.Judge(key, value)
			switch {
			case v.Secret && strict:
				return fmt.Errorf("%s key %s looks secret (%s): move it to a Secret, or add it to secretRefs.allow in the policy if it is public", field, key, v.Reason)
			case v.Secret:
				f.Report.Notice(res, "%s key %s looks secret (%s): move it to a Secret, which only pods and their owners read; add it to secretRefs.allow in a --config policy if it is public", field, key, v.Reason)
			case f.LooksSecret != nil && f.LooksSecret(key):
				f.Report.Notice(res, "%s key %s kept: its name looks secret but %s", field, key, v.Reason)
			}
		}
	}
	return nil
}
