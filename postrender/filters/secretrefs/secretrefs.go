// Package secretrefs moves literal env values the policy judges secret (by
// name and value: policy.Judge) out of the pod spec: each value goes into a Collector (from which the caller
// generates one Secret) and the env var becomes a secretKeyRef to it.
//
// A value that is only a $(VAR) reference, or a URL whose password is one,
// stays (Judge says so): Kubernetes expands references in a literal value
// but not in a value read from a Secret. A Helm hook
// keeps its literals too: hooks run before the release's resources exist,
// so the generated Secret would not be there yet.
package secretrefs

import (
	"fmt"
	"regexp"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/helm-todo/helm-todo/postrender/filters/podspec"
	"github.com/helm-todo/helm-todo/postrender/filters/report"
	"github.com/helm-todo/helm-todo/postrender/policy"
	"github.com/helm-todo/helm-todo/postrender/secretgen"
	"github.com/helm-todo/helm-todo/postrender/secretstore"
)

// Filter moves literal env values the policy judges secret into Secret.
type Filter struct {
	Judge  func(name, value string) policy.Verdict
	Secret *Collector
	Report *report.Report
}

var _ kio.Filter = Filter{}

// Collector gathers the moved values, keyed "<workload>.<container>.<VAR>"
// so that two workloads never fight over a key; a key already holding
// another value gets a "-2", "-3"... suffix.
type Collector struct {
	// RefName is the Secret name written into each secretKeyRef. The
	// generated name carries a hash of all the data, known only at the
	// end, so callers put a placeholder here and substitute it later.
	RefName string
	// Refs counts the secretKeyRefs written, so callers can tell which
	// resources hold RefName.
	Refs int

	// The values live in a spool file, not the heap: the stream may
	// move one in every other document.
	store     secretstore.Store
	started   bool
	namespace string
	first     string // ID of the first contributing resource
	firstName string // its instance label, or else its name
}

// Len is the number of values collected.
func (c *Collector) Len() int { return c.store.Len() }

// Each calls yield with every collected key and value in order o: it is
// the generated Secret's secretgen.Options.Data.
func (c *Collector) Each(o secretgen.Order, yield func(key, value string) error) error {
	return c.store.Each(o, yield)
}

// Close forgets the values and removes their spool.
func (c *Collector) Close() { c.store.Close() }

// Namespace is the namespace of the contributing workloads ("" when they
// set none and the release namespace applies).
func (c *Collector) Namespace() string { return c.namespace }

// BaseName is a name for the Secret derived from the first contributing
// workload: "<instance label>-env", else "<name>-env", made a valid
// Secret name (a label value may hold uppercase and underscores).
func (c *Collector) BaseName() string {
	var b strings.Builder
	for _, r := range strings.ToLower(c.firstName) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-.")
	if len(name) > 200 {
		name = strings.Trim(name[:200], "-.")
	}
	if name == "" {
		name = "helm-todo"
	}
	return name + "-env"
}

func (c *Collector) add(res *yaml.RNode, key, value string) (string, error) {
	ns := res.GetNamespace()
	if !c.started {
		c.started = true
		c.namespace = ns
		c.first = report.ID(res)
		c.firstName = res.GetLabels()["app.kubernetes.io/instance"]
		if c.firstName == "" {
			c.firstName = res.GetName()
		}
	} else if ns != c.namespace {
		return "", fmt.Errorf("its namespace %q differs from %q of %s, which also had values moved, and one generated Secret serves one namespace: put these values in a Secret yourself or set secretRefs.enabled to false in the policy", ns, c.namespace, c.first)
	}
	// The same variable twice in a container (or two workloads of
	// different kinds sharing a name) gets numbered keys.
	for n, base := 2, key; ; n++ {
		old, taken, err := c.store.Get(key)
		switch {
		case err != nil:
			return "", err
		case taken && old == value:
			return key, nil
		case !taken:
			return key, c.store.Put(key, value)
		}
		key = fmt.Sprintf("%s-%d", base, n)
	}
}

// keyChars is what a Secret data key may hold.
var keyChars = regexp.MustCompile(`^[-._a-zA-Z0-9]+$`)

// Filter applies to every workload among nodes and passes the rest through.
func (f Filter) Filter(nodes []*yaml.RNode) ([]*yaml.RNode, error) {
	if f.Judge == nil || f.Secret == nil {
		return nodes, nil
	}
	for _, res := range nodes {
		t, ok := podspec.Find(res)
		if !ok {
			continue
		}
		_, hook := res.GetAnnotations()["helm.sh/hook"]
		for _, c := range podspec.Containers(t.Spec) {
			if err := f.container(res, c, hook); err != nil {
				return nil, err
			}
		}
	}
	return nodes, nil
}

func (f Filter) container(res *yaml.RNode, c podspec.Container, hook bool) error {
	env := c.Node.Field("env")
	if env == nil || env.Value.YNode().Kind != yaml.SequenceNode {
		return nil
	}
	for _, item := range env.Value.Content() {
		name, valueIdx := literal(item)
		if valueIdx < 0 {
			continue
		}
		value := item.Content[valueIdx+1].Value
		if !f.Judge(name, value).Secret {
			continue
		}
		switch {
		case hook:
			f.Report.Notice(res, "container %s: env %s kept as a literal: a Helm hook runs before the generated Secret exists", c.Name, name)
			continue
		}
		key := res.GetName() + "." + c.Name + "." + name
		if !keyChars.MatchString(key) || len(key) > 253 {
			f.Report.Notice(res, "container %s: env %s kept as a literal: %q is not a valid Secret key", c.Name, name, key)
			continue
		}
		key, err := f.Secret.add(res, key, value)
		if err != nil {
			return fmt.Errorf("container %s: env %s: %w", c.Name, name, err)
		}
		item.Content[valueIdx] = yaml.NewScalarRNode("valueFrom").YNode()
		item.Content[valueIdx+1] = ref(f.Secret.RefName, key)
		f.Secret.Refs++
		f.Report.Change()
	}
	return nil
}

// literal returns an env item's name and the index of its "value" key, or
// -1 when the item is not a plain literal.
func literal(item *yaml.Node) (name string, valueIdx int) {
	valueIdx = -1
	if item.Kind != yaml.MappingNode {
		return "", -1
	}
	for i := 0; i+1 < len(item.Content); i += 2 {
		k, v := item.Content[i].Value, item.Content[i+1]
		switch k {
		case "name":
			name = v.Value
		case "value":
			// A null value is no value, however it is spelled (~, null, empty).
			if v.Kind != yaml.ScalarNode || v.Tag == yaml.NodeTagNull {
				return "", -1
			}
			valueIdx = i
		case "valueFrom":
			return "", -1
		}
	}
	return name, valueIdx
}

func ref(secret, key string) *yaml.Node {
	str := func(s string) *yaml.Node { return yaml.NewStringRNode(s).YNode() }
	inner := &yaml.Node{Kind: yaml.MappingNode, Tag: yaml.NodeTagMap, Content: []*yaml.Node{
		str("name"), str(secret), str("key"), str(key),
	}}
	return &yaml.Node{Kind: yaml.MappingNode, Tag: yaml.NodeTagMap, Content: []*yaml.Node{
		str("secretKeyRef"), inner,
	}}
}
