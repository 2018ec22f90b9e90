package containersecurity

import (
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/helm-todo/helm-todo/postrender/filters/filtertest"
	"github.com/helm-todo/helm-todo/postrender/filters/report"
)

// In the order a policy.Policy gives it (sorted, as sigs.k8s.io/yaml writes).
const policy = `allowPrivilegeEscalation: false
capabilities:
  drop: [ALL]
readOnlyRootFilesystem: true
`

// writable gives every container /tmp and the "web" container a cache dir.
func writable(_ map[string]string, container string) []string {
	if container == "web" {
		return []string{"/tmp", "/app/.next/cache"}
	}
	return []string{"/tmp"}
}

func TestFilter(t *testing.T) {
	tests := map[string]struct {
		input, expected string
		override        bool
		notices         []string
		unchanged       bool
	}{
		"containers and initContainers get the context and a /tmp emptyDir": {
			input: `apiVersion: batch/v1
kind: Job
metadata:
  name: j
spec:
  template:
    spec:
      initContainers:
      - name: init
      containers:
      - name: web
`,
			expected: `apiVersion: batch/v1
kind: Job
metadata:
  name: j
spec:
  template:
    spec:
      initContainers:
      - name: init
        securityContext:
          allowPrivilegeEscalation: false
          capabilities:
            drop: [ALL]
          readOnlyRootFilesystem: true
        volumeMounts:
        - name: init-tmp
          mountPath: /tmp
      containers:
      - name: web
        securityContext:
          allowPrivilegeEscalation: false
          capabilities:
            drop: [ALL]
          readOnlyRootFilesystem: true
        volumeMounts:
        - name: web-tmp
          mountPath: /tmp
        - name: web-app-next-cache
          mountPath: /app/.next/cache
      volumes:
      - name: init-tmp
        emptyDir: {}
      - name: web-tmp
        emptyDir: {}
      - name: web-app-next-cache
        emptyDir: {}
`,
		},
		"an existing /tmp mount is reused and a taken volume name is numbered": {
			input: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: web
    volumeMounts:
    - name: scratch
      mountPath: /tmp
  volumes:
  - name: scratch
    emptyDir: {}
  - name: web-app-next-cache
    configMap: {name: x}
`,
			expected: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: web
    volumeMounts:
    - name: scratch
      mountPath: /tmp
    - name: web-app-next-cache-2
      mountPath: /app/.next/cache
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        drop: [ALL]
      readOnlyRootFilesystem: true
  volumes:
  - name: scratch
    emptyDir: {}
  - name: web-app-next-cache
    configMap: {name: x}
  - name: web-app-next-cache-2
    emptyDir: {}
`,
		},
		"readOnlyRootFilesystem false is kept, so no emptyDir": {
			input: `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: agent
        securityContext:
          readOnlyRootFilesystem: false
          capabilities:
            drop: [NET_RAW]
`,
			expected: `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: agent
        securityContext:
          readOnlyRootFilesystem: false
          capabilities:
            drop: [NET_RAW]
          allowPrivilegeEscalation: false
`,
			notices: []string{
				"DaemonSet/d: container agent: securityContext.capabilities.drop set by the chart, kept (set override: true in the policy to enforce)",
				"DaemonSet/d: container agent: securityContext.readOnlyRootFilesystem set by the chart, kept (set override: true in the policy to enforce)",
			},
		},
		"override sets readOnlyRootFilesystem and so adds the emptyDir": {
			override: true,
			input: `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: r
spec:
  template:
    spec:
      containers:
      - name: agent
        securityContext:
          readOnlyRootFilesystem: false
          allowPrivilegeEscalation: false
          capabilities:
            drop: [ALL]
`,
			expected: `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: r
spec:
  template:
    spec:
      containers:
      - name: agent
        securityContext:
          readOnlyRootFilesystem: true
          allowPrivilegeEscalation: false
          capabilities:
            drop: [ALL]
        volumeMounts:
        - name: agent-tmp
          mountPath: /tmp
      volumes:
      - name: agent-tmp
        emptyDir: {}
`,
			notices: []string{"ReplicaSet/r: container agent: securityContext.readOnlyRootFilesystem set by the chart, replaced (override: true)"},
		},
		"a compliant container is untouched": {
			input: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: a
    securityContext:
      capabilities: {drop: [ALL]}
      readOnlyRootFilesystem: true
      allowPrivilegeEscalation: false
`,
			unchanged: true,
		},
		"a List is not a workload": {
			input: `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: p}
  spec:
    containers: [{name: a}]
`,
			unchanged: true,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res := yaml.MustParse(tc.input)
			rep := &report.Report{}
			f := Filter{Context: yaml.MustParse(policy), WritablePaths: writable, Override: tc.override, Report: rep}
			filtertest.Check(t, f, res, rep, tc.input, tc.expected, tc.unchanged, tc.notices)
		})
	}
}

func TestVolumeName(t *testing.T) {
	tests := map[string]struct{ container, path, want string }{
		"simple":         {"backend", "/tmp", "backend-tmp"},
		"dots":           {"frontend", "/app/.next/cache", "frontend-app-next-cache"},
		"upper":          {"Web_1", "/var/Run", "web-1-var-run"},
		"too long":       {strings.Repeat("c", 60), "/tmp", strings.Repeat("c", 54) + "-a6d0e5c8"},
		"nothing usable": {"", "/", "writable"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := volumeName(tc.container, tc.path)
			if name == "too long" {
				if len(got) > 63 || !strings.HasPrefix(got, strings.Repeat("c", 54)+"-") {
					t.Fatalf("volumeName = %q (%d chars), want a 63-char-max hashed name", got, len(got))
				}
				return
			}
			if got != tc.want {
				t.Errorf("volumeName(%q, %q) = %q, want %q", tc.container, tc.path, got, tc.want)
			}
		})
	}
}
