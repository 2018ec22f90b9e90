package podsecurity

import (
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/helm-todo/helm-todo/postrender/filters/filtertest"
	"github.com/helm-todo/helm-todo/postrender/filters/report"
)

const policy = `runAsNonRoot: true
runAsUser: 1000
seccompProfile:
  type: RuntimeDefault
`

func TestFilter(t *testing.T) {
	tests := map[string]struct {
		input, expected string
		override        bool
		notices         []string
		unchanged       bool
	}{
		"absent context is added": {
			input: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers: []
`,
			expected: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers: []
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        seccompProfile:
          type: RuntimeDefault
`,
		},
		"partial context is filled, the chart's value wins and is reported": {
			input: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  securityContext:
    runAsUser: 0
`,
			expected: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  securityContext:
    runAsUser: 0
    runAsNonRoot: true
    seccompProfile:
      type: RuntimeDefault
`,
			notices: []string{"Pod/p: pod securityContext.runAsUser set by the chart, kept (set override: true in the policy to enforce)"},
		},
		"override replaces the chart's value": {
			override: true,
			input: `apiVersion: batch/v1
kind: CronJob
metadata:
  name: c
spec:
  jobTemplate:
    spec:
      template:
        spec:
          securityContext:
            runAsUser: 0
            seccompProfile: {type: Unconfined}
`,
			expected: `apiVersion: batch/v1
kind: CronJob
metadata:
  name: c
spec:
  jobTemplate:
    spec:
      template:
        spec:
          securityContext:
            runAsUser: 1000
            seccompProfile: {type: RuntimeDefault}
            runAsNonRoot: true
`,
			notices: []string{
				"CronJob/c: pod securityContext.runAsUser set by the chart, replaced (override: true)",
				"CronJob/c: pod securityContext.seccompProfile.type set by the chart, replaced (override: true)",
			},
		},
		"already compliant is untouched": {
			input: `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: s
spec:
  template:
    spec:
      securityContext:
        seccompProfile:
          type: RuntimeDefault
        runAsUser: 1000
        runAsNonRoot: true
`,
			unchanged: true,
		},
		"custom resource with a workload kind name is not touched": {
			input: `apiVersion: example.com/v1
kind: Deployment
metadata:
  name: x
spec:
  template:
    spec: {}
`,
			unchanged: true,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res := yaml.MustParse(tc.input)
			rep := &report.Report{}
			f := Filter{Context: yaml.MustParse(policy), Override: tc.override, Report: rep}
			filtertest.Check(t, f, res, rep, tc.input, tc.expected, tc.unchanged, tc.notices)
		})
	}
}
