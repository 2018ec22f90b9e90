package corpus

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
)

// WorkloadKinds are the kinds the pass hardens, with their apiVersions.
var WorkloadKinds = [][2]string{
	{"v1", "Pod"}, {"apps/v1", "Deployment"}, {"apps/v1", "StatefulSet"},
	{"apps/v1", "DaemonSet"}, {"apps/v1", "ReplicaSet"}, {"batch/v1", "Job"},
	{"batch/v1", "CronJob"},
}

// Stream is a generated manifest stream and what the generator knows
// about it.
type Stream struct {
	YAML []byte
	// Conflicting names the workloads given a field that violates
	// restricted:latest explicitly; the pass keeps such a field, so PSA
	// may refuse those pods and only those.
	Conflicting map[string]bool
	// SecretValues are the secret-looking literal env values, which must
	// never show up in errors or notices.
	SecretValues []string
}

// Workloads returns a random stream of n documents: workloads of every kind
// (with initContainers, partial or absent security contexts, mixed env and
// mounts) among resources the pass must leave alone.
func Workloads(seed uint64, n int) Stream {
	g := &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), s: Stream{Conflicting: map[string]bool{}}}
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		b.WriteString("---\n")
		if g.r.IntN(3) == 0 {
			b.WriteString(g.other(i))
		} else {
			b.WriteString(g.workload(i))
		}
	}
	g.s.YAML = b.Bytes()
	return g.s
}

type gen struct {
	r *rand.Rand
	s Stream
}

func (g *gen) pick(options ...string) string { return options[g.r.IntN(len(options))] }

// other is a resource the pass must pass through unchanged.
func (g *gen) other(i int) string {
	switch g.r.IntN(7) {
	case 0:
		return fmt.Sprintf("apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-%d\nspec:\n  ports:\n    - port: 80\n", i)
	case 1:
		return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\ndata:\n  LOG_LEVEL: INFO\n  NEXT_PUBLIC_API_KEY: pk\n", i)
	case 2:
		return fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s-%d\nstringData:\n  PASSWORD: hunter2\n", i)
	case 3:
		return fmt.Sprintf("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets%d.example.com\nspec:\n  group: example.com\n  names: {kind: Widget, plural: widgets%d}\n  scope: Namespaced\n  versions: []\n", i, i)
	case 4:
		// Same kind name as a workload, other API group: not hardened.
		return fmt.Sprintf("apiVersion: example.com/v1\nkind: Deployment\nmetadata:\n  name: cr-%d\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          env:\n            - {name: API_TOKEN, value: keep}\n", i)
	case 5:
		return fmt.Sprintf("apiVersion: v1\nkind: List\nmetadata: {}\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: listed-%d}\n    spec:\n      containers: [{name: c, image: x}]\n", i)
	default:
		return "# Source: chart/templates/empty.yaml\n# a template that rendered nothing\n"
	}
}

func (g *gen) workload(i int) string {
	k := WorkloadKinds[g.r.IntN(len(WorkloadKinds))]
	name := fmt.Sprintf("%s-%d", strings.ToLower(k[1]), i)
	conflict := false
	var pod strings.Builder
	pod.WriteString(g.podSecurityContext(&conflict))
	if g.r.IntN(2) == 0 {
		pod.WriteString("initContainers:\n")
		for c := 0; c < 1+g.r.IntN(2); c++ {
			pod.WriteString(g.container(fmt.Sprintf("init%d", c), &conflict))
		}
	}
	pod.WriteString("containers:\n")
	for c := 0; c < 1+g.r.IntN(3); c++ {
		pod.WriteString(g.container(fmt.Sprintf("c%d", c), &conflict))
	}
	if g.r.IntN(3) == 0 {
		pod.WriteString("volumes:\n  - name: data\n    emptyDir: {}\n")
	}
	if conflict {
		g.s.Conflicting[name] = true
	}
	labels := fmt.Sprintf("app.kubernetes.io/name: %s\n", g.pick("todo-app", "other"))
	if strings.HasPrefix(labels, "app.kubernetes.io/name: todo-app") {
		labels += "app.kubernetes.io/component: " + g.pick("backend", "frontend", "migration") + "\n"
	}
	head := fmt.Sprintf("# Source: chart/templates/%s.yaml\napiVersion: %s\nkind: %s\nmetadata:\n  name: %s\n", name, k[0], k[1], name)
	if g.r.IntN(2) == 0 {
		head += "  annotations:\n    postrenderer.helm.sh/postrender-filename: chart/templates/" + name + ".yaml\n"
	}
	template := "metadata:\n  labels:\n" + indent(labels, 4) + "spec:\n" + indent(pod.String(), 2)
	switch k[1] {
	case "Pod":
		return head + "  labels:\n" + indent(labels, 4) + "spec:\n" + indent(pod.String(), 2)
	case "CronJob":
		return head + "spec:\n  schedule: \"*/5 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n" + indent(template, 8)
	default:
		return head + "spec:\n  template:\n" + indent(template, 4)
	}
}

