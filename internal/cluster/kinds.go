package cluster

import "strings"

// kinds are the kinds detection tries, in this order, and --cluster
// accepts. Adding a kind is a file beside this one and a line here.
var kinds = []Kind{
	Minikube,
	KindCluster,
	K3d,
	DockerDesktop,
	Kwok,
}

// Kinds are the kinds helm-todo loads into, in detection order.
func Kinds() []Kind { return append([]Kind(nil), kinds...) }

// Lookup finds a kind by name: one of Kinds, Registry or Other.
func Lookup(name string) (Kind, bool) {
	for _, k := range append(Kinds(), Registry, Other) {
		if k.Name() == name {
			return k, true
		}
	}
	return nil, false
}

// IsLocal says whether the kind named runs on this machine.
func IsLocal(name string) bool {
	k, ok := Lookup(name)
	return ok && k.Local()
}

// Names are the kinds' names, for help texts.
func Names() []string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.Name()
	}
	return names
}

// Choices lists the names as prose: "a, b or c".
func Choices() string {
	n := Names()
	return strings.Join(n[:len(n)-1], ", ") + " or " + n[len(n)-1]
}
