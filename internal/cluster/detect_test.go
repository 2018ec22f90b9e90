package cluster

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

func TestDetect(t *testing.T) {
	tests := map[string]struct {
		file, context string
		kind          Kind
		name, clue    string
	}{
		"minikube":                {file: "minikube.yaml", kind: Minikube, name: "minikube", clue: "context name"},
		"minikube profile":        {file: "minikube-profile.yaml", kind: Minikube, name: "dev", clue: "extension"},
		"old minikube by CA path": {file: "minikube-ca-path.yaml", kind: Minikube, name: "work", clue: "CA path"},
		"kind":                    {file: "kind.yaml", kind: KindCluster, name: "dev", clue: "kind-"},
		"k3d":                     {file: "k3d.yaml", kind: K3d, name: "mycluster", clue: "k3d-"},
		"docker-desktop":          {file: "docker-desktop.yaml", kind: DockerDesktop, name: "docker-desktop", clue: "context name"},
		"docker-desktop renamed":  {file: "docker-desktop-renamed.yaml", kind: DockerDesktop, name: "docker-desktop", clue: "server"},
		"kwok":                    {file: "kwok.yaml", kind: Kwok, name: "helm-todo", clue: "kwok-"},
		"remote cluster":          {file: "gke.yaml", kind: Other, clue: "no local-cluster clue"},
		"--kube-context wins":     {file: "gke.yaml", context: "kind-dev", kind: KindCluster, name: "dev", clue: "kind-"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if tc.clue == "" {
				t.Fatal("every case names the clue it expects: an empty one checks nothing")
			}
			c, err := Detect(filepath.Join("testdata", tc.file), tc.context)
			if err != nil {
				t.Fatal(err)
			}
			if c.Kind != tc.kind || c.Name != tc.name || !strings.Contains(c.Clue, tc.clue) {
				t.Errorf("got %+v, want kind %s name %q clue ~%q", c, tc.kind, tc.name, tc.clue)
			}
			if c.Server == "" || c.Context == "" {
				t.Errorf("server and context must be reported: %+v", c)
			}
		})
	}
}

func TestDetectErrors(t *testing.T) {
	tests := map[string]struct{ file, context, want string }{
		"no current context": {"empty.yaml", "", "no current kube-context"},
		"unknown context":    {"kind.yaml", "kind-other", `kube-context "kind-other" is not in the kubeconfig`},
		"missing kubeconfig": {"nope.yaml", "", "read kubeconfig"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Detect(filepath.Join("testdata", tc.file), tc.context)
			if err == nil || !strings.Contains(err.Error(), tc.want) || clierr.FixOf(err) == "" {
				t.Fatalf("got %v, want %q with a fix", err, tc.want)
			}
		})
	}
}

func TestDetectPathList(t *testing.T) {
	// KUBECONFIG may list files; the current context may come from any.
	list := filepath.Join("testdata", "empty.yaml") + string(filepath.ListSeparator) + filepath.Join("testdata", "k3d.yaml")
	c, err := Detect(list, "")
	if err != nil || c.Kind != K3d {
		t.Fatalf("got %+v %v", c, err)
	}
}

func TestTarget(t *testing.T) {
	kind := filepath.Join("testdata", "kind.yaml")
	gke := filepath.Join("testdata", "gke.yaml")
	tests := map[string]struct {
		o       Options
		want    string // Cluster.String()
		wantErr string
	}{
		"detected":                     {o: Options{KubeConfig: kind}, want: "kind dev"},
		"override keeps detected name": {o: Options{KubeConfig: kind, Cluster: "kind"}, want: "kind dev"},
		"override with name":           {o: Options{KubeConfig: kind, Cluster: "minikube:p2"}, want: "minikube p2"},
		"override default name":        {o: Options{KubeConfig: gke, Cluster: "k3d"}, want: "k3d k3s-default"},
		"registry beats detection":     {o: Options{KubeConfig: kind, Registry: "reg.example.com/me"}, want: "registry reg.example.com/me"},
		"remote needs a registry":      {o: Options{KubeConfig: gke}, wantErr: "--registry"},
		"bad override":                 {o: Options{KubeConfig: kind, Cluster: "eks"}, wantErr: `unknown cluster kind "eks"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c, err := Target(tc.o)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error()+clierr.FixOf(err), tc.wantErr) || clierr.ExitCode(err) != clierr.ExitUsage {
					t.Fatalf("got %v, want usage error ~%q", err, tc.wantErr)
				}
				return
			}
			if err != nil || c.String() != tc.want {
				t.Fatalf("got %q %v, want %q", c, err, tc.want)
			}
		})
	}
}
