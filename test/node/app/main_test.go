package app

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain readies what the builds need, once for every test: the stand-in
// bases in buildah's store and the wheelhouse index on 127.0.0.1:3141
// (test/node/builder.sh; reused when one already answers, stopped after
// only when started here), and pushes the postgres stand-in to the
// advertised registry.
func TestMain(m *testing.M) {
	if os.Getenv(EnvKubeconfig) == "" {
		os.Exit(m.Run()) // every test skips
	}
	builder, err := filepath.Abs("../builder.sh")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	pidfile, err := os.CreateTemp("", "helm-todo-wheelhouse.*.pid")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	pidfile.Close()
	code := func() int {
		defer func() {
			_ = run(builder, "stop", pidfile.Name())
		}()
		for _, step := range [][]string{{"prepare"}, {"serve", pidfile.Name()}} {
			if err := run(builder, step...); err != nil {
				fmt.Fprintf(os.Stderr, "test/node/builder.sh %s: %v\n", strings.Join(step, " "), err)
				return 1
			}
		}
		if err := pushPostgres(builder); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

func run(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}

// pushPostgres puts the postgres:15 stand-in where the node pulls from,
// unless the registry has it already. (The chart's default postgres:16
// comes from Docker Hub, which this machine cannot reach.)
func pushPostgres(builder string) error {
	env, err := exec.Command(builder, "env").Output()
	if err != nil {
		return fmt.Errorf("builder.sh env: %w", err)
	}
	host, err := exec.Command("kubectl", "--kubeconfig", os.Getenv(EnvKubeconfig), "get", "configmap", "-n", "kube-public",
		"local-registry-hosting", "-o", `jsonpath={.data.localRegistryHosting\.v1}`).Output()
	if err != nil {
		return fmt.Errorf("read local-registry-hosting: %w", err)
	}
	var reg string
	for _, l := range strings.Split(string(host), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "host:"); ok {
			reg = strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	if reg == "" {
		return fmt.Errorf("local-registry-hosting names no host: %q", host)
	}
	if exec.Command("curl", "-fsS", "-o", "/dev/null",
		"-H", "Accept: application/vnd.docker.distribution.manifest.v2+json",
		"-H", "Accept: application/vnd.oci.image.manifest.v1+json",
		"http://"+reg+"/v2/library/postgres/manifests/15").Run() == nil {
		return nil
	}
	cmd := exec.Command("buildah", "push", "--quiet", "--tls-verify=false", "docker.io/library/postgres:15", "docker://"+reg+"/library/postgres:15")
	cmd.Env = append(os.Environ(), strings.Fields(string(env))...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("push the postgres stand-in to %s: %v\n%s", reg, err, out)
	}
	return nil
}
