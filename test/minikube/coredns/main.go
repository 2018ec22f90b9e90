// Command coredns is the minikube rig's cluster DNS image (images.sh):
// CoreDNS with the plugins of the Corefile kubeadm deploys and minikube
// edits (it adds log and hosts), in CoreDNS's "custom build" form like the
// node rig's (test/node/coredns), whose smaller set kubeadm's Corefile
// fails on ("Unknown directive 'prometheus'").
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/hosts"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/metrics"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
)

// The order plugins run in, a subset of CoreDNS's plugin.cfg in its order;
// without this CoreDNS would know the full list and refuse the ones not built.
func init() {
	dnsserver.Directives = []string{"reload", "bind", "ready", "health", "prometheus", "errors", "log",
		"loadbalance", "cache", "hosts", "kubernetes", "loop", "forward"}
}

func main() { coremain.Run() }
