// Package doctor checks, before anything is built, that up can work here:
// the tools, the cluster, the secrets and the frontend's config. Each check
// is a small function of its inputs, so each is testable alone.
package doctor

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/cluster"
	"github.com/helm-todo/helm-todo/internal/postrendersetup"
	"github.com/helm-todo/helm-todo/internal/secrets"
)

// Level is a check's outcome.
type Level string

const (
	OK   Level = "ok"
	Warn Level = "warn"
	Fail Level = "FAIL"
	Skip Level = "skip"
)

// Check is one line of the checklist.
type Check struct {
	Name   string
	Level  Level
	Detail string
	Fix    string
}

// Print writes the checklist and returns the number of failures.
func Print(out io.Writer, checks []Check) int {
	failed := 0
	for _, c := range checks {
		fmt.Fprintf(out, "[%-4s] %-22s %s\n", c.Level, c.Name, c.Detail)
		if c.Fix != "" && (c.Level == Fail || c.Level == Warn) {
			fmt.Fprintf(out, "       %-22s fix: %s\n", "", c.Fix)
		}
		if c.Level == Fail {
			failed++
		}
	}
	return failed
}

// Result turns the failures into the command's error.
func Result(checks []Check) error {
	var names []string
	for _, c := range checks {
		if c.Level == Fail {
			names = append(names, c.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return clierr.New(fmt.Sprintf("%d required check(s) failed: %s", len(names), strings.Join(names, ", ")), "follow the fix lines above, then run helm todo doctor again", nil)
}

// Context checks that the kube-context is a local cluster. A remote one is
// a warning (deploying a dev app to a shared cluster is rarely meant),
// accepted with allowRemote.
func Context(kind, contextName, server string, allowRemote bool) Check {
	c := Check{Name: "kube-context"}
	if contextName == "" {
		return Check{Name: "kube-context", Level: Fail, Detail: "no current context", Fix: "start a local cluster (minikube start, kind create cluster, ...) or pass --kube-context"}
	}
	host := ""
	if u, err := url.Parse(server); err == nil {
		host = u.Hostname()
	}
	local := cluster.IsLocal(kind) || host == "localhost" || (net.ParseIP(host) != nil && net.ParseIP(host).IsLoopback())
	switch {
	case local:
		c.Level, c.Detail = OK, fmt.Sprintf("%s is local (%s, %s)", contextName, kindOr(kind), server)
	case allowRemote:
		c.Level, c.Detail = OK, fmt.Sprintf("%s is remote (%s), allowed by --allow-remote", contextName, server)
	default:
		c.Level, c.Detail = Warn, fmt.Sprintf("%s looks remote (%s)", contextName, server)
		c.Fix = "switch to a local cluster (kubectl config use-context ...) or pass --allow-remote if you mean it"
	}
	return c
}

func kindOr(k string) string {
	if k == "" || k == cluster.Other.Name() {
		return "unknown kind"
	}
	return k
}

// Secrets checks the required keys, naming them and never their values.
func Secrets(envFile string, explicit bool, getenv func(string) string) Check {
	c := Check{Name: "secrets"}
	v, err := secrets.Load(envFile, explicit, getenv)
	if err == nil {
		err = v.Check()
	}
	if err != nil {
		c.Level, c.Detail, c.Fix = Fail, err.Error(), clierr.FixOf(err)
		return c
	}
	c.Level, c.Detail = OK, "keys present: "+strings.Join(v.Names(), ", ")
	if v.InClusterDB() {
		c.Detail += " (no DATABASE_URL: the in-cluster PostgreSQL will be used)"
	}
	if n := v.Notices(); len(n) > 0 {
		c.Level, c.Fix = Warn, "keep one line per key in the env file"
		c.Detail += "; " + strings.Join(n, "; ")
	}
	return c
}

var nextConfigs = []string{"next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs"}

var standalone = regexp.MustCompile(`output\s*:\s*["'` + "`" + `]standalone["'` + "`" + `]`)

// Standalone checks the Next.js config for output: "standalone", which the
// frontend image copies from.
func Standalone(frontendDir string) Check {
	c := Check{Name: "next.js standalone"}
	for _, n := range nextConfigs {
		p := filepath.Join(frontendDir, n)
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if standalone.Match(data) {
			c.Level, c.Detail = OK, p+` has output: "standalone"`
		} else {
			c.Level, c.Detail = Fail, p+` lacks output: "standalone"`
			c.Fix = `add output: "standalone" to the exported config; the frontend image copies .next/standalone`
		}
		return c
	}
	c.Level, c.Detail = Fail, "no next.config.{js,mjs,ts,cjs} in "+frontendDir
	c.Fix = `create next.config.mjs with: export default { output: "standalone" }`
	return c
}

// APIURL warns when NEXT_PUBLIC_API_URL names cluster DNS: it is baked into
// browser code, and a browser cannot resolve *.svc.cluster.local.
// sources maps where a value came from to the value.
func APIURL(sources map[string]string) Check {
	c := Check{Name: "NEXT_PUBLIC_API_URL"}
	for from, v := range sources {
		if strings.Contains(v, "svc.cluster.local") {
			c.Level = Warn
			c.Detail = fmt.Sprintf("%s (from %s) names cluster DNS; a browser cannot resolve it", v, from)
			c.Fix = "use an address the browser reaches (http://localhost:7860 with a port-forward, or a same-origin path the Next.js server proxies to the backend Service)"
			return c
		}
	}
	if len(sources) == 0 {
		c.Level, c.Detail = OK, "not set (the frontend's default is used)"
		return c
	}
	c.Level, c.Detail = OK, "does not name cluster DNS"
	return c
}

// Probe runs one check that needs a context, turning a panic-free error
// into a failed check with the given fix.
func Probe(ctx context.Context, name, fix string, fn func(ctx context.Context) (string, error)) Check {
	detail, err := fn(ctx)
	if err != nil {
		return Check{Name: name, Level: Fail, Detail: err.Error(), Fix: firstNonEmpty(clierr.FixOf(err), fix)}
	}
	return Check{Name: name, Level: OK, Detail: detail}
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// PostRenderer checks the binary Helm runs as the post-renderer, from what
// `<bin> --version` printed (or its error): it must exist and match
// helm-todo's own version, which an interrupted install or a hand build of
// one binary would break.
func PostRenderer(bin, got string, err error, want string) Check {
	c := Check{Name: "post-renderer"}
	got = strings.TrimSpace(got)
	switch {
	case err != nil:
		c.Level, c.Detail = Fail, fmt.Sprintf("%s: %v", bin, err)
		c.Fix = "reinstall the plugin (its hook installs the post-renderer) or run `make build` in the plugin directory"
	case got != want:
		c.Level, c.Detail = Fail, fmt.Sprintf("%s is version %q, helm-todo is %q", bin, got, want)
		c.Fix = "reinstall the plugin, or run `make build` in the plugin directory, so both binaries come from one build"
	default:
		c.Level, c.Detail = OK, bin+" "+got
	}
	return c
}

// Helm3Plugins checks that every Helm 3 found can load its plugins: a Helm 4
// plugin manifest (apiVersion: v1) in a directory a Helm 3 scans makes it
// load none at all, `helm todo` included. helm4 is the helm that runs the
// fix. It is a warning: up on Helm 4 still works, the user's Helm 3 does not.
func Helm3Plugins(helm3s []postrendersetup.Helm3, helm4 string) Check {
	c := Check{Name: "helm 3 plugins"}
	if len(helm3s) == 0 {
		c.Level, c.Detail = Skip, "no Helm 3 on PATH"
		return c
	}
	var ok []string
	for _, h := range helm3s {
		bad := postrendersetup.V1Manifests(h.Plugins)
		if len(bad) == 0 {
			ok = append(ok, fmt.Sprintf("%s (%s)", h.Bin, h.Version))
			continue
		}
		m := bad[0]
		c.Level = Warn
		c.Detail = fmt.Sprintf("%s (%s) loads no plugin at all: %s is a Helm 4 plugin manifest (apiVersion) in %s, which it scans",
			h.Bin, h.Version, m.Path, filepath.Dir(filepath.Dir(m.Path)))
		if len(bad) > 1 {
			c.Detail += fmt.Sprintf(" (and %d more)", len(bad)-1)
		}
		if m.Name == postrendersetup.PluginName {
			c.Fix = fmt.Sprintf("with Helm 4, `%s plugin uninstall %s`, then `helm todo install-postrenderer`: it installs the post-renderer where no Helm 3 looks ($HELM_DATA_HOME/%s/plugins) and prints the HELM_PLUGINS line for Helm 4",
				helm4, m.Name, postrendersetup.OwnHomeName)
		} else {
			c.Fix = fmt.Sprintf("move %s out of %s into a directory only Helm 4 reads (in HELM_PLUGINS for Helm 4 alone)", filepath.Dir(m.Path), filepath.Dir(filepath.Dir(m.Path)))
		}
		return c
	}
	c.Level, c.Detail = OK, "no Helm 4 plugin manifest where a Helm 3 looks: "+strings.Join(ok, ", ")
	return c
}
