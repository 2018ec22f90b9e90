package policy

import (
	"fmt"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The policy's values are checked like its field names: a misspelt enum or
// an impossible number would otherwise be injected into every pod and fail
// at the API server, or worse, be accepted there and mean something else.
// Each check names the field as the policy file spells it and says what it
// wants, in the API server's terms.

// field is a policy field's name and value, listed in a fixed order so the
// first error is always the same.
type field[T any] struct {
	name string
	v    T
}

func checkPodSecurityContext(sc *corev1.PodSecurityContext) error {
	if sc == nil {
		return nil
	}
	const at = "podSecurityContext"
	for _, f := range []field[*int64]{{"runAsUser", sc.RunAsUser}, {"runAsGroup", sc.RunAsGroup}, {"fsGroup", sc.FSGroup}} {
		if err := checkID(at+"."+f.name, f.v); err != nil {
			return err
		}
	}
	for i, g := range sc.SupplementalGroups {
		if err := checkID(fmt.Sprintf("%s.supplementalGroups[%d]", at, i), &g); err != nil {
			return err
		}
	}
	if err := checkProfiles(at, sc.SeccompProfile, sc.AppArmorProfile); err != nil {
		return err
	}
	if err := optionalOneOf(at+".fsGroupChangePolicy", sc.FSGroupChangePolicy, "OnRootMismatch", "Always"); err != nil {
		return err
	}
	return optionalOneOf(at+".supplementalGroupsPolicy", sc.SupplementalGroupsPolicy, "Merge", "Strict")
}

func checkContainerSecurityContext(sc *corev1.SecurityContext) error {
	if sc == nil {
		return nil
	}
	const at = "containerSecurityContext"
	for _, f := range []field[*int64]{{"runAsUser", sc.RunAsUser}, {"runAsGroup", sc.RunAsGroup}} {
		if err := checkID(at+"."+f.name, f.v); err != nil {
			return err
		}
	}
	if err := checkProfiles(at, sc.SeccompProfile, sc.AppArmorProfile); err != nil {
		return err
	}
	if err := optionalOneOf(at+".procMount", sc.ProcMount, "Default", "Unmasked"); err != nil {
		return err
	}
	if c := sc.Capabilities; c != nil {
		for _, f := range []field[[]corev1.Capability]{{"add", c.Add}, {"drop", c.Drop}} {
			for i, name := range f.v {
				if !capability.MatchString(string(name)) {
					return fmt.Errorf("%s.capabilities.%s[%d] %q: want a capability name such as ALL or NET_BIND_SERVICE", at, f.name, i, name)
				}
			}
		}
	}
	return nil
}

// capability is a Linux capability as Kubernetes takes it: ALL, or a name
// with or without its CAP_ prefix.
var capability = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// checkID: Kubernetes takes user and group IDs in [0, 2^31).
func checkID(field string, v *int64) error {
	if v != nil && (*v < 0 || *v > 1<<31-1) {
		return fmt.Errorf("%s %d: want a user or group ID from 0 to 2147483647", field, *v)
	}
	return nil
}

// checkProfiles checks a securityContext's seccomp and AppArmor profiles,
// which Kubernetes takes alike: a type, and a profile file for Localhost only.
func checkProfiles(at string, seccomp *corev1.SeccompProfile, appArmor *corev1.AppArmorProfile) error {
	if p := seccomp; p != nil {
		if err := checkProfile(at+".seccompProfile", string(p.Type), p.LocalhostProfile); err != nil {
			return err
		}
	}
	if p := appArmor; p != nil {
		return checkProfile(at+".appArmorProfile", string(p.Type), p.LocalhostProfile)
	}
	return nil
}

func checkProfile(at, typ string, localhost *string) error {
	if err := oneOf(at+".type", typ, "RuntimeDefault", "Localhost", "Unconfined"); err != nil {
		return err
	}
	switch {
	case typ == "Localhost" && (localhost == nil || *localhost == ""):
		return fmt.Errorf("%s.localhostProfile: required when type is Localhost: name the profile file", at)
	case typ != "Localhost" && localhost != nil:
		return fmt.Errorf("%s.localhostProfile: only allowed when type is Localhost", at)
	}
	return nil
}

// optionalOneOf is oneOf for an enum field the policy may leave out.
func optionalOneOf[T ~string](field string, got *T, want ...string) error {
	if got == nil {
		return nil
	}
	return oneOf(field, string(*got), want...)
}

func oneOf(field, got string, want ...string) error {
	for _, w := range want {
		if got == w {
			return nil
		}
	}
	last := len(want) - 1
	return fmt.Errorf("%s %q: want %s or %s", field, got, strings.Join(want[:last], ", "), want[last])
}

// checkProbe holds a probe to what the API server accepts: ports in range,
// an absolute path, a known scheme, a command, and sane timings.
func checkProbe(at string, p *corev1.Probe) error {
	switch h := p.ProbeHandler; {
	case h.HTTPGet != nil:
		if err := checkPort(at+".httpGet.port", h.HTTPGet.Port); err != nil {
			return err
		}
		if h.HTTPGet.Path != "" && !strings.HasPrefix(h.HTTPGet.Path, "/") {
			return fmt.Errorf("%s.httpGet.path %q: want an absolute path such as /healthz", at, h.HTTPGet.Path)
		}
		if s := h.HTTPGet.Scheme; s != "" {
			if err := oneOf(at+".httpGet.scheme", string(s), "HTTP", "HTTPS"); err != nil {
				return err
			}
		}
	case h.TCPSocket != nil:
		if err := checkPort(at+".tcpSocket.port", h.TCPSocket.Port); err != nil {
			return err
		}
	case h.GRPC != nil:
		if h.GRPC.Port < 1 || h.GRPC.Port > 65535 {
			return fmt.Errorf("%s.grpc.port %d: want a port from 1 to 65535", at, h.GRPC.Port)
		}
	case h.Exec != nil:
		if len(h.Exec.Command) == 0 {
			return fmt.Errorf("%s.exec.command: empty: give the command to run", at)
		}
	}
	for _, f := range []field[int32]{{"initialDelaySeconds", p.InitialDelaySeconds}, {"timeoutSeconds", p.TimeoutSeconds},
		{"periodSeconds", p.PeriodSeconds}, {"successThreshold", p.SuccessThreshold}, {"failureThreshold", p.FailureThreshold}} {
		if f.v < 0 {
			return fmt.Errorf("%s.%s %d: want 0 or more (0 or left out means the Kubernetes default)", at, f.name, f.v)
		}
	}
	if g := p.TerminationGracePeriodSeconds; g != nil && *g < 1 {
		return fmt.Errorf("%s.terminationGracePeriodSeconds %d: want 1 or more", at, *g)
	}
	return nil
}

// portName is an IANA service name, which a container port may be named.
var portName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

func checkPort(field string, p intstr.IntOrString) error {
	if p.Type == intstr.String {
		if len(p.StrVal) > 15 || !portName.MatchString(p.StrVal) || !strings.ContainsAny(p.StrVal, "abcdefghijklmnopqrstuvwxyz") || strings.Contains(p.StrVal, "--") {
			return fmt.Errorf("%s %q: want a port from 1 to 65535 or a container port's name (lowercase, at most 15 characters)", field, p.StrVal)
		}
		return nil
	}
	if p.IntVal < 1 || p.IntVal > 65535 {
		return fmt.Errorf("%s %d: want a port from 1 to 65535 or a container port's name", field, p.IntVal)
	}
	return nil
}

// dnsSubdomain is what a Secret's name must be.
var dnsSubdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
