package postrender

import (
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/helm-todo/helm-todo/postrender/policy"
)

// Kubernetes keeps the last of two equal keys; the pass must refuse them
// rather than harden the first copy.
func TestDuplicateKeysAreRefused(t *testing.T) {
	deploy := func(container, pod, meta string) string {
		return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n" + meta +
			"spec:\n  template:\n    spec:\n" + pod +
			"      containers:\n      - name: ok\n      - name: web\n        image: nginx\n" + container
	}
	tests := map[string]struct{ in, want string }{
		"securityContext twice in a container": {
			deploy("        securityContext: {runAsUser: 1000}\n        securityContext: {privileged: true, runAsUser: 0}\n", "", ""),
			"document 1 (Deployment/web): duplicate key spec.template.spec.containers[1].securityContext (lines 12 and 13 of the document)"},
		"env twice": {
			deploy("        env: []\n        env: [{name: API_KEY, value: sk-live-abcdef123456}]\n", "", ""),
			"duplicate key spec.template.spec.containers[1].env (lines 12 and 13"},
		"metadata.name twice": {
			deploy("", "", "  name: other\n"),
			"document 1 (Deployment/web): duplicate key metadata.name (lines 4 and 5"},
		"a quoted twin": {
			deploy("", "", "  \"name\": other\n"),
			"duplicate key metadata.name"},
		"deep in a pod securityContext": {
			deploy("", "      securityContext:\n        seccompProfile: {type: RuntimeDefault, type: Unconfined}\n", ""),
			"duplicate key spec.template.spec.securityContext.seccompProfile.type"},
		"top level": {
			"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\ndata: {a: c}\n",
			"document 1 (ConfigMap/c): duplicate key data (lines 4 and 5"},
		"a big mapping": {
			"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n" + manyLines(40) + "  k7: again\n",
			"duplicate key data.k7 (lines 12 and 45"},
		"in a List item": {
			"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p}\n  spec:\n    hostNetwork: false\n    hostNetwork: true\n",
			"document 1 (List): duplicate key items[0].spec.hostNetwork (lines 8 and 9"},
		"second document": {
			"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}\n---\n# Source: c/templates/pod.yaml\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, name: b}]\n",
			"document 2 (Pod/p) from c/templates/pod.yaml: duplicate key spec.containers[0].name"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			out, notices, err := runDefault(t, tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v\nwant it to contain %q", err, tc.want)
			}
			if !strings.HasSuffix(err.Error(), "Kubernetes keeps only the last one, so the hardening would miss it: remove one of the two") {
				t.Errorf("the error does not say why and what to do: %v", err)
			}
			if out != "" || notices != "" {
				t.Errorf("wrote %d bytes and notices %q on error, want nothing", len(out), notices)
			}
			if strings.Contains(err.Error(), "sk-live") {
				t.Errorf("error shows a value: %v", err)
			}
		})
	}
}

func manyLines(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("  k" + string(rune('0'+i/10)) + string(rune('0'+i%10)) + ": v\n")
	}
	return strings.ReplaceAll(b.String(), "  k0", "  k")
}

// A key a merge brings in may be set again, and the same key in two
// different mappings is no duplicate.
func TestNotDuplicates(t *testing.T) {
	in := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: {name: x}}\nx:\n  a: &a {p: 1}\n  b: &b {q: 2}\n  c:\n    <<: *a\n    p: 3\n    name: y\n  d: *b\n"
	if _, _, err := runDefault(t, in); err != nil {
		t.Fatal(err)
	}
}

// A List's items are resources of their own: each is hardened as if it
// stood alone, its secrets move, and the List keeps its shape.
func TestListItemsAreHardened(t *testing.T) {
	in := `# Source: c/templates/all.yaml
apiVersion: v1
kind: List
metadata: {}
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
    labels: {app.kubernetes.io/instance: rel}
  spec:
    template:
      spec:
        containers:
        - name: web
          image: nginx
          env: [{name: API_KEY, value: sk-live-abcdef123456}]
- apiVersion: v1
  kind: Service
  metadata: {name: web}
  spec: {ports: [{port: 80}]}
- apiVersion: example.com/v1
  kind: WidgetList
  items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: nested}
    spec: {containers: [{name: c}]}
`
	out, notices, err := runDefault(t, in)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "sk-live") || strings.Contains(notices, "sk-live") {
		t.Fatalf("the List item's secret is still in plain text:\n%s", out)
	}
	nodes, err := kio.FromBytes([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 2 || nodes[0].GetKind() != "List" || nodes[1].GetKind() != "Secret" || !strings.HasPrefix(nodes[1].GetName(), "rel-env-") {
		t.Fatalf("want the List then the generated Secret, got %d resources:\n%s", len(nodes), out)
	}
	items, err := nodes[0].Pipe(yaml.Lookup("items"))
	if err != nil || len(items.Content()) != 3 {
		t.Fatalf("the List lost its shape:\n%s", out)
	}
	for _, path := range [][]string{
		{"items", "[kind=Deployment]", "spec", "template", "spec", "securityContext", "runAsNonRoot"},
		{"items", "[kind=Deployment]", "spec", "template", "spec", "containers", "[name=web]", "securityContext", "readOnlyRootFilesystem"},
		{"items", "[kind=Deployment]", "spec", "template", "spec", "containers", "[name=web]", "env", "[name=API_KEY]", "valueFrom", "secretKeyRef", "name"},
		{"items", "[kind=WidgetList]", "items", "[kind=Pod]", "spec", "securityContext", "runAsNonRoot"},
	} {
		if n, _ := nodes[0].Pipe(yaml.Lookup(path...)); n == nil {
			t.Errorf("no %s in the output", strings.Join(path, "."))
		}
	}
	if ref, _ := nodes[0].Pipe(yaml.Lookup("items", "[kind=Deployment]", "spec", "template", "spec", "containers", "[name=web]", "env", "[name=API_KEY]", "valueFrom", "secretKeyRef", "name")); ref != nil && ref.YNode().Value != nodes[1].GetName() {
		t.Errorf("secretKeyRef names %s, the generated Secret is %s", ref.YNode().Value, nodes[1].GetName())
	}
	if s, _ := nodes[0].Pipe(yaml.Lookup("items", "[kind=Service]", "spec", "securityContext")); s != nil {
		t.Errorf("the Service item got a securityContext")
	}
	checkInvariants(t, policy.Default(), []byte(in), []byte(out))
}

func TestBadListsNameTheItem(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"items a mapping": {"apiVersion: v1\nkind: List\nitems: {a: b}\n", "document 1 (List): items is not a list"},
		"item a scalar":   {"apiVersion: v1\nkind: List\nitems: [x]\n", "document 1 (List): items[0]: not a mapping"},
		"item no kind":    {"apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, metadata: {name: p}}]\n", "document 1 (List): items[0]: no kind"},
		"item error named": {"apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: a, namespace: one}, spec: {containers: [{name: c, env: [{name: A_TOKEN, value: sk_live_abcdefgh123}]}]}}\n- {apiVersion: v1, kind: Pod, metadata: {name: b, namespace: two}, spec: {containers: [{name: c, env: [{name: B_TOKEN, value: sk_live_abcdefgh123}]}]}}\n",
			"document 1 (List): items[1] (Pod/two/b): container c: env B_TOKEN: its namespace"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			out, _, err := runDefault(t, tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v\nwant it to contain %q", err, tc.want)
			}
			if out != "" {
				t.Errorf("wrote output on error")
			}
		})
	}
}
