package cluster

import "testing"

// minikubeLs is `minikube -p minikube image ls` from minikube v1.38.1
// (containerd runtime) on the real rig (make minikube-app) after up loaded
// both images, the lines of the loaded images (the control plane's left
// out): fully qualified, one a line, whatever name the load used.
const minikubeLs = `docker.io/library/todo-frontend:8ef425e9ed0f5b89
docker.io/library/todo-backend:fa3d5f1896df6ea3
docker.io/library/postgres:15
`

// Has decides whether up skips `minikube image load`: a wrong yes deploys
// an image the node lacks (ErrImageNeverPull), a wrong no reloads ~250 MB.
func TestMinikubeHas(t *testing.T) {
	tests := map[string]struct {
		ref  string
		want bool
	}{
		"as up names it":           {"todo-backend:fa3d5f1896df6ea3", true},
		"fully qualified":          {"docker.io/library/todo-frontend:8ef425e9ed0f5b89", true},
		"another tag of the image": {"todo-backend:0123456789abcdef", false},
		"a tag's prefix":           {"todo-backend:fa3d5f18", false},
		"another registry":         {"registry.example.com/todo-backend:fa3d5f1896df6ea3", false},
		"not loaded":               {"todo-worker:fa3d5f1896df6ea3", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Minikube.Has([]byte(minikubeLs), Image{Ref: tc.ref}); got != tc.want {
				t.Errorf("Has(%q) = %v, want %v", tc.ref, got, tc.want)
			}
		})
	}
}
