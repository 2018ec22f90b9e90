package cluster

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

// The localRegistryHosting.v1 documents the tools publish. kind's is from
// its local-registry guide; k3d's, minikube's registry addon's and
// ctlptl's follow what those tools write.
var hostingForms = map[string]struct {
	doc        string
	push, pull string
}{
	"kind": {doc: "host: \"localhost:5001\"\nhelp: \"https://kind.sigs.k8s.io/docs/user/local-registry/\"\n",
		push: "localhost:5001", pull: "localhost:5001"},
	"k3d": {doc: "host: \"k3d-myregistry.localhost:5000\"\nhostFromContainerRuntime: \"k3d-myregistry:5000\"\nhostFromClusterNetwork: \"k3d-myregistry:5000\"\nhelp: \"https://k3d.io/stable/usage/registries/#using-a-local-registry\"\n",
		push: "k3d-myregistry.localhost:5000", pull: "k3d-myregistry:5000"},
	"minikube registry addon": {doc: "host: \"localhost:5000\"\nhostFromClusterNetwork: \"registry.kube-system.svc.cluster.local:80\"\nhelp: \"https://minikube.sigs.k8s.io/docs/handbook/registry/\"\n",
		push: "localhost:5000", pull: "localhost:5000"},
	"ctlptl": {doc: "help: https://github.com/tilt-dev/ctlptl\nhost: localhost:5005\nhostFromClusterNetwork: ctlptl-registry:5000\nhostFromContainerRuntime: ctlptl-registry:5000\n",
		push: "localhost:5005", pull: "ctlptl-registry:5000"},
}

func TestParseRegistryHosting(t *testing.T) {
	for name, tc := range hostingForms {
		t.Run(name, func(t *testing.T) {
			h, err := ParseRegistryHosting(tc.doc)
			if err != nil {
				t.Fatal(err)
			}
			if h.Host != tc.push || h.PullHost() != tc.pull {
				t.Errorf("push %q pull %q, want %q %q", h.Host, h.PullHost(), tc.push, tc.pull)
			}
		})
	}
	for name, doc := range map[string]string{"no host": "help: x\n", "not yaml": "host: [\n"} {
		_, err := ParseRegistryHosting(doc)
		if err == nil || !strings.Contains(err.Error(), "kube-public/local-registry-hosting") || clierr.FixOf(err) == "" {
			t.Errorf("%s: got %v, want an error naming the ConfigMap, with a fix", name, err)
		}
	}
}

func hostingConfigMap(doc string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: RegistryHostingNamespace, Name: RegistryHostingName},
		Data:       map[string]string{RegistryHostingKey: doc},
	}
}

func TestReadRegistryHosting(t *testing.T) {
	ctx := context.Background()
	h, err := ReadRegistryHosting(ctx, fake.NewClientset(hostingConfigMap(hostingForms["k3d"].doc)))
	if err != nil || h == nil || h.Host != "k3d-myregistry.localhost:5000" {
		t.Fatalf("published: got %+v %v", h, err)
	}
	if h, err := ReadRegistryHosting(ctx, fake.NewClientset()); h != nil || err != nil {
		t.Errorf("no ConfigMap: got %+v %v, want nothing", h, err)
	}
	if _, err := ReadRegistryHosting(ctx, fake.NewClientset(hostingConfigMap("help: x\n"))); err == nil {
		t.Error("a malformed ConfigMap must be an error, not silently ignored")
	}
}

// An explicit --registry (or helm-todo.yaml's build.registry) and --cluster
// beat the ConfigMap; without one, a known kind delivers as it always did.
func TestTargetRegistryHostingPrecedence(t *testing.T) {
	kind := filepath.Join("testdata", "kind.yaml")
	mk := filepath.Join("testdata", "minikube.yaml")
	h, _ := ParseRegistryHosting(hostingForms["ctlptl"].doc)
	tests := map[string]struct {
		o          Options
		want, pull string
	}{
		"published":              {o: Options{KubeConfig: kind, RegistryHosting: &h}, want: "registry localhost:5005", pull: "ctlptl-registry:5000"},
		"--registry wins":        {o: Options{KubeConfig: kind, RegistryHosting: &h, Registry: "r.io/me"}, want: "registry r.io/me"},
		"--cluster wins":         {o: Options{KubeConfig: kind, RegistryHosting: &h, Cluster: "kind"}, want: "kind dev"},
		"minikube without it":    {o: Options{KubeConfig: mk}, want: "minikube"},
		"remote cluster with it": {o: Options{KubeConfig: filepath.Join("testdata", "gke.yaml"), RegistryHosting: &h}, want: "registry localhost:5005", pull: "ctlptl-registry:5000"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c, err := Target(tc.o)
			if err != nil || c.String() != tc.want || c.Pull != tc.pull {
				t.Fatalf("got %q pull %q (%v), want %q pull %q", c, c.Pull, err, tc.want, tc.pull)
			}
		})
	}
}
