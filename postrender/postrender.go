// Package postrender is helm-todo's post-renderer: a pure function from a
// manifest stream to a manifest stream under a policy.Policy. It injects
// pod and container security contexts (with the emptyDir mounts a
// read-only root filesystem needs), probes, and secret references, only
// where the chart left them out, and adds at most one generated Secret.
//
// It works one document at a time, so its cost is linear in the number of
// documents: each is split off the stream, parsed with kyaml, run through
// the filters under postrender/filters (kustomize api/filters style) and
// written back; a document no filter changed is written back byte for
// byte. Output is spooled to an unlinked temporary file until the whole
// stream succeeded, so a failure writes nothing and memory stays flat.
package postrender

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/helm-todo/helm-todo/postrender/filters/configmapkeys"
	"github.com/helm-todo/helm-todo/postrender/filters/containersecurity"
	"github.com/helm-todo/helm-todo/postrender/filters/podsecurity"
	"github.com/helm-todo/helm-todo/postrender/filters/probes"
	"github.com/helm-todo/helm-todo/postrender/filters/report"
	"github.com/helm-todo/helm-todo/postrender/filters/secretrefs"
	"github.com/helm-todo/helm-todo/postrender/policy"
	"github.com/helm-todo/helm-todo/postrender/secretgen"
	"github.com/helm-todo/helm-todo/postrender/spool"
)

// FilenameAnnotation is how Helm 4 tells which template file each document
// of the stream came from; it must survive the pass.
const FilenameAnnotation = "postrenderer.helm.sh/postrender-filename"

// GeneratedFilename is the Helm 4 file name given to the generated Secret.
const GeneratedFilename = "helm-todo/generated-secret.yaml"

// placeholder stands for the generated Secret's name in secretKeyRefs until
// the hash of all moved values is known. It cannot occur in a valid
// manifest: Kubernetes names are lowercase.
const placeholder = "HELM-TODO-GENERATED-SECRET"

// Run post-renders the stream in to out under p and writes one line per
// notice to notices (which may be nil). On error nothing is written to out.
func Run(in io.Reader, out io.Writer, p *policy.Policy, notices io.Writer) error {
	if p == nil {
		p = policy.Default()
	}
	r := &run{p: p, secret: &secretrefs.Collector{RefName: placeholder}}
	defer r.out.close()
	defer r.notices.Close()
	defer r.secret.Close()
	sp := newSplitter(in)
	for doc := 0; ; {
		c, err := sp.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read manifests: %w", err)
		}
		r.out.write(c.sep)
		if blank(c.body) {
			r.out.write(c.body)
			continue
		}
		doc++
		if err := r.document(doc, c.body); err != nil {
			return err
		}
	}
	if err := r.finish(); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(out, 64<<10)
	if err := r.out.writeTo(bw, r.secretName); err != nil {
		return fmt.Errorf("write manifests: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write manifests: %w", err)
	}
	if notices != nil && r.notices.Size() > 0 {
		src, err := r.notices.Reader()
		if err != nil {
			return fmt.Errorf("write notices: %w", err)
		}
		if _, err := io.Copy(notices, src); err != nil {
			return fmt.Errorf("write notices: %w", err)
		}
	}
	return nil
}

// run is the state of one pass.
type run struct {
	p          *policy.Policy
	secret     *secretrefs.Collector
	secretName string
	sawHelm4   bool       // some document carried FilenameAnnotation
	notices    spool.File // "notice: ..." lines, one per notice
	out        output
}

// document processes one non-blank body; doc counts from 1.
func (r *run) document(doc int, body []byte) error {
	res, err := parse(body)
	if err != nil {
		return &DocError{Index: doc, Source: sourceComment(body), Err: err}
	}
	if res == nil { // comments only
		r.out.write(body)
		return nil
	}
	if err := checkMeta(res); err != nil {
		return &DocError{Index: doc, Source: sourceComment(body), Err: err}
	}
	derr := func(err error) error {
		return &DocError{Index: doc, Kind: res.GetKind(), Name: res.GetName(), Source: source(res, body), Err: err}
	}
	if err := deAnchor(res, body); err != nil {
		return derr(err)
	}
	if bytes.Contains(body, []byte(placeholder)) {
		return derr(fmt.Errorf("holds %s, which helm-todo reserves for the generated Secret's name: rename it", placeholder))
	}
	if _, ok := res.GetAnnotations()[FilenameAnnotation]; ok {
		r.sawHelm4 = true
	}
	if res.GetKind() == "" {
		return derr(errors.New("no kind: every Kubernetes resource needs apiVersion and kind"))
	}
	if res.GetApiVersion() == "" {
		return derr(errors.New("no apiVersion: every Kubernetes resource needs apiVersion and kind"))
	}
	if err := checkDuplicates(res.YNode()); err != nil {
		return derr(err)
	}
	rep := &report.Report{}
	if err := r.harden(res, rep); err != nil {
		return derr(err)
	}
	for _, n := range rep.Notices {
		r.notices.WriteString("notice: " + n + "\n")
	}
	if err := r.notices.Err(); err != nil {
		return fmt.Errorf("spool notices: %w", err)
	}
	if !rep.Changed {
		r.out.write(body)
		return nil
	}
	s, err := serialize(res)
	if err != nil {
		return derr(err)
	}
	r.out.write([]byte(s))
	return nil
}

