package postrender

import (
	"bytes"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/helm-todo/helm-todo/postrender/policy"
)

// runDefault is Run on a string with the default policy.
func runDefault(t *testing.T, in string) (out, notices string, err error) {
	t.Helper()
	var o, n bytes.Buffer
	err = Run(strings.NewReader(in), &o, policy.Default(), &n)
	return o.String(), n.String(), err
}

func TestPassThroughIsByteForByte(t *testing.T) {
	tests := map[string]string{
		"empty List": "apiVersion: v1\nkind: List\nitems: []\n",
		"List of compliant pods": `apiVersion: v1
kind: List
items:
    - apiVersion: v1
      kind: Pod
      metadata: {name: ok}
      spec:
        securityContext: {runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: {type: RuntimeDefault}}
        containers: [{name: a, securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}}]
`,
		"CRD": `# Source: c/crds/widget.yaml
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
`,
		"custom resource named like a workload": "apiVersion: example.com/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  template:\n    spec:\n      containers: [{name: a}]\n",
		"Secret":                                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  PASSWORD: hunter2\n",
		"comments only":                         "---\n# Source: c/templates/off.yaml\n# nothing rendered\n---\n# another\n",
		"blank docs":                            "---\n\n---\n   \n---\n",
		"Service with odd style":                "apiVersion:   v1\nkind: Service   # trailing\nmetadata: {name: s}\nspec:\n    ports:\n        -   port: 80\n",
		"no trailing newline":                   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {LOG_LEVEL: INFO}",
		"compliant pod": `apiVersion: v1
kind: Pod
metadata:
  name: ok
spec:
  securityContext: {runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: a
      securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
`,
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			out, notices, err := runDefault(t, in)
			if err != nil {
				t.Fatal(err)
			}
			if out != in {
				t.Errorf("output differs from input:\n%s", out)
			}
			if notices != "" {
				t.Errorf("unexpected notices: %s", notices)
			}
		})
	}
}

const helm4Stream = `apiVersion: v1
kind: ConfigMap
metadata:
  name: todo-config
  annotations:
    postrenderer.helm.sh/postrender-filename: todo-app/templates/configmap.yaml
data:
  LOG_LEVEL: INFO
  VAPID_PUBLIC_KEY: BPub
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: todo-backend
  labels:
    app.kubernetes.io/name: todo-app
    app.kubernetes.io/instance: todo
    app.kubernetes.io/component: backend
  annotations:
    postrenderer.helm.sh/postrender-filename: todo-app/templates/backend-deployment.yaml
spec:
  template:
    metadata:
      labels:
        app.kubernetes.io/name: todo-app
        app.kubernetes.io/instance: todo
        app.kubernetes.io/component: backend
    spec:
      containers:
      - name: backend
        image: todo-backend:abc
        env:
        - name: OPENROUTER_API_KEY
          value: sk-or-very-secret
        - name: DATABASE_URL
          value: postgresql://todo:$(POSTGRES_PASSWORD)@todo-postgres:5432/todo
        - name: POSTGRES_PASSWORD
          valueFrom:
            secretKeyRef: {name: todo-secrets, key: POSTGRES_PASSWORD}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: todo-migrate
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    postrenderer.helm.sh/postrender-filename: todo-app/templates/migration-job.yaml
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: todo-backend:abc
`

