package postrender

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	psapolicy "k8s.io/pod-security-admission/policy"
	"sigs.k8s.io/yaml"

	"github.com/helm-todo/helm-todo/postrender/filters/podspec"
)

// pod is one pod template of a stream, in order, List items included.
type pod struct {
	at   string // "Deployment/web", for messages
	meta *metav1.ObjectMeta
	spec *corev1.PodSpec
}

// restrictedChecks are the latest versions of Pod Security's checks, each
// run on its own so that a failure can be told apart by check; a baseline
// check a restricted one overrides is left out, as the evaluator does.
var restrictedChecks = func() map[psapolicy.CheckID]psapolicy.CheckPodFn {
	out := map[psapolicy.CheckID]psapolicy.CheckPodFn{}
	overridden := map[psapolicy.CheckID]bool{}
	for _, c := range psapolicy.DefaultChecks() {
		v := c.Versions[len(c.Versions)-1]
		out[c.ID] = v.CheckPod
		for _, o := range v.OverrideCheckIDs {
			overridden[o] = true
		}
	}
	for id := range overridden {
		delete(out, id)
	}
	return out
}()

// explicit says, per check the pass is responsible for, whether the input
// pod set a conflicting field itself (a chart's explicit value wins). Any
// other check concerns fields the pass never sets, so its failure must
// already be in the input.
var explicit = map[psapolicy.CheckID]func(*corev1.PodSpec) bool{
	"allowPrivilegeEscalation": func(s *corev1.PodSpec) bool {
		return anyContainer(s, func(sc *corev1.SecurityContext) bool {
			return sc.AllowPrivilegeEscalation != nil && *sc.AllowPrivilegeEscalation
		})
	},
	"capabilities_restricted": func(s *corev1.PodSpec) bool {
		return anyContainer(s, func(sc *corev1.SecurityContext) bool {
			c := sc.Capabilities
			if c == nil {
				return false
			}
			for _, a := range c.Add {
				if a != "NET_BIND_SERVICE" {
					return true
				}
			}
			for _, d := range c.Drop {
				if d == "ALL" {
					return false
				}
			}
			return c.Drop != nil
		})
	},
	"runAsNonRoot": func(s *corev1.PodSpec) bool {
		if p := s.SecurityContext; p != nil && p.RunAsNonRoot != nil && !*p.RunAsNonRoot {
			return true
		}
		return anyContainer(s, func(sc *corev1.SecurityContext) bool { return sc.RunAsNonRoot != nil && !*sc.RunAsNonRoot })
	},
	"runAsUser": func(s *corev1.PodSpec) bool {
		if p := s.SecurityContext; p != nil && p.RunAsUser != nil && *p.RunAsUser == 0 {
			return true
		}
		return anyContainer(s, func(sc *corev1.SecurityContext) bool { return sc.RunAsUser != nil && *sc.RunAsUser == 0 })
	},
	"seccompProfile_restricted": func(s *corev1.PodSpec) bool {
		bad := func(p *corev1.SeccompProfile) bool {
			return p != nil && p.Type != corev1.SeccompProfileTypeRuntimeDefault && p.Type != corev1.SeccompProfileTypeLocalhost
		}
		if p := s.SecurityContext; p != nil && bad(p.SeccompProfile) {
			return true
		}
		return anyContainer(s, func(sc *corev1.SecurityContext) bool { return bad(sc.SeccompProfile) })
	},
}

// anyContainer: ephemeral containers count as explicit input the pass
// leaves alone by design (the API server refuses them on create).
func anyContainer(s *corev1.PodSpec, f func(*corev1.SecurityContext) bool) bool {
	if len(s.EphemeralContainers) > 0 {
		return true
	}
	for _, cs := range [][]corev1.Container{s.InitContainers, s.Containers} {
		for _, c := range cs {
			if c.SecurityContext != nil && f(c.SecurityContext) {
				return true
			}
		}
	}
	return false
}

