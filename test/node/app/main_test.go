package app

import (
	"fmt"
	"os"
	"testing"

	"github.com/helm-todo/helm-todo/test/node/nodeapp"
)

// builderEnv is the environment `helm todo up --builder buildah` runs with
// here, from test/node/apps.sh env.
var builderEnv []string

// TestMain readies what the builds need, once for every test
// (nodeapp.BuilderEnv).
func TestMain(m *testing.M) {
	if os.Getenv(EnvKubeconfig) == "" {
		os.Exit(m.Run()) // every test skips
	}
	code := func() int {
		env, stop, err := nodeapp.BuilderEnv()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer stop()
		builderEnv = env
		return m.Run()
	}()
	os.Exit(code)
}