// harden runs the filters on a resource, or on each item of a List: a
// List's items are resources of their own to Kubernetes, so passing them
// through would be a way around the hardening.
func (r *run) harden(res *yaml.RNode, rep *report.Report) error {
	items, err := listItems(res)
	if err != nil {
		return err
	}
	if items == nil {
		_, err := r.filters(rep).Filter([]*yaml.RNode{res})
		return err
	}
	for i, item := range items {
		if err := r.harden(item, rep); err != nil {
			return fmt.Errorf("items[%d] (%s): %w", i, report.ID(item), err)
		}
	}
	return nil
}

// filters run in this order on each workload; the notices follow it.
func (r *run) filters(rep *report.Report) kio.Filter {
	fs := []kio.Filter{
		podsecurity.Filter{Context: r.p.PodSecurityContextNode(), Override: r.p.Override, Report: rep},
		containersecurity.Filter{Context: r.p.ContainerSecurityContextNode(), WritablePaths: r.p.WritablePathsFor, Override: r.p.Override, Report: rep},
		probes.Filter{For: r.p.ProbesFor, Override: r.p.Override, Report: rep},
	}
	if r.p.SecretRefs.Enabled {
		fs = append(fs,
			secretrefs.Filter{Judge: r.p.Judge, Secret: r.secret, Report: rep},
			configmapkeys.Filter{Judge: r.p.Judge, Strict: r.p.StrictFor, LooksSecret: r.p.LooksSecret, Report: rep},
		)
	}
	return chain(fs)
}

// chain runs filters in order, like a kio.Pipeline without its reader and
// writer.
type chain []kio.Filter

func (c chain) Filter(nodes []*yaml.RNode) ([]*yaml.RNode, error) {
	var err error
	for _, f := range c {
		if nodes, err = f.Filter(nodes); err != nil {
			return nil, err
		}
	}
	return nodes, nil
}

// finish generates the Secret from the collected values, if any, at the
// end of the spooled output.
func (r *run) finish() error {
	if r.secret.Len() == 0 {
		return nil
	}
	name := r.p.SecretRefs.SecretName
	if name == "" {
		name = r.secret.BaseName()
	}
	var ann map[string]string
	if r.sawHelm4 {
		ann = map[string]string{FilenameAnnotation: GeneratedFilename}
	}
	r.out.separate()
	s, err := secretgen.Generate(&r.out, secretgen.Options{Name: name, Namespace: r.secret.Namespace(), Data: r.secret.Each, Annotations: ann})
	if err != nil {
		return fmt.Errorf("generated Secret: %w", err)
	}
	r.secretName = s
	return nil
}

// parse decodes one body. It returns nil, nil for a body of comments only,
// and an error for anything but a single mapping.
func parse(body []byte) (*yaml.RNode, error) {
	dec := yaml.NewDecoder(bytes.NewReader(body))
	var n yaml.Node
	if err := dec.Decode(&n); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, fmt.Errorf("malformed YAML: %w", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("more than one YAML document between separators (a \"...\" end marker?): put --- between documents")
	}
	if len(n.Content) == 0 {
		return nil, nil
	}
	if c := n.Content[0]; c.Kind != yaml.MappingNode {
		if c.Kind == yaml.ScalarNode && c.Tag == yaml.NodeTagNull {
			return nil, nil
		}
		return nil, errors.New("not a mapping: a Kubernetes resource is a YAML mapping with apiVersion and kind")
	}
	return yaml.NewRNode(&n), nil
}

// checkMeta makes sure metadata has the shape kyaml's accessors assume
// (they panic otherwise): a mapping, with scalar name and namespace and
// mappings of scalars for labels and annotations.
func checkMeta(res *yaml.RNode) error {
	for _, f := range []string{"apiVersion", "kind"} {
		if v := res.Field(f); v != nil && v.Value.YNode().Kind != yaml.ScalarNode {
			return fmt.Errorf("%s is not a string", f)
		}
	}
	m := res.Field("metadata")
	if m == nil || yaml.IsMissingOrNull(m.Value) {
		return nil
	}
	if m.Value.YNode().Kind != yaml.MappingNode {
		return errors.New("metadata is not a mapping")
	}
	for _, f := range []string{"name", "namespace"} {
		if v := m.Value.Field(f); v != nil && v.Value.YNode().Kind != yaml.ScalarNode {
			return fmt.Errorf("metadata.%s is not a string", f)
		}
	}
	for _, f := range []string{"labels", "annotations"} {
		v := m.Value.Field(f)
		if v == nil || yaml.IsMissingOrNull(v.Value) {
			continue
		}
		if v.Value.YNode().Kind != yaml.MappingNode {
			return fmt.Errorf("metadata.%s is not a mapping", f)
		}
		c := v.Value.Content()
		for i := 0; i+1 < len(c); i += 2 {
			if c[i].Kind != yaml.ScalarNode || c[i+1].Kind != yaml.ScalarNode {
				return fmt.Errorf("metadata.%s holds a non-string key or value", f)
			}
		}
	}
	return nil
}

func blank(b []byte) bool { return len(bytes.TrimSpace(b)) == 0 }

// source names the template a document came from: Helm 4's annotation, or
// the "# Source:" comment Helm 3 puts first.
func source(res *yaml.RNode, body []byte) string {
	if s := res.GetAnnotations()[FilenameAnnotation]; s != "" {
		return s
	}
	return sourceComment(body)
}

func sourceComment(body []byte) string {
	for _, line := range bytes.SplitN(body, []byte("\n"), 4) {
		if s, ok := bytes.CutPrefix(bytes.TrimSpace(line), []byte("# Source: ")); ok {
			return string(bytes.TrimSpace(s))
		}
	}
	return ""
}