func TestHelm4Stream(t *testing.T) {
	out, notices, err := runDefault(t, helm4Stream)
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := kio.FromBytes([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, n := range nodes {
		ids = append(ids, n.GetKind()+"/"+n.GetName())
		if n.GetAnnotations()[FilenameAnnotation] == "" {
			t.Errorf("%s lost %s", n.GetKind(), FilenameAnnotation)
		}
	}
	if len(ids) != 4 || ids[0] != "ConfigMap/todo-config" || ids[1] != "Deployment/todo-backend" || ids[2] != "Job/todo-migrate" || !strings.HasPrefix(ids[3], "Secret/todo-env-") {
		t.Fatalf("resources %v, want the input's three in order plus Secret/todo-env-<hash>", ids)
	}
	secret := nodes[3]
	ref, err := nodes[1].Pipe(yaml.Lookup("spec", "template", "spec", "containers", "[name=backend]", "env", "[name=OPENROUTER_API_KEY]", "valueFrom", "secretKeyRef"))
	if err != nil || ref == nil {
		t.Fatalf("OPENROUTER_API_KEY has no secretKeyRef: %v\n%s", err, out)
	}
	if got := ref.Field("name").Value.YNode().Value; got != secret.GetName() {
		t.Errorf("secretKeyRef names %s, the generated Secret is %s", got, secret.GetName())
	}
	key := ref.Field("key").Value.YNode().Value
	if got := secret.GetDataMap()[key]; got != base64.StdEncoding.EncodeToString([]byte("sk-or-very-secret")) {
		t.Errorf("Secret data[%s] does not hold the moved value", key)
	}
	if !strings.Contains(out, "value: postgresql://todo:$(POSTGRES_PASSWORD)@todo-postgres:5432/todo") {
		t.Errorf("DATABASE_URL with a $(VAR) reference must stay a literal:\n%s", out)
	}
	if strings.Contains(out, "sk-or-very-secret") || strings.Contains(notices, "sk-or") {
		t.Errorf("the secret value is still in plain text")
	}
	// The health probes on the backend, none on the migration hook.
	for _, probe := range []string{"startupProbe", "livenessProbe", "readinessProbe"} {
		if p, _ := nodes[1].Pipe(yaml.Lookup("spec", "template", "spec", "containers", "[name=backend]", probe)); p == nil {
			t.Errorf("backend has no %s", probe)
		}
		if p, _ := nodes[2].Pipe(yaml.Lookup("spec", "template", "spec", "containers", "[name=migrate]", probe)); p != nil {
			t.Errorf("migration job got a %s", probe)
		}
	}
	// Same again: the pass is idempotent.
	again, _, err := runDefault(t, out)
	if err != nil {
		t.Fatal(err)
	}
	if again != out {
		t.Errorf("second pass differs from the first:\n%s", again)
	}
}

func TestSecretNameFollowsTheValues(t *testing.T) {
	name := regexp.MustCompile(`name: (todo-env-[a-z0-9]+)`)
	first, _, err := runDefault(t, helm4Stream)
	if err != nil {
		t.Fatal(err)
	}
	changed, _, err := runDefault(t, strings.Replace(helm4Stream, "sk-or-very-secret", "sk-or-rotated", 1))
	if err != nil {
		t.Fatal(err)
	}
	a, b := name.FindStringSubmatch(first), name.FindStringSubmatch(changed)
	if a == nil || b == nil || a[1] == b[1] {
		t.Errorf("a changed value must change the Secret's hashed name (so pods roll): %v vs %v", a, b)
	}
}

func TestErrorsNameTheDocumentAndWriteNothing(t *testing.T) {
	ok := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}\n"
	tests := map[string]struct{ in, want string }{
		"malformed YAML":  {ok + "---\n# Source: c/templates/bad.yaml\napiVersion: v1\nkind: [\n", "document 2 from c/templates/bad.yaml: malformed YAML"},
		"no kind":         {ok + "---\napiVersion: v1\nmetadata: {name: x}\n", "document 2: no kind"},
		"no apiVersion":   {ok + "---\nkind: Pod\nmetadata: {name: x}\n", "document 2 (Pod/x): no apiVersion"},
		"a scalar":        {"just text\n", "document 1: not a mapping"},
		"a list":          {"- a\n- b\n", "document 1: not a mapping"},
		"metadata a list": {"apiVersion: v1\nkind: Pod\nmetadata:\n- name: x\n", "document 1: metadata is not a mapping"},
		"labels a list":   {"apiVersion: v1\nkind: Pod\nmetadata:\n  labels: [a]\n", "document 1: metadata.labels is not a mapping"},
		"an end marker":   {"apiVersion: v1\nkind: Pod\n...\napiVersion: v1\n", "document 1: more than one YAML document"},
		"secret in the todo chart's ConfigMap": {ok + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leaky\n  labels: {app.kubernetes.io/name: todo-app}\n  annotations: {postrenderer.helm.sh/postrender-filename: c/templates/cm.yaml}\ndata:\n  STRIPE_SECRET: sk_live_abc\n",
			"document 2 (ConfigMap/leaky) from c/templates/cm.yaml: data key STRIPE_SECRET looks secret (its value has a credential's shape): move it to a Secret"},
		"two namespaces of moved values": {"apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: one}\nspec: {containers: [{name: c, env: [{name: A_TOKEN, value: sk_live_abc}]}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: two}\nspec: {containers: [{name: c, env: [{name: B_TOKEN, value: sk_live_abc}]}]}\n",
			`document 2 (Pod/b): container c: env B_TOKEN: its namespace "two" differs`},
		"reserved placeholder": {"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: " + placeholder + "}\n", "document 1 (ConfigMap/x): holds " + placeholder},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			out, notices, err := runDefault(t, tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			if out != "" || notices != "" {
				t.Errorf("wrote %d bytes and notices %q on error, want nothing", len(out), notices)
			}
			if strings.Contains(err.Error(), "sk_live_abc") {
				t.Errorf("error shows a secret value: %v", err)
			}
		})
	}
}

