package app

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// builderEnv is the environment `helm todo up --builder buildah` runs with
// here, from test/node/apps.sh env.
var builderEnv []string

// TestMain readies what the builds need, once for every test, with
// test/node/apps.sh: the stand-in bases in its buildah store (kept between
// runs, so built images and their layers are reused), the postgres
// stand-in in the node's containerd, and the wheelhouse index on
// 127.0.0.1:3141, reused when one already answers and then left running.
func TestMain(m *testing.M) {
	if os.Getenv(EnvKubeconfig) == "" {
		os.Exit(m.Run()) // every test skips
	}
	apps, err := filepath.Abs("../apps.sh")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		out, err := exec.Command(apps, "env").Output()
		if err != nil {
			fmt.Fprintf(os.Stderr, "test/node/apps.sh env: %v\n", err)
			return 1
		}
		for _, f := range strings.Fields(string(out)) {
			if f != "export" {
				builderEnv = append(builderEnv, f)
			}
		}
		if !indexAnswers() {
			defer func() { _ = run(apps, "stop") }()
		}
		if err := run(apps, "serve"); err != nil {
			fmt.Fprintf(os.Stderr, "test/node/apps.sh serve: %v\n", err)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

func indexAnswers() bool {
	return exec.Command("curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:3141/simple/").Run() == nil
}

func run(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}
