// Command coredns is the node rig's cluster DNS (test/node): CoreDNS
// with only the plugins the rig's Corefile uses, the "custom build" CoreDNS
// documents (coremain plus chosen plugins), so the build stays small. It
// serves cluster.local from the API server and nothing else: no upstream.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
)

// The order plugins run in, a subset of CoreDNS's plugin.cfg in its order;
// without this CoreDNS would know the full list and refuse the ones not built.
func init() {
	dnsserver.Directives = []string{"bind", "ready", "health", "errors", "log", "cache", "kubernetes"}
}

func main() { coremain.Run() }
