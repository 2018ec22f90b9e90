// Package psa (test support only) evaluates the pod specs in a manifest stream against the Pod
// Security Standards, using the upstream k8s.io/pod-security-admission
// library: the same code the API server runs for a namespace labelled
// pod-security.kubernetes.io/enforce=restricted.
package psa

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	"sigs.k8s.io/yaml"
)

// Result is the verdict for one pod spec.
type Result struct {
	Index     int    // document index in the stream, from 0
	Kind      string // the workload kind: Deployment, Job, ...
	Name      string
	Allowed   bool
	Forbidden []string // "reason: detail" per failed check
}

// String is "Kind/name: reason; reason".
func (r Result) String() string {
	s := r.Kind + "/" + r.Name
	for i, f := range r.Forbidden {
		if i == 0 {
			s += ": " + f
		} else {
			s += "; " + f
		}
	}
	return s
}

var restricted = api.LevelVersion{Level: api.LevelRestricted, Version: api.LatestVersion()}

// CheckStream evaluates every pod spec in a multi-document YAML stream
// against restricted:latest. Documents that carry no pod spec are skipped.
func CheckStream(manifest []byte) ([]Result, error) {
	return CheckLevel(manifest, restricted)
}

// CheckLevel is CheckStream for any level and version.
func CheckLevel(manifest []byte, lv api.LevelVersion) ([]Result, error) {
	ev, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		return nil, fmt.Errorf("pod security evaluator: %w", err)
	}
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(manifest)))
	var out []Result
	for i := 0; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		meta, spec, kind, name, err := podSpecOf(doc)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if spec == nil {
			continue
		}
		res := Result{Index: i, Kind: kind, Name: name, Allowed: true}
		for _, c := range ev.EvaluatePod(lv, meta, spec) {
			if !c.Allowed {
				res.Allowed = false
				res.Forbidden = append(res.Forbidden, c.ForbiddenReason+": "+c.ForbiddenDetail)
			}
		}
		sort.Strings(res.Forbidden)
		out = append(out, res)
	}
	return out, nil
}

// Failures returns the disallowed results as strings, for test messages.
func Failures(results []Result) []string {
	var f []string
	for _, r := range results {
		if !r.Allowed {
			f = append(f, r.String())
		}
	}
	return f
}

// podSpecOf extracts the pod template of a workload document, or nil.
func podSpecOf(doc []byte) (*metav1.ObjectMeta, *corev1.PodSpec, string, string, error) {
	var tm struct {
		metav1.TypeMeta   `json:",inline"`
		metav1.ObjectMeta `json:"metadata"`
	}
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return nil, nil, "", "", err
	}
	var tpl *corev1.PodTemplateSpec
	var obj any
	switch tm.Kind {
	case "Pod":
		var p corev1.Pod
		if err := yaml.Unmarshal(doc, &p); err != nil {
			return nil, nil, "", "", err
		}
		return &p.ObjectMeta, &p.Spec, tm.Kind, tm.Name, nil
	case "Deployment":
		o := &appsv1.Deployment{}
		obj, tpl = o, &o.Spec.Template
	case "StatefulSet":
		o := &appsv1.StatefulSet{}
		obj, tpl = o, &o.Spec.Template
	case "DaemonSet":
		o := &appsv1.DaemonSet{}
		obj, tpl = o, &o.Spec.Template
	case "ReplicaSet":
		o := &appsv1.ReplicaSet{}
		obj, tpl = o, &o.Spec.Template
	case "Job":
		o := &batchv1.Job{}
		obj, tpl = o, &o.Spec.Template
	case "CronJob":
		o := &batchv1.CronJob{}
		obj, tpl = o, &o.Spec.JobTemplate.Spec.Template
	default:
		return nil, nil, tm.Kind, tm.Name, nil
	}
	if err := yaml.Unmarshal(doc, obj); err != nil {
		return nil, nil, "", "", fmt.Errorf("%s/%s: %w", tm.Kind, tm.Name, err)
	}
	return &tpl.ObjectMeta, &tpl.Spec, tm.Kind, tm.Name, nil
}
