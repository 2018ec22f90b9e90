package probes

import (
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/helm-todo/helm-todo/postrender/filters/filtertest"
	"github.com/helm-todo/helm-todo/postrender/filters/report"
)

// forBackend gives the "api" container of component=backend pods a
// liveness and a readiness probe.
func forBackend(labels map[string]string, container string) map[string]*yaml.RNode {
	if labels["component"] != "backend" || container != "api" {
		return nil
	}
	return map[string]*yaml.RNode{
		"livenessProbe":  yaml.MustParse("httpGet:\n  path: /health/live\n  port: 7860\ntimeoutSeconds: 2\n"),
		"readinessProbe": yaml.MustParse("httpGet:\n  path: /health/ready\n  port: 7860\ntimeoutSeconds: 5\n"),
	}
}

func TestFilter(t *testing.T) {
	tests := map[string]struct {
		input, expected string
		override        bool
		notices         []string
		unchanged       bool
	}{
		"selected container gets the probes, others and initContainers none": {
			input: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: b
spec:
  template:
    metadata:
      labels: {component: backend}
    spec:
      initContainers:
      - name: api
      containers:
      - name: api
      - name: sidecar
`,
			expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: b
spec:
  template:
    metadata:
      labels: {component: backend}
    spec:
      initContainers:
      - name: api
      containers:
      - name: api
        livenessProbe:
          httpGet:
            path: /health/live
            port: 7860
          timeoutSeconds: 2
        readinessProbe:
          httpGet:
            path: /health/ready
            port: 7860
          timeoutSeconds: 5
      - name: sidecar
`,
		},
		"the workload's labels select when the pod has none": {
			input: `apiVersion: v1
kind: Pod
metadata:
  name: p
  labels: {component: backend}
spec:
  containers:
  - name: api
    readinessProbe:
      httpGet: {port: 7860, path: /health/ready}
      timeoutSeconds: 5
`,
			expected: `apiVersion: v1
kind: Pod
metadata:
  name: p
  labels: {component: backend}
spec:
  containers:
  - name: api
    readinessProbe:
      httpGet: {port: 7860, path: /health/ready}
      timeoutSeconds: 5
    livenessProbe:
      httpGet:
        path: /health/live
        port: 7860
      timeoutSeconds: 2
`,
		},
		"a chart's own probe is kept whole and reported": {
			input: `apiVersion: v1
kind: Pod
metadata:
  name: p
  labels: {component: backend}
spec:
  containers:
  - name: api
    livenessProbe:
      exec: {command: [true]}
    readinessProbe:
      httpGet: {path: /health/ready, port: 7860}
      timeoutSeconds: 5
`,
			unchanged: true,
			notices:   []string{"Pod/p: container api: livenessProbe set by the chart, kept (set override: true in the policy to enforce)"},
		},
		"override replaces a chart's probe whole": {
			override: true,
			input: `apiVersion: v1
kind: Pod
metadata:
  name: p
  labels: {component: backend}
spec:
  containers:
  - name: api
    livenessProbe:
      exec: {command: [true]}
    readinessProbe:
      httpGet: {path: /health/ready, port: 7860}
      timeoutSeconds: 5
`,
			expected: `apiVersion: v1
kind: Pod
metadata:
  name: p
  labels: {component: backend}
spec:
  containers:
  - name: api
    livenessProbe:
      httpGet:
        path: /health/live
        port: 7860
      timeoutSeconds: 2
    readinessProbe:
      httpGet: {path: /health/ready, port: 7860}
      timeoutSeconds: 5
`,
			notices: []string{"Pod/p: container api: livenessProbe set by the chart, replaced (override: true)"},
		},
		"unselected pods are untouched": {
			input: `apiVersion: batch/v1
kind: Job
metadata:
  name: j
spec:
  template:
    metadata:
      labels: {component: migration}
    spec:
      containers:
      - name: api
`,
			unchanged: true,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res := yaml.MustParse(tc.input)
			rep := &report.Report{}
			f := Filter{For: forBackend, Override: tc.override, Report: rep}
			filtertest.Check(t, f, res, rep, tc.input, tc.expected, tc.unchanged, tc.notices)
		})
	}
}

func TestSameProbeAsTheKubeletRunsIt(t *testing.T) {
	container := yaml.MustParse("name: api\nports:\n- name: http\n  containerPort: 7860\n")
	policy := "httpGet: {path: /health/live, port: 7860}\ntimeoutSeconds: 2\n"
	tests := map[string]struct {
		chart string
		same  bool
	}{
		"named port and explicit defaults": {"httpGet: {path: /health/live, port: http, scheme: HTTP}\ninitialDelaySeconds: 0\ntimeoutSeconds: 2\nperiodSeconds: 10\nfailureThreshold: 3\nsuccessThreshold: 1\n", true},
		"another timeout":                  {"httpGet: {path: /health/live, port: http}\ntimeoutSeconds: 3\n", false},
		"another path":                     {"httpGet: {path: /health, port: 7860}\ntimeoutSeconds: 2\n", false},
		"unknown port name":                {"httpGet: {path: /health/live, port: web}\ntimeoutSeconds: 2\n", false},
		"another handler":                  {"tcpSocket: {port: 7860}\ntimeoutSeconds: 2\n", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := sameProbe(container, yaml.MustParse(tc.chart), yaml.MustParse(policy)); got != tc.same {
				t.Errorf("sameProbe = %v, want %v", got, tc.same)
			}
		})
	}
}
