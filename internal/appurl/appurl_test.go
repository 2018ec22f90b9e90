package appurl

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/helm-todo/helm-todo/internal/cluster"
	"github.com/helm-todo/helm-todo/internal/command"
)

func svc(typ corev1.ServiceType, nodePort int32, ingress ...corev1.LoadBalancerIngress) *corev1.Service {
	s := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "todo-frontend"},
		Spec: corev1.ServiceSpec{Type: typ, Ports: []corev1.ServicePort{{Port: 3000, NodePort: nodePort}}}}
	s.Status.LoadBalancer.Ingress = ingress
	return s
}

// probe answers `minikube ip`, and fails on any other command.
type probe struct {
	want, out string
	err       error
}

func (p probe) Run(_ context.Context, c command.Cmd) (command.Result, error) {
	if c.String() != p.want {
		return command.Result{}, fmt.Errorf("unexpected command %q, want %q", c, p.want)
	}
	return command.Result{Stdout: []byte(p.out)}, p.err
}

func TestFrontend(t *testing.T) {
	ip := probe{out: "192.168.49.2\n", want: "minikube -p dev ip"}
	noIP := probe{err: errors.New("minikube not running"), want: "minikube -p minikube ip"}
	pf := "  reach it by running first: kubectl port-forward -n todo-app svc/todo-frontend 3000:3000"
	tests := map[string]struct {
		in   Input
		want Result
	}{
		"minikube load balancer": {
			in: Input{Cluster: cluster.Cluster{Kind: cluster.Minikube, Name: "dev"}, Service: svc(corev1.ServiceTypeLoadBalancer, 31234), Probe: ip},
			want: Result{URL: "http://192.168.49.2:31234", Hints: []string{
				"  for the LoadBalancer address, run `minikube tunnel -p dev` in another terminal; then http://127.0.0.1:3000",
				"  or: kubectl port-forward -n todo-app svc/todo-frontend 3000:3000 and http://localhost:3000"}},
		},
		"minikube without ip falls back": {
			in:   Input{Cluster: cluster.Cluster{Kind: cluster.Minikube, Name: "minikube"}, Service: svc(corev1.ServiceTypeNodePort, 31234), Probe: noIP},
			want: Result{URL: "http://localhost:3000", Hints: []string{pf}},
		},
		"load balancer with address": {
			in:   Input{Cluster: cluster.Cluster{Kind: cluster.KindCluster, Name: "dev"}, Service: svc(corev1.ServiceTypeLoadBalancer, 31234, corev1.LoadBalancerIngress{Hostname: "lb.example"})},
			want: Result{URL: "http://lb.example:3000"},
		},
		"load balancer pending (kwok)": {
			in: Input{Cluster: cluster.Cluster{Kind: cluster.Kwok, Name: "kwok"}, Service: svc(corev1.ServiceTypeLoadBalancer, 31234)},
			want: Result{URL: "http://localhost:3000", Hints: []string{pf,
				"  (the LoadBalancer has no address yet: this cluster may have no load-balancer controller)"}},
		},
		"load balancer pending, node port answers (a node on a local bridge)": {
			in: Input{Cluster: cluster.Cluster{Kind: cluster.Registry, Name: "127.0.0.1:5000"}, Service: svc(corev1.ServiceTypeLoadBalancer, 31234), NodeIPs: []string{"10.9.9.9", "10.245.0.1"},
				Answers: func(_ context.Context, url string) bool { return url == "http://10.245.0.1:31234" }},
			want: Result{URL: "http://10.245.0.1:31234", Hints: []string{"  or: kubectl port-forward -n todo-app svc/todo-frontend 3000:3000 and http://localhost:3000"}},
		},
		"node port that does not answer is no URL": {
			in: Input{Cluster: cluster.Cluster{Kind: cluster.Registry, Name: "127.0.0.1:5000"}, Service: svc(corev1.ServiceTypeNodePort, 31234), NodeIPs: []string{"10.245.0.1"},
				Answers: func(context.Context, string) bool { return false }},
			want: Result{URL: "http://localhost:3000", Hints: []string{pf}},
		},
		"cluster ip": {
			in:   Input{Cluster: cluster.Cluster{Kind: cluster.KindCluster, Name: "dev"}, Service: svc(corev1.ServiceTypeClusterIP, 0)},
			want: Result{URL: "http://localhost:3000", Hints: []string{pf}},
		},
		"no service": {
			in: Input{Cluster: cluster.Cluster{Kind: cluster.KindCluster, Name: "dev"}},
			want: Result{URL: "http://localhost:3000", Hints: []string{pf,
				"  (service todo-app/todo-frontend was not found; is the release installed?)"}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tc.in.Namespace, tc.in.Release = "todo-app", "todo"
			got := Frontend(context.Background(), tc.in)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %#v\nwant %#v", got, tc.want)
			}
		})
	}
}
