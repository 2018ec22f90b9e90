package image

import (
	"slices"
	"testing"
)

// podman and buildah refuse plain HTTP unless told; only a registry on this
// machine may be told so.
func TestLoopbackRegistryPushArgv(t *testing.T) {
	tests := map[string]struct {
		b    Builder
		ref  string
		push []string
		head []string // manifest inspect
	}{
		"podman localhost:5000": {Builder{Kind: Podman}, "localhost:5000/todo-backend:1",
			[]string{"push", "--tls-verify=false", "localhost:5000/todo-backend:1"},
			[]string{"manifest", "inspect", "--tls-verify=false", "docker://localhost:5000/todo-backend:1"}},
		"buildah 127.0.0.1, global args first": {Builder{Kind: Buildah, GlobalArgs: []string{"--storage-driver=vfs"}}, "127.0.0.1:5001/todo:1",
			[]string{"--storage-driver=vfs", "push", "--tls-verify=false", "127.0.0.1:5001/todo:1", "docker://127.0.0.1:5001/todo:1"},
			[]string{"--storage-driver=vfs", "manifest", "inspect", "--tls-verify=false", "docker://127.0.0.1:5001/todo:1"}},
		"podman [::1]": {Builder{Kind: Podman}, "[::1]:5000/todo:1",
			[]string{"push", "--tls-verify=false", "[::1]:5000/todo:1"},
			[]string{"manifest", "inspect", "--tls-verify=false", "docker://[::1]:5000/todo:1"}},
		"podman remote registry keeps TLS": {Builder{Kind: Podman}, "registry.example.com/me/todo:1",
			[]string{"push", "registry.example.com/me/todo:1"},
			[]string{"manifest", "inspect", "docker://registry.example.com/me/todo:1"}},
		"buildah host named like localhost keeps TLS": {Builder{Kind: Buildah}, "localhost.example.com/todo:1",
			[]string{"push", "localhost.example.com/todo:1", "docker://localhost.example.com/todo:1"},
			[]string{"manifest", "inspect", "docker://localhost.example.com/todo:1"}},
		"docker never gets the flag": {Builder{Kind: Docker}, "localhost:5000/todo:1",
			[]string{"push", "localhost:5000/todo:1"},
			[]string{"manifest", "inspect", "localhost:5000/todo:1"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tc.b.PushCmd(tc.ref).Args; !slices.Equal(got, tc.push) {
				t.Errorf("push argv %q, want %q", got, tc.push)
			}
			if got := tc.b.RemoteExistsCmd(tc.ref).Args; !slices.Equal(got, tc.head) {
				t.Errorf("manifest inspect argv %q, want %q", got, tc.head)
			}
		})
	}
}

func TestLoopbackRegistry(t *testing.T) {
	for ref, want := range map[string]bool{
		"localhost/todo:1":       true,
		"localhost:5000/todo":    true,
		"127.0.0.1:5000/todo":    true,
		"127.1.2.3/todo":         true,
		"[::1]:5000/todo":        true,
		"todo:1":                 false,
		"10.0.0.1:5000/todo":     false,
		"registry.local:80/todo": false,
		"localhost.evil.io/todo": false,
	} {
		if got := LoopbackRegistry(ref); got != want {
			t.Errorf("LoopbackRegistry(%q) = %v, want %v", ref, got, want)
		}
	}
}
