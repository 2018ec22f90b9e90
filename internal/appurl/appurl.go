// Package appurl tells the user where the app is: the frontend URL, worked
// out from the cluster kind and the frontend Service, and what to run first
// when the address is not reachable as is.
package appurl

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/helm-todo/helm-todo/internal/cluster"
	"github.com/helm-todo/helm-todo/internal/command"
)

// Input is what the URL depends on.
type Input struct {
	Cluster   cluster.Cluster // the zero Cluster when unknown
	Namespace string
	Release   string
	Service   *corev1.Service // the frontend Service, nil when not found
	// Probe runs the kind's read-only questions (`minikube ip`).
	Probe command.Runner
	// NodeIPs are the nodes' InternalIP addresses: a NodePort that answers
	// there from this machine (a node on a local bridge) is the URL.
	NodeIPs []string
	// Answers probes a URL from this machine; nil means no probing.
	Answers func(ctx context.Context, url string) bool
}

// Result is the URL and the lines to print with it.
type Result struct {
	URL   string
	Hints []string
}

// Lines are the URL and its hints, as printed.
func (r Result) Lines() []string {
	return append([]string{"frontend URL: " + r.URL}, r.Hints...)
}

// ServiceName is the chart's frontend Service.
func ServiceName(release string) string { return release + "-frontend" }

// Frontend works out the URL.
//
//   - the cluster kind's own way when it has one (cluster.Kind's Reach),
//     with a port-forward as the alternative;
//   - a LoadBalancer with an address: that address;
//   - anything else: a `kubectl port-forward` line and localhost.
func Frontend(ctx context.Context, in Input) Result {
	port := int32(3000)
	svcName := ServiceName(in.Release)
	if in.Service != nil {
		svcName = in.Service.Name
		if len(in.Service.Spec.Ports) > 0 {
			port = in.Service.Spec.Ports[0].Port
		}
	}
	pf := fmt.Sprintf("kubectl port-forward -n %s svc/%s %d:%d", in.Namespace, svcName, port, port)
	forward := Result{
		URL:   fmt.Sprintf("http://localhost:%d", port),
		Hints: []string{"  reach it by running first: " + pf},
	}
	if in.Service == nil {
		forward.Hints = append(forward.Hints, "  (service "+in.Namespace+"/"+svcName+" was not found; is the release installed?)")
		return forward
	}
	svc := in.Service
	if k := in.Cluster.Kind; k != nil {
		if url, hints, ok := k.Reach(ctx, in.Cluster, in.Probe, svc); ok {
			return Result{URL: url, Hints: append(hints, "  or: "+pf+" and http://localhost:"+strconv.Itoa(int(port)))}
		}
	}
	if svc.Spec.Type == corev1.ServiceTypeLoadBalancer {
		for _, ing := range svc.Status.LoadBalancer.Ingress {
			host := ing.IP
			if host == "" {
				host = ing.Hostname
			}
			if host != "" {
				return Result{URL: "http://" + net.JoinHostPort(host, strconv.Itoa(int(port)))}
			}
		}
	}
	if r, ok := nodePort(ctx, in, svc); ok {
		r.Hints = append(r.Hints, "  or: "+pf+" and http://localhost:"+strconv.Itoa(int(port)))
		return r
	}
	if svc.Spec.Type == corev1.ServiceTypeLoadBalancer {
		forward.Hints = append(forward.Hints, "  (the LoadBalancer has no address yet: this cluster may have no load-balancer controller)")
	}
	return forward
}

// nodePort is the Service's NodePort on the first node address that answers
// from this machine: a local cluster's node on a bridge (a kind node on
// Linux, a node in a network namespace). Only an answer makes it the URL.
func nodePort(ctx context.Context, in Input, svc *corev1.Service) (Result, bool) {
	if in.Answers == nil || len(svc.Spec.Ports) == 0 || svc.Spec.Ports[0].NodePort == 0 {
		return Result{}, false
	}
	for _, ip := range in.NodeIPs {
		url := "http://" + net.JoinHostPort(ip, strconv.Itoa(int(svc.Spec.Ports[0].NodePort)))
		if in.Answers(ctx, url) {
			return Result{URL: url}, true
		}
	}
	return Result{}, false
}

// Answers is Input.Answers over HTTP: any response within two seconds.
func Answers(ctx context.Context, url string) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return true
}
