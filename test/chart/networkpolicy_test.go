package chart_test

import (
	"net/netip"
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// endpoint is one side of a connection in the release's namespace: a pod
// of the chart (its pod template), another pod, or an address outside the
// cluster.
type endpoint struct {
	pod      *corev1.PodTemplateSpec // nil: no pod of the chart
	otherNS  bool                    // a pod in another namespace
	external string                  // an address outside the cluster
}

// netpolView answers, for the rendered release, whether its NetworkPolicies
// let a connection through, by the NetworkPolicy API's rules: a pod
// selected by a policy of a type allows only what one of those policies'
// rules allows; a pod selected by none allows everything.
type netpolView struct {
	policies []*networkingv1.NetworkPolicy
}

func newNetpolView(t *testing.T, r *rendering) netpolView {
	t.Helper()
	var v netpolView
	for _, d := range r.ofKind("NetworkPolicy") {
		v.policies = append(v.policies, networkPolicy(t, r, d.Metadata.Name))
	}
	return v
}

func (v netpolView) allowed(src, dst endpoint, proto corev1.Protocol, port int) bool {
	return v.egress(src, dst, proto, port) && v.ingress(src, dst, proto, port)
}

func selects(np *networkingv1.NetworkPolicy, e endpoint, typ networkingv1.PolicyType) bool {
	if e.pod == nil || e.otherNS {
		return false
	}
	for _, pt := range np.Spec.PolicyTypes {
		if pt == typ {
			return subset(np.Spec.PodSelector.MatchLabels, e.pod.Labels)
		}
	}
	return false
}

func (v netpolView) egress(src, dst endpoint, proto corev1.Protocol, port int) bool {
	selected := false
	for _, np := range v.policies {
		if !selects(np, src, networkingv1.PolicyTypeEgress) {
			continue
		}
		selected = true
		for _, rule := range np.Spec.Egress {
			if peersMatch(rule.To, dst) && portsMatch(rule.Ports, dst, proto, port) {
				return true
			}
		}
	}
	return !selected
}

func (v netpolView) ingress(src, dst endpoint, proto corev1.Protocol, port int) bool {
	selected := false
	for _, np := range v.policies {
		if !selects(np, dst, networkingv1.PolicyTypeIngress) {
			continue
		}
		selected = true
		for _, rule := range np.Spec.Ingress {
			if peersMatch(rule.From, src) && portsMatch(rule.Ports, dst, proto, port) {
				return true
			}
		}
	}
	return !selected
}

func peersMatch(peers []networkingv1.NetworkPolicyPeer, e endpoint) bool {
	if len(peers) == 0 {
		return true
	}
	for _, p := range peers {
		switch {
		case p.IPBlock != nil:
			if e.external != "" && inBlock(p.IPBlock, e.external) {
				return true
			}
		case p.NamespaceSelector != nil:
			// The chart's peers never select other namespaces; any that
			// does is a finding of this test.
			if e.otherNS {
				return true
			}
		case p.PodSelector != nil:
			if e.pod != nil && !e.otherNS && subset(p.PodSelector.MatchLabels, e.pod.Labels) {
				return true
			}
		}
	}
	return false
}

func inBlock(b *networkingv1.IPBlock, addr string) bool {
	a := netip.MustParseAddr(addr)
	if !netip.MustParsePrefix(b.CIDR).Contains(a) {
		return false
	}
	for _, ex := range b.Except {
		if netip.MustParsePrefix(ex).Contains(a) {
			return false
		}
	}
	return true
}

// portsMatch: a named port is the destination pod's container port of
// that name.
func portsMatch(ports []networkingv1.NetworkPolicyPort, dst endpoint, proto corev1.Protocol, port int) bool {
	if len(ports) == 0 {
		return true
	}
	for _, p := range ports {
		pp := corev1.ProtocolTCP
		if p.Protocol != nil {
			pp = *p.Protocol
		}
		if pp != proto {
			continue
		}
		if p.Port == nil {
			return true
		}
		if p.Port.Type == intstr.Int {
			if p.Port.IntValue() == port {
				return true
			}
			continue
		}
		if dst.pod == nil {
			continue
		}
		for _, c := range dst.pod.Spec.Containers {
			for _, cp := range c.Ports {
				if cp.Name == p.Port.StrVal && int(cp.ContainerPort) == port && cp.Protocol == pp {
					return true
				}
			}
		}
	}
	return false
}

// TestNetworkPolicies: every path the app needs is allowed and every other
// one denied, in-cluster and external database alike; test/node/netpol
// proves the same paths on an enforcing node.
func TestNetworkPolicies(t *testing.T) {
	const tcp, udp = corev1.ProtocolTCP, corev1.ProtocolUDP
	type path struct {
		from, to string
		proto    corev1.Protocol
		port     int
		allowed  bool
	}
	common := []path{
		{"frontend", "backend", tcp, 7860, true},
		{"frontend", "dns", udp, 53, true},
		{"frontend", "dns", tcp, 53, true},
		{"backend", "dns", udp, 53, true},
		{"migration", "dns", udp, 53, true},
		{"backend", "llm", tcp, 443, true},
		{"internet", "frontend", tcp, 3000, true},
		{"other", "backend", tcp, 7860, false},
		{"otherns", "backend", tcp, 7860, false},
		{"internet", "backend", tcp, 7860, false},
		{"frontend", "backend", tcp, 9999, false},
		{"frontend", "llm", tcp, 443, false},
		{"frontend", "external", tcp, 80, false},
		{"backend", "external", tcp, 80, false},
		{"backend", "external", tcp, 22, false},
		{"migration", "llm", tcp, 443, false},
		{"other", "migration", tcp, 7860, false},
		{"frontend", "frontend", tcp, 9999, false},
	}
	for _, tc := range []struct {
		name  string
		set   []string
		paths []path
	}{
		{"in-cluster database", []string{"database.external=false"}, append([]path{
			{"backend", "database", tcp, 5432, true},
			{"migration", "database", tcp, 5432, true},
			{"frontend", "database", tcp, 5432, false},
			{"other", "database", tcp, 5432, false},
			{"otherns", "database", tcp, 5432, false},
			{"database", "external", tcp, 443, false},
			{"database", "dns", udp, 53, false},
			{"backend", "external", tcp, 5432, false},
			{"backend", "database", tcp, 22, false},
		}, common...)},
		{"external database", []string{"database.external=true"}, append([]path{
			{"backend", "external", tcp, 5432, true},
			{"migration", "external", tcp, 5432, true},
			{"frontend", "external", tcp, 5432, false},
			{"backend", "external", tcp, 5433, false},
		}, common...)},
		{"external database in a given range", []string{"database.external=true",
			"networkPolicy.externalDatabase.to[0].ipBlock.cidr=203.0.113.0/24", "networkPolicy.externalDatabase.port=6543"}, append([]path{
			{"backend", "external", tcp, 6543, true},
			{"migration", "external", tcp, 6543, true},
			{"backend", "elsewhere", tcp, 6543, false},
			{"backend", "external", tcp, 5432, false},
		}, common...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := render(t, nil, tc.set...)
			specs := podSpecs(t, r)
			pods := map[string]endpoint{}
			for key, name := range map[string]string{"frontend": "Deployment/todo-frontend", "backend": "Deployment/todo-backend",
				"migration": "Job/todo-migrate", "database": "StatefulSet/todo-postgres"} {
				if s, ok := specs[name]; ok {
					pods[key] = endpoint{pod: &s}
				}
			}
			other := corev1.PodTemplateSpec{}
			other.Labels = map[string]string{"app.kubernetes.io/name": "other-app", "app.kubernetes.io/instance": "other"}
			pods["other"] = endpoint{pod: &other}
			otherNS := pods["backend"]
			otherNS.otherNS = true
			pods["otherns"] = otherNS
			pods["internet"] = endpoint{external: "198.51.100.7"}
			pods["external"] = endpoint{external: "203.0.113.5"}
			pods["llm"] = endpoint{external: "104.18.2.3"}
			pods["elsewhere"] = endpoint{external: "192.0.2.9"}
			pods["dns"] = endpoint{external: "10.96.0.10"}
			v := newNetpolView(t, r)
			for _, p := range tc.paths {
				from, ok1 := pods[p.from]
				to, ok2 := pods[p.to]
				if !ok1 || !ok2 {
					t.Fatalf("no %s or %s in this rendering", p.from, p.to)
				}
				if got := v.allowed(from, to, p.proto, p.port); got != p.allowed {
					t.Errorf("%s -> %s %s/%d: allowed=%v, want %v", p.from, p.to, p.proto, p.port, got, p.allowed)
				}
			}
		})
	}
	// Every pod of the chart is selected for both directions.
	r := render(t, nil, "database.external=false")
	specs := podSpecs(t, r)
	v := newNetpolView(t, r)
	for name, s := range specs {
		s := s
		for _, typ := range []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress} {
			n := 0
			for _, np := range v.policies {
				if selects(np, endpoint{pod: &s}, typ) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s: selected by %d %s policies, want 1", name, n, typ)
			}
		}
	}
	if n := len(render(t, nil, "networkPolicy.enabled=false").ofKind("NetworkPolicy")); n != 0 {
		t.Errorf("networkPolicy.enabled=false still renders %d NetworkPolicies", n)
	}
	// An egress rule added through values lands in the backend's policy as given.
	r = render(t, nil, "networkPolicy.backend.extraEgress[0].to[0].ipBlock.cidr=192.0.2.0/24",
		"networkPolicy.backend.extraEgress[0].ports[0].port=8443")
	np := networkPolicy(t, r, "todo-backend")
	last := np.Spec.Egress[len(np.Spec.Egress)-1]
	want := networkingv1.NetworkPolicyEgressRule{
		To:    []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "192.0.2.0/24"}}},
		Ports: []networkingv1.NetworkPolicyPort{{Port: ptr(intstr.FromInt32(8443))}},
	}
	if !reflect.DeepEqual(last, want) {
		t.Errorf("backend's last egress rule = %+v, want %+v", last, want)
	}
}

func ptr[T any](v T) *T { return &v }
