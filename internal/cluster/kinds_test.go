package cluster

import "testing"

// Every listed kind is a complete --cluster choice: a unique name, a
// default cluster name, and a row in load's help.
func TestKindsRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range Kinds() {
		name := k.Name()
		if name == "" || seen[name] {
			t.Errorf("kind %q: empty or listed twice", name)
		}
		seen[name] = true
		if detected, loads := k.Help(); k.DefaultName() == "" || detected == "" || loads == "" {
			t.Errorf("kind %s: default name %q, help %q %q", name, k.DefaultName(), detected, loads)
		}
		if got, ok := Lookup(name); !ok || got != k {
			t.Errorf("Lookup(%q) = %v %v", name, got, ok)
		}
		if !k.Local() {
			t.Errorf("kind %s: every listed kind runs on this machine", name)
		}
	}
	for _, k := range []Kind{Registry, Other} {
		if seen[k.Name()] || k.DefaultName() != "" || k.Local() {
			t.Errorf("%s must be neither listed, a --cluster choice, nor local", k)
		}
		if _, err := ParseOverride(k.Name(), Cluster{}); err == nil {
			t.Errorf("--cluster %s must be refused", k)
		}
	}
	if got, want := Choices(), "minikube, kind, k3d, docker-desktop or kwok"; got != want {
		t.Errorf("Choices() = %q, want %q", got, want)
	}
}
