package postrender

import (
	"fmt"
	"strconv"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// DuplicateKeyError is a mapping that holds the same key twice. Kubernetes'
// decoder keeps the last value and Helm does not complain, so a pass that
// hardened the first copy would protect nothing: the document is refused.
type DuplicateKeyError struct {
	Path            string // e.g. spec.template.spec.containers[0].securityContext
	FirstLine, Line int    // lines within the document
}

func (e *DuplicateKeyError) Error() string {
	return fmt.Sprintf("duplicate key %s (lines %d and %d of the document): Kubernetes keeps only the last one, so the hardening would miss it: remove one of the two", e.Path, e.FirstLine, e.Line)
}

// manyKeys is the mapping size above which a set beats comparing pairs.
const manyKeys = 16

// checkDuplicates walks the document as parsed, before aliases are
// expanded (an alias is checked where its anchor is). A "<<" merge key may
// repeat: it merges, it does not set a field. Keys compare as Kubernetes
// reads them, as strings whatever their quoting ("name" and name are one).
// The path is built only on the way out of a failure.
func checkDuplicates(n *yaml.Node) *DuplicateKeyError {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if err := checkDuplicates(c); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if err := checkDuplicates(c); err != nil {
				err.Path = "[" + strconv.Itoa(i) + "]" + dot(err.Path)
				return err
			}
		}
	case yaml.MappingNode:
		if err := duplicateIn(n.Content); err != nil {
			return err
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := checkDuplicates(n.Content[i+1]); err != nil {
				err.Path = n.Content[i].Value + dot(err.Path)
				return err
			}
		}
	}
	return nil
}

// duplicateIn checks one mapping's keys.
func duplicateIn(c []*yaml.Node) *DuplicateKeyError {
	isKey := func(k *yaml.Node) bool { return k.Kind == yaml.ScalarNode && k.Tag != "!!merge" }
	if len(c) > 2*manyKeys {
		seen := make(map[string]*yaml.Node, len(c)/2)
		for i := 0; i+1 < len(c); i += 2 {
			if k := c[i]; isKey(k) {
				if o, dup := seen[k.Value]; dup {
					return &DuplicateKeyError{Path: k.Value, FirstLine: o.Line, Line: k.Line}
				}
				seen[k.Value] = k
			}
		}
		return nil
	}
	for i := 2; i+1 < len(c); i += 2 {
		k := c[i]
		if !isKey(k) {
			continue
		}
		for j := 0; j < i; j += 2 {
			if o := c[j]; isKey(o) && o.Value == k.Value {
				return &DuplicateKeyError{Path: k.Value, FirstLine: o.Line, Line: k.Line}
			}
		}
	}
	return nil
}

// dot joins a path's rest to its parent: "a" + ".b", "a" + "[0]".
func dot(rest string) string {
	if rest == "" || rest[0] == '[' {
		return rest
	}
	return "." + rest
}