// restrictedFailures lists the output's pods that fail Pod Security
// restricted for a reason the input does not explain: either a check the
// pass is responsible for with no explicit conflicting field in the input,
// or any other check the input passed. Pods are paired by position: the
// pass keeps the resources and their order. ok is false when a stream does
// not decode into typed pods (Kubernetes would refuse it anyway).
func restrictedFailures(in, out []byte) (failures []string, ok bool) {
	before, err := pods(in)
	if err != nil {
		return nil, false
	}
	after, err := pods(out)
	if err != nil || len(after) != len(before) {
		return []string{fmt.Sprintf("%d pods in, %d out (%v)", len(before), len(after), err)}, true
	}
	for i, o := range after {
		for id, check := range restrictedChecks {
			if check(o.meta, o.spec).Allowed {
				continue
			}
			if f, mine := explicit[id]; mine {
				if !f(before[i].spec) {
					failures = append(failures, fmt.Sprintf("%s: %s fails and the input set no conflicting field", o.at, id))
				}
				continue
			}
			if check(before[i].meta, before[i].spec).Allowed {
				failures = append(failures, fmt.Sprintf("%s: %s fails after the pass but not before", o.at, id))
			}
		}
	}
	return failures, true
}

// pods reads a stream's pod templates with Kubernetes' reader and types.
func pods(stream []byte) ([]pod, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(stream)))
	var out []pod
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, err
		}
		if out, err = appendPods(out, j); err != nil {
			return nil, err
		}
	}
}

func appendPods(out []pod, j []byte) ([]pod, error) {
	var head struct {
		APIVersion string            `json:"apiVersion"`
		Kind       string            `json:"kind"`
		Metadata   metav1.ObjectMeta `json:"metadata"`
		Items      []any             `json:"items"`
	}
	if bytes.Equal(bytes.TrimSpace(j), []byte("null")) {
		return out, nil
	}
	if err := yaml.Unmarshal(j, &head); err != nil {
		return nil, err
	}
	if strings.HasSuffix(head.Kind, "List") {
		for _, it := range head.Items {
			b, err := yaml.Marshal(it)
			if err != nil {
				return nil, err
			}
			if b, err = yaml.YAMLToJSON(b); err != nil {
				return nil, err
			}
			if out, err = appendPods(out, b); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	if !podspec.IsWorkload(head.APIVersion, head.Kind) {
		return out, nil
	}
	var tpl corev1.PodTemplateSpec
	var err error
	switch head.Kind {
	case "Pod":
		var p corev1.Pod
		err = yaml.Unmarshal(j, &p)
		tpl = corev1.PodTemplateSpec{ObjectMeta: p.ObjectMeta, Spec: p.Spec}
	case "CronJob":
		var c struct {
			Spec struct {
				JobTemplate struct {
					Spec struct {
						Template corev1.PodTemplateSpec `json:"template"`
					} `json:"spec"`
				} `json:"jobTemplate"`
			} `json:"spec"`
		}
		err = yaml.Unmarshal(j, &c)
		tpl = c.Spec.JobTemplate.Spec.Template
	default:
		var w struct {
			Spec struct {
				Template corev1.PodTemplateSpec `json:"template"`
			} `json:"spec"`
		}
		err = yaml.Unmarshal(j, &w)
		tpl = w.Spec.Template
	}
	if err != nil {
		return nil, err
	}
	return append(out, pod{at: head.Kind + "/" + head.Metadata.Name, meta: &tpl.ObjectMeta, spec: &tpl.Spec}), nil
}

// The oracle itself: it must pass a hardened stream, blame the pass for a
// missing injection, and accept an explicit, unique conflict.
func TestRestrictedOracle(t *testing.T) {
	bare := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: x}]\n"
	out, _, err := runDefault(t, bare)
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := restrictedFailures([]byte(bare), []byte(out)); !ok || len(f) > 0 {
		t.Errorf("hardened output judged failing: %v %v", ok, f)
	}
	if f, _ := restrictedFailures([]byte(bare), []byte(bare)); len(f) == 0 {
		t.Errorf("an unhardened output passed the oracle")
	}
	root := strings.Replace(bare, "image: x}", "image: x, securityContext: {runAsUser: 0, allowPrivilegeEscalation: true}}", 1)
	out, _, err = runDefault(t, root)
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := restrictedFailures([]byte(root), []byte(out)); !ok || len(f) > 0 {
		t.Errorf("an explicit conflict was blamed on the pass: %v", f)
	}
	list := "apiVersion: v1\nkind: List\nitems:\n- " + strings.ReplaceAll(strings.TrimSuffix(bare, "\n"), "\n", "\n  ") + "\n"
	if f, _ := restrictedFailures([]byte(list), []byte(list)); len(f) == 0 {
		t.Errorf("an unhardened List item passed the oracle")
	}
	out, _, err = runDefault(t, list)
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := restrictedFailures([]byte(list), []byte(out)); !ok || len(f) > 0 {
		t.Errorf("hardened List judged failing: %v %v", ok, f)
	}
}
