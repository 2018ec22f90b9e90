package cluster

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/image"
)

// Minikube is a minikube profile; its cluster name is the profile.
var Minikube Kind = minikube{base{"minikube"}}

type minikube struct{ base }

func (minikube) DefaultName() string { return "minikube" }

func (minikube) Help() (string, string) {
	return `context "minikube" or minikube's marks`, "minikube -p PROFILE image load"
}

func (minikube) Detect(k Kubeconfig) (string, string, bool) {
	switch {
	case k.Context == "minikube":
		return k.Context, "context name", true
	case k.Cluster != nil && minikubeCluster(k.Cluster):
		// minikube names the context, the cluster and the profile alike.
		return k.ClusterName, "minikube's cluster_info extension or CA path", true
	}
	return "", "", false
}

// minikubeCluster looks for what minikube writes into a cluster entry.
func minikubeCluster(cl *clientcmdapi.Cluster) bool {
	for _, ext := range cl.Extensions {
		if ext == nil {
			continue
		}
		if u, ok := ext.(*runtime.Unknown); ok && strings.Contains(string(u.Raw), "minikube.sigs.k8s.io") {
			return true
		}
	}
	ca := filepath.ToSlash(cl.CertificateAuthority)
	return strings.Contains(ca, "/.minikube/")
}

func (minikube) Load(c Cluster, img Image) []command.Cmd {
	return []command.Cmd{{Name: "minikube", Args: []string{"-p", c.Name, "image", "load", img.Source}}}
}

func (minikube) Check(c Cluster, _ Image) []command.Cmd {
	return []command.Cmd{{Name: "minikube", Args: []string{"-p", c.Name, "image", "ls"}}}
}

// Has finds the image in `minikube image ls` output, one reference a line.
func (minikube) Has(out []byte, img Image) bool {
	for _, line := range strings.Split(string(out), "\n") {
		if l := strings.TrimSpace(line); l != "" && image.SameRef(l, img.Ref) {
			return true
		}
	}
	return false
}

func (minikube) Tool(c Cluster, lookPath func(string) (string, error)) ToolCheck {
	return needs("minikube", c, lookPath)
}

// Reach is what `minikube service --url` prints: the node IP and the
// NodePort a LoadBalancer Service also gets, plus the `minikube tunnel`
// hint for the LoadBalancer address itself.
func (minikube) Reach(ctx context.Context, c Cluster, probe command.Runner, svc *corev1.Service) (string, []string, bool) {
	if probe == nil || len(svc.Spec.Ports) == 0 || svc.Spec.Ports[0].NodePort == 0 {
		return "", nil, false
	}
	res, err := probe.Run(ctx, command.Cmd{Name: "minikube", Args: []string{"-p", c.Name, "ip"}})
	ip := strings.TrimSpace(string(res.Stdout))
	if err != nil || net.ParseIP(ip) == nil {
		return "", nil, false
	}
	var hints []string
	if svc.Spec.Type == corev1.ServiceTypeLoadBalancer {
		tunnel := "minikube tunnel"
		if c.Name != "" && c.Name != "minikube" {
			tunnel += " -p " + c.Name
		}
		hints = append(hints, fmt.Sprintf("  for the LoadBalancer address, run `%s` in another terminal; then http://127.0.0.1:%d", tunnel, svc.Spec.Ports[0].Port))
	}
	return "http://" + net.JoinHostPort(ip, strconv.Itoa(int(svc.Spec.Ports[0].NodePort))), hints, true
}