func (g *gen) podSecurityContext(conflict *bool) string {
	switch g.r.IntN(5) {
	case 0:
		return ""
	case 1:
		return "securityContext: {}\n"
	case 2:
		return "securityContext:\n  runAsUser: 2000\n  fsGroup: 2000\n"
	case 3:
		return "securityContext:\n  runAsNonRoot: true\n  seccompProfile:\n    type: RuntimeDefault\n"
	default:
		*conflict = true
		return g.pick(
			"securityContext:\n  runAsNonRoot: false\n",
			"securityContext:\n  seccompProfile:\n    type: Unconfined\n",
		)
	}
}

func (g *gen) container(name string, conflict *bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  - name: %s\n    image: registry.example/%s:1.0\n", name, name)
	switch g.r.IntN(6) {
	case 0:
	case 1:
		b.WriteString("    securityContext:\n      readOnlyRootFilesystem: false\n")
	case 2:
		b.WriteString("    securityContext:\n      capabilities:\n        drop: [ALL]\n        add: [NET_BIND_SERVICE]\n")
	case 3:
		b.WriteString("    securityContext:\n      runAsUser: 1001\n      allowPrivilegeEscalation: false\n")
	case 4:
		b.WriteString("    securityContext: {}\n")
	default:
		*conflict = true
		b.WriteString(g.pick(
			"    securityContext:\n      runAsUser: 0\n",
			"    securityContext:\n      allowPrivilegeEscalation: true\n",
			"    securityContext:\n      privileged: true\n",
			"    securityContext:\n      capabilities:\n        drop: [NET_RAW]\n",
		))
	}
	if g.r.IntN(2) == 0 {
		b.WriteString("    env:\n")
		for e := 0; e < 1+g.r.IntN(4); e++ {
			b.WriteString(g.env(e))
		}
	}
	if g.r.IntN(3) == 0 {
		b.WriteString("    volumeMounts:\n      - name: data\n        mountPath: /tmp\n")
	}
	return b.String()
}

func (g *gen) env(e int) string {
	switch g.r.IntN(6) {
	case 0:
		return fmt.Sprintf("      - name: PLAIN_%d\n        value: \"plain\"\n", e)
	case 1:
		v := fmt.Sprintf("s3cr3t-%d-%d", e, g.r.Uint32())
		g.s.SecretValues = append(g.s.SecretValues, v)
		return fmt.Sprintf("      - name: %s\n        value: %q\n", g.pick("API_TOKEN", "DB_PASSWORD", "SIGNING_KEY", "APP_SECRET"), v) + ""
	case 2:
		return "      - name: DATABASE_URL\n        value: \"postgres://app:$(POSTGRES_PASSWORD)@db:5432/app\"\n"
	case 3:
		return "      - name: REDIS_PASSWORD\n        valueFrom:\n          secretKeyRef: {name: redis, key: password}\n"
	case 4:
		return "      - name: EMPTY_TOKEN\n        value: \"\"\n"
	default:
		return "      - name: NEXT_PUBLIC_VAPID_PUBLIC_KEY\n        value: \"BPublicKey\"\n"
	}
}

func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l == "" {
			continue
		}
		b.WriteString(pad + l)
	}
	return b.String()
}
