package noderig

import (
	"os"
	"path/filepath"
	"testing"
)

func TestClientSkipsWithoutRig(t *testing.T) {
	getenv = func(string) string { return "" }
	defer func() { getenv = os.Getenv }()
	skipped := false
	t.Run("no rig", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		Client(t)
	})
	if !skipped {
		t.Error("Client without a rig did not skip")
	}
}

func TestClientLoadsKubeconfig(t *testing.T) {
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := `apiVersion: v1
kind: Config
clusters: [{name: rig, cluster: {server: "https://127.0.0.1:6443"}}]
users: [{name: rig, user: {}}]
contexts: [{name: rig, context: {cluster: rig, user: rig}}]
current-context: rig
`
	if err := os.WriteFile(kc, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv = func(string) string { return kc }
	defer func() { getenv = os.Getenv }()
	path, c := Client(t)
	if path != kc || c == nil {
		t.Errorf("Client = %q, %v; want %q and a client", path, c, kc)
	}
}
