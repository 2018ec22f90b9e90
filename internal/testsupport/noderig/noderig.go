// Package noderig connects a test to the real node rig that `make
// node-test` starts, or skips the test where there is none.
package noderig

import (
	"testing"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// EnvKubeconfig is what `make node-test` sets to the rig's kubeconfig.
const EnvKubeconfig = "HELM_TODO_NODE_KUBECONFIG"

// Client returns the rig's kubeconfig path and a client for it. Without
// EnvKubeconfig the test is skipped (no rig here); a kubeconfig that does
// not load fails it.
func Client(t testing.TB) (string, kubernetes.Interface) {
	t.Helper()
	kc := getenv(EnvKubeconfig)
	if kc == "" {
		t.Skipf("no node rig: %s is unset; run `make node-test` (or set it to .tools/node-rig/kubeconfig with the rig up)", EnvKubeconfig)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", kc)
	if err != nil {
		t.Fatalf("load %s=%s: %v; run `make node-up`", EnvKubeconfig, kc, err)
	}
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return kc, c
}
