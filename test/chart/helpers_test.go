// Package chart_test asserts the todo-app chart field by field, rendered with
// the Helm SDK (internal/chart) and with the real helm v3 and v4 binaries.
package chart_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/helm-todo/helm-todo/internal/chart"
)

var (
	chartDir  = filepath.Join("..", "..", "charts", "todo-app")
	devValues = filepath.Join(chartDir, "values-dev.yaml")
	// devProbeValues is what helm todo dev passes (up.DevProbeValues).
	devProbeValues = filepath.Join(chartDir, "values-dev-probes.yaml")
	releaseNS      = "todo-app"
	release        = "todo"
	allKeys        = []string{"DATABASE_URL", "OPENROUTER_API_KEY", "BETTER_AUTH_SECRET", "VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY"}
)

// doc is one rendered resource, decoded loosely, plus where it came from.
type doc struct {
	Kind     string `json:"kind"`
	IsHook   bool   `json:"-"`
	Raw      []byte `json:"-"`
	Metadata struct {
		Name        string            `json:"name"`
		Namespace   string            `json:"namespace"`
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
	}
}

// rendering is a rendered chart, indexed by kind and name.
type rendering struct {
	*chart.Rendered
	docs []doc
}

func render(t *testing.T, files []string, set ...string) *rendering {
	t.Helper()
	r, err := chart.Render(chart.Options{ChartDir: chartDir, ReleaseName: release, Namespace: releaseNS, ValuesFiles: files, Set: set})
	if err != nil {
		t.Fatalf("render with %v %v: %v", files, set, err)
	}
	out := &rendering{Rendered: r}
	out.docs = append(out.docs, splitDocs(t, r.Manifest, false)...)
	for _, h := range r.Hooks {
		out.docs = append(out.docs, splitDocs(t, h.Manifest, true)...)
	}
	return out
}

func splitDocs(t *testing.T, stream string, hook bool) []doc {
	t.Helper()
	var out []doc
	rd := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(stream)))
	for {
		raw, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("split rendered stream: %v", err)
		}
		if len(bytes.TrimSpace(stripComments(raw))) == 0 {
			continue
		}
		var x doc
		if err := yaml.Unmarshal(raw, &x); err != nil {
			t.Fatalf("rendered document is not YAML: %v", err) // not the text: it may hold secret values
		}
		x.IsHook, x.Raw = hook, raw
		out = append(out, x)
	}
}

func stripComments(b []byte) []byte {
	var keep [][]byte
	for _, l := range bytes.Split(b, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(l), []byte("#")) {
			keep = append(keep, l)
		}
	}
	return bytes.Join(keep, []byte("\n"))
}

func (r *rendering) find(kind, name string) (doc, bool) {
	for _, d := range r.docs {
		if d.Kind == kind && d.Metadata.Name == name {
			return d, true
		}
	}
	return doc{}, false
}

func (r *rendering) ofKind(kind string) []doc {
	var out []doc
	for _, d := range r.docs {
		if d.Kind == kind {
			out = append(out, d)
		}
	}
	return out
}

// get decodes kind/name into a typed object, failing the test if absent.
func get[T any](t *testing.T, r *rendering, kind, name string) (*T, doc) {
	t.Helper()
	d, ok := r.find(kind, name)
	if !ok {
		t.Fatalf("no %s/%s in the rendering; have %s", kind, name, r.names())
	}
	obj := new(T)
	if err := yaml.UnmarshalStrict(d.Raw, obj); err != nil {
		t.Fatalf("%s/%s does not decode as %T: %v", kind, name, obj, err)
	}
	return obj, d
}

func (r *rendering) names() string {
	var s []string
	for _, d := range r.docs {
		s = append(s, d.Kind+"/"+d.Metadata.Name)
	}
	return strings.Join(s, ", ")
}

func deployment(t *testing.T, r *rendering, name string) *appsv1.Deployment {
	t.Helper()
	d, _ := get[appsv1.Deployment](t, r, "Deployment", name)
	return d
}

func job(t *testing.T, r *rendering, name string) (*batchv1.Job, doc) {
	t.Helper()
	return get[batchv1.Job](t, r, "Job", name)
}

func service(t *testing.T, r *rendering, name string) *corev1.Service {
	t.Helper()
	s, _ := get[corev1.Service](t, r, "Service", name)
	return s
}

func networkPolicy(t *testing.T, r *rendering, name string) *networkingv1.NetworkPolicy {
	t.Helper()
	n, _ := get[networkingv1.NetworkPolicy](t, r, "NetworkPolicy", name)
	return n
}

func pdb(t *testing.T, r *rendering, name string) *policyv1.PodDisruptionBudget {
	t.Helper()
	p, _ := get[policyv1.PodDisruptionBudget](t, r, "PodDisruptionBudget", name)
	return p
}

func container(t *testing.T, spec corev1.PodSpec, name string) corev1.Container {
	t.Helper()
	for _, c := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no container %q in pod spec", name)
	return corev1.Container{}
}

func envVar(c corev1.Container, name string) (corev1.EnvVar, int) {
	for i, e := range c.Env {
		if e.Name == name {
			return e, i
		}
	}
	return corev1.EnvVar{}, -1
}

// podSpecs returns every pod template in the rendering, keyed "Kind/name".
func podSpecs(t *testing.T, r *rendering) map[string]corev1.PodTemplateSpec {
	t.Helper()
	out := map[string]corev1.PodTemplateSpec{}
	for _, d := range r.docs {
		key := d.Kind + "/" + d.Metadata.Name
		switch d.Kind {
		case "Deployment":
			o, _ := get[appsv1.Deployment](t, r, d.Kind, d.Metadata.Name)
			out[key] = o.Spec.Template
		case "StatefulSet":
			o, _ := get[appsv1.StatefulSet](t, r, d.Kind, d.Metadata.Name)
			out[key] = o.Spec.Template
		case "Job":
			o, _ := get[batchv1.Job](t, r, d.Kind, d.Metadata.Name)
			out[key] = o.Spec.Template
		}
	}
	return out
}