func TestNoticesAndOverride(t *testing.T) {
	in := "apiVersion: v1\nkind: Pod\nmetadata: {name: root}\nspec:\n  securityContext: {runAsUser: 0}\n  containers: [{name: c, securityContext: {privileged: true}}]\n"
	out, notices, err := runDefault(t, in)
	if err != nil {
		t.Fatal(err)
	}
	if want := "notice: Pod/root: pod securityContext.runAsUser set by the chart, kept (set override: true in the policy to enforce)\n"; notices != want {
		t.Errorf("notices %q, want %q", notices, want)
	}
	if !strings.Contains(out, "runAsUser: 0") {
		t.Errorf("the chart's explicit runAsUser must win:\n%s", out)
	}
	p := policy.Default()
	p.Override = true
	var o, n bytes.Buffer
	if err := Run(strings.NewReader(in), &o, p, &n); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(o.String(), "runAsUser: 1000") || strings.Contains(o.String(), "runAsUser: 0") {
		t.Errorf("override must replace runAsUser:\n%s", o.String())
	}
}

func TestEmptyAndNilPolicy(t *testing.T) {
	var o bytes.Buffer
	if err := Run(strings.NewReader(""), &o, nil, nil); err != nil || o.Len() != 0 {
		t.Errorf("empty input: err %v, %d bytes out", err, o.Len())
	}
	o.Reset()
	in := "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c}]}\n"
	if err := Run(strings.NewReader(in), &o, nil, nil); err != nil || !strings.Contains(o.String(), "runAsNonRoot: true") {
		t.Errorf("a nil policy must mean the default: err %v\n%s", err, o.String())
	}
}

func TestAnchors(t *testing.T) {
	in := "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    env: [{name: X_TOKEN, value: &v val}, {name: PLAIN, value: *v}]\n"
	out, _, err := runDefault(t, in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "{name: PLAIN, value: val}") {
		t.Errorf("the alias of a moved value must be expanded, not left dangling:\n%s", out)
	}
	laughs := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\nx:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n  f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n  g: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
	if _, _, err := runDefault(t, laughs); err == nil || !strings.Contains(err.Error(), "document 1 (ConfigMap/lol): aliases expand to more than") {
		t.Errorf("billion laughs: err = %v, want a refusal naming the document", err)
	}
}

func TestFlowNullsStayNull(t *testing.T) {
	in := "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels}\nspec: {containers: [{name: c, args: [a, ]}], hostname: }\n"
	out, _, err := runDefault(t, in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "labels: null") || strings.Contains(out, "''") {
		t.Errorf("a null in a flow mapping must stay null:\n%s", out)
	}
	checkInvariants(t, policy.Default(), []byte(in), []byte(out))
}
