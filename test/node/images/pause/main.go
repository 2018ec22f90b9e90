// Command pause is the node rig's pod sandbox image (test/node): it holds a
// pod's namespaces open and exits on SIGINT or SIGTERM, as Kubernetes'
// registry.k8s.io/pause does. Built static, it is the only file of a FROM
// scratch image, because this machine cannot pull the upstream one.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	// As PID 1 of the sandbox it also inherits orphans; SIGCHLD's default
	// action under Go's runtime leaves them to be reaped here.
	signal.Ignore(syscall.SIGCHLD)
	<-stop
}
