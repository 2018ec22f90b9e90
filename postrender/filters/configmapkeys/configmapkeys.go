// Package configmapkeys refuses ConfigMaps whose keys look secret: a
// ConfigMap is readable by anyone who can read the namespace's config and
// lands unencrypted in etcd, so a password there is a chart bug to fix,
// not something to move silently.
package configmapkeys

import (
	"fmt"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Filter checks ConfigMaps and changes nothing.
type Filter struct {
	LooksSecret func(name string) bool
}

var _ kio.Filter = Filter{}

// Filter returns an error naming the first secret-looking key.
func (f Filter) Filter(nodes []*yaml.RNode) ([]*yaml.RNode, error) {
	if f.LooksSecret == nil {
		return nodes, nil
	}
	for _, res := range nodes {
		if res.GetKind() != "ConfigMap" || res.GetApiVersion() != "v1" {
			continue
		}
		for _, field := range []string{"data", "binaryData"} {
			m := res.Field(field)
			if m == nil || m.Value.YNode().Kind != yaml.MappingNode {
				continue
			}
			c := m.Value.Content()
			for i := 0; i+1 < len(c); i += 2 {
				if f.LooksSecret(c[i].Value) {
					return nil, fmt.Errorf("%s key %s looks secret: move it to a Secret, or add it to secretRefs.allow in the policy if it is public", field, c[i].Value)
				}
			}
		}
	}
	return nodes, nil
}
