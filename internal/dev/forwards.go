package dev

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/kubeclient"
	"github.com/helm-todo/helm-todo/internal/logs"
	"github.com/helm-todo/helm-todo/internal/portforward"
	"github.com/helm-todo/helm-todo/internal/up"
)

type forward struct {
	component string
	port      int
}

func (a *Action) forwards() []forward {
	var fs []forward
	if a.FrontendPort > 0 {
		fs = append(fs, forward{"frontend", a.FrontendPort})
	}
	if a.BackendPort > 0 {
		fs = append(fs, forward{"backend", a.BackendPort})
	}
	return fs
}

// checkPorts refuses ports that cannot work, before anything runs.
func (a *Action) checkPorts() error {
	for _, p := range []struct {
		flag string
		port int
	}{{"--frontend-port", a.FrontendPort}, {"--backend-port", a.BackendPort}} {
		if p.port < 0 || p.port > 65535 {
			return clierr.Usagef("pick a port from 1 to 65535, or 0 for no port-forward", "%s %d is not a port", p.flag, p.port)
		}
	}
	if a.FrontendPort > 0 && a.FrontendPort == a.BackendPort {
		return clierr.Usagef("give --frontend-port and --backend-port different ports", "--frontend-port and --backend-port are both %d", a.FrontendPort)
	}
	return nil
}

func (a *Action) printForwards(w io.Writer, r *up.Result) {
	d := r.Options.Deploy
	for _, f := range a.forwards() {
		fmt.Fprintf(w, "  port-forward %s:%d → service %s/%s-%s, to whichever pod is ready\n", orLoopback(a.Address), f.port, d.Namespace, d.Release, f.component)
	}
}

// listen binds every local port before the first up, so a port in use
// stops dev before anything is built or deployed.
func (a *Action) listen() ([]*portforward.Forwarder, error) {
	var fwds []*portforward.Forwarder
	for _, f := range a.forwards() {
		pf := &portforward.Forwarder{Address: orLoopback(a.Address), Port: f.port}
		if err := pf.Listen(); err != nil {
			closeAll(fwds)
			return nil, clierr.Usage(fmt.Sprintf("port-forward %s on %s:%d", f.component, orLoopback(a.Address), f.port),
				fmt.Sprintf("free the port, or pick another with --%s-port", f.component), err)
		}
		fwds = append(fwds, pf)
	}
	return fwds, nil
}

func closeAll(fwds []*portforward.Forwarder) {
	for _, f := range fwds {
		f.Close()
	}
}

// serve points the bound ports at the release's Services and serves them
// until ctx ends.
func (a *Action) serve(ctx context.Context, wg *sync.WaitGroup, kc *kubeclient.Client, r *up.Result, fwds []*portforward.Forwarder, term *logs.Lines) {
	d := r.Options.Deploy
	for i, pf := range fwds {
		comp := a.forwards()[i].component
		pf.Config, pf.Client, pf.Namespace, pf.Service = kc.Config, kc.Clientset, d.Namespace, d.Release+"-"+comp
		pf.Log = func(s string) { term.Line("dev: " + s) }
		term.Line(fmt.Sprintf("dev: %s at %s (port-forward to service %s/%s; it follows new pods by itself)", comp, pf.URL(), d.Namespace, pf.Service))
		wg.Add(1)
		go func() { defer wg.Done(); pf.Serve(ctx) }()
	}
}

func orLoopback(addr string) string {
	if addr == "" {
		return "127.0.0.1"
	}
	return addr
}
