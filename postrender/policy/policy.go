// Package policy is what the post-renderer injects: security contexts,
// writable paths, probes by pod labels, and which env names count as secret.
//
// A policy is a YAML file parsed strictly (an unknown field is an error that
// names it) and complete (a section left out injects nothing). Default is the
// embedded policy for the todo chart.
package policy

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	kjson "sigs.k8s.io/json"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
	"sigs.k8s.io/yaml"
)

// APIVersion and Kind identify a policy file.
const (
	APIVersion = "helm-todo.io/v1"
	Kind       = "PostRenderPolicy"
)

//go:embed default.yaml
var defaultYAML []byte

// DefaultYAML is the embedded default policy's source, for documentation.
func DefaultYAML() []byte { return append([]byte(nil), defaultYAML...) }

// Policy is a parsed, validated policy. Build it with Parse, Load or Default.
type Policy struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	// Override makes the policy's values replace the chart's instead of
	// filling only what the chart left out.
	Override                 bool                       `json:"override,omitempty"`
	PodSecurityContext       *corev1.PodSecurityContext `json:"podSecurityContext,omitempty"`
	ContainerSecurityContext *corev1.SecurityContext    `json:"containerSecurityContext,omitempty"`
	WritablePaths            []WritablePath             `json:"writablePaths,omitempty"`
	Probes                   []ProbeRule                `json:"probes,omitempty"`
	SecretRefs               SecretRefs                 `json:"secretRefs,omitempty"`

	podSC, containerSC *kyaml.RNode
}

// Selector picks pods by labels (of the pod template, falling back to the
// workload's) and, optionally, containers by name.
type Selector struct {
	MatchLabels map[string]string `json:"matchLabels,omitempty"`
	Containers  []string          `json:"containers,omitempty"`
}

// WritablePath is an emptyDir mounted at Path in the selected containers
// whenever the pass makes their root filesystem read-only.
type WritablePath struct {
	Path     string   `json:"path"`
	Selector Selector `json:"selector,omitempty"`
}

// ProbeRule gives the selected containers probes; a nil probe is not injected.
type ProbeRule struct {
	Selector  Selector      `json:"selector"`
	Liveness  *corev1.Probe `json:"liveness,omitempty"`
	Readiness *corev1.Probe `json:"readiness,omitempty"`
	Startup   *corev1.Probe `json:"startup,omitempty"`

	nodes map[string]*kyaml.RNode // container field name -> probe
}

// SecretRefs says which literal env values move into the generated Secret
// and what a secret in a ConfigMap gets (see Judge for the rule).
type SecretRefs struct {
	Enabled    bool     `json:"enabled,omitempty"`
	SecretName string   `json:"secretName,omitempty"`
	Patterns   []string `json:"patterns,omitempty"`
	Allow      []string `json:"allow,omitempty"`
	// Always lists names whose values are secrets whatever they hold.
	Always []string `json:"always,omitempty"`
	// Placeholders are values that stand for "set me", never secrets.
	Placeholders []string `json:"placeholders,omitempty"`
	// Mode is what a secret in a ConfigMap gets: "notice" (the default) or
	// "strict", an error. StrictFor makes it strict for the selected pods'
	// charts only (by the ConfigMap's labels).
	Mode      string     `json:"mode,omitempty"`
	StrictFor []Selector `json:"strictFor,omitempty"`
}

// Secret modes.
const (
	ModeNotice = "notice"
	ModeStrict = "strict"
)

// StrictFor says whether a secret in a ConfigMap with these labels is an
// error (strict) rather than a notice.
func (p *Policy) StrictFor(labels map[string]string) bool {
	if p.SecretRefs.Mode == ModeStrict {
		return true
	}
	for _, s := range p.SecretRefs.StrictFor {
		if s.Matches(labels, "") {
			return true
		}
	}
	return false
}

// Default returns the embedded policy for the todo chart.
func Default() *Policy {
	p, err := Parse(defaultYAML)
	if err != nil {
		// The embedded file is tested; a failure here is a build defect.
		panic("embedded default policy: " + err.Error())
	}
	return p
}

// Load reads and parses a policy file.
func Load(file string) (*Policy, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read policy: %w", err)
	}
	p, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", file, err)
	}
	return p, nil
}

// Parse parses and validates a policy document strictly.
func Parse(b []byte) (*Policy, error) {
	var p Policy
	j, err := yaml.YAMLToJSONStrict(b)
	if err != nil {
		return nil, err
	}
	// sigs.k8s.io/json names an unknown field by its full path, as the
	// API server does (`unknown field "podSecurityContext.runAsUsr"`).
	strict, err := kjson.UnmarshalStrict(j, &p)
	if err != nil {
		return nil, cleanDecodeError(err)
	}
	if len(strict) > 0 {
		return nil, strict[0]
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	if err := p.compile(); err != nil {
		return nil, err
	}
	return &p, nil
}

// cleanDecodeError drops the JSON plumbing sigs.k8s.io/yaml wraps around
// the message, so that what remains names the field.
func cleanDecodeError(err error) error {
	msg := err.Error()
	for _, prefix := range []string{"error unmarshaling JSON: ", "while decoding JSON: ", "json: "} {
		msg = strings.TrimPrefix(msg, prefix)
	}
	if m := typeError.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s: got a %s, want %s", m[2], m[1], m[3])
	}
	return errors.New(msg)
}

// typeError is encoding/json's wording for a value of the wrong type.
var typeError = regexp.MustCompile(`cannot unmarshal (\w+) into Go struct field \w+\.(\S+) of type (\S+)`)

func (p *Policy) validate() error {
	if p.APIVersion != APIVersion {
		return fmt.Errorf("apiVersion is %q: want %q", p.APIVersion, APIVersion)
	}
	if p.Kind != Kind {
		return fmt.Errorf("kind is %q: want %q", p.Kind, Kind)
	}
	if err := checkPodSecurityContext(p.PodSecurityContext); err != nil {
		return err
	}
	if err := checkContainerSecurityContext(p.ContainerSecurityContext); err != nil {
		return err
	}
	for i, w := range p.WritablePaths {
		if !path.IsAbs(w.Path) || path.Clean(w.Path) != w.Path {
			return fmt.Errorf("writablePaths[%d].path %q: want a clean absolute path", i, w.Path)
		}
	}
	for i, r := range p.Probes {
		if r.Liveness == nil && r.Readiness == nil && r.Startup == nil {
			return fmt.Errorf("probes[%d]: want at least one of liveness, readiness, startup", i)
		}
		for name, pr := range map[string]*corev1.Probe{"liveness": r.Liveness, "readiness": r.Readiness, "startup": r.Startup} {
			if pr == nil {
				continue
			}
			if n := handlers(pr); n != 1 {
				return fmt.Errorf("probes[%d].%s: want exactly one of httpGet, tcpSocket, exec, grpc, found %d", i, name, n)
			}
		}
		// In a fixed order, so that the first error is always the same.
		for _, name := range []string{"liveness", "readiness", "startup"} {
			pr := map[string]*corev1.Probe{"liveness": r.Liveness, "readiness": r.Readiness, "startup": r.Startup}[name]
			if pr == nil {
				continue
			}
			if err := checkProbe(fmt.Sprintf("probes[%d].%s", i, name), pr); err != nil {
				return err
			}
			if name != "readiness" && pr.SuccessThreshold > 1 {
				return fmt.Errorf("probes[%d].%s.successThreshold %d: must be 1 for a %s probe (Kubernetes refuses more)", i, name, pr.SuccessThreshold, name)
			}
		}
	}
	if n := p.SecretRefs.SecretName; n != "" && (len(n) > 242 || !dnsSubdomain.MatchString(n)) {
		return fmt.Errorf("secretRefs.secretName %q: want a lowercase DNS name (a-z, 0-9, - and .) of at most 242 characters", n)
	}
	if m := p.SecretRefs.Mode; m != "" {
		if err := oneOf("secretRefs.mode", m, ModeNotice, ModeStrict); err != nil {
			return err
		}
	}
	for i, s := range p.SecretRefs.StrictFor {
		if len(s.MatchLabels) == 0 || len(s.Containers) > 0 {
			return fmt.Errorf("secretRefs.strictFor[%d]: want matchLabels (and no containers): it selects ConfigMaps by their labels", i)
		}
	}
	for field, globs := range map[string][]string{"patterns": p.SecretRefs.Patterns, "allow": p.SecretRefs.Allow, "always": p.SecretRefs.Always} {
		for i, g := range globs {
			if _, err := path.Match(strings.ToUpper(g), ""); err != nil || g == "" {
				return fmt.Errorf("secretRefs.%s[%d] %q: not a glob (use * and ?)", field, i, g)
			}
		}
	}
	if p.SecretRefs.Enabled && len(p.SecretRefs.Patterns) == 0 {
		return errors.New("secretRefs.patterns: empty while secretRefs.enabled is true: list the env names that count as secret")
	}
	return nil
}

func handlers(p *corev1.Probe) int {
	n := 0
	for _, set := range []bool{p.HTTPGet != nil, p.TCPSocket != nil, p.Exec != nil, p.GRPC != nil} {
		if set {
			n++
		}
	}
	return n
}

// compile turns the typed sections into the YAML nodes the filters merge.
func (p *Policy) compile() error {
	var err error
	if p.podSC, err = toNode(p.PodSecurityContext); err != nil {
		return fmt.Errorf("podSecurityContext: %w", err)
	}
	if p.containerSC, err = toNode(p.ContainerSecurityContext); err != nil {
		return fmt.Errorf("containerSecurityContext: %w", err)
	}
	for i := range p.Probes {
		r := &p.Probes[i]
		r.nodes = map[string]*kyaml.RNode{}
		for field, pr := range map[string]*corev1.Probe{"livenessProbe": r.Liveness, "readinessProbe": r.Readiness, "startupProbe": r.Startup} {
			if pr == nil {
				continue
			}
			if r.nodes[field], err = toNode(pr); err != nil {
				return fmt.Errorf("probes[%d]: %w", i, err)
			}
		}
	}
	return nil
}

// toNode is nil for a nil or empty value: nothing to inject.
func toNode(v any) (*kyaml.RNode, error) {
	b, err := yaml.Marshal(v)
	if err != nil {
		return nil, err
	}
	n, err := kyaml.Parse(string(b))
	if err != nil {
		return nil, err
	}
	if n.YNode().Kind != kyaml.MappingNode || len(n.Content()) == 0 {
		return nil, nil
	}
	return n, nil
}

// PodSecurityContextNode is the pod securityContext to fill in, or nil. Callers
// must not modify it.
func (p *Policy) PodSecurityContextNode() *kyaml.RNode { return p.podSC }

// ContainerSecurityContextNode is the container securityContext to fill in,
// or nil. Callers must not modify it.
func (p *Policy) ContainerSecurityContextNode() *kyaml.RNode { return p.containerSC }

// ProbesFor returns, per container field (livenessProbe, readinessProbe,
// startupProbe), the probe of the first rule that selects the container.
// Callers must not modify the nodes.
func (p *Policy) ProbesFor(labels map[string]string, container string) map[string]*kyaml.RNode {
	var out map[string]*kyaml.RNode
	for _, r := range p.Probes {
		if !r.Selector.Matches(labels, container) {
			continue
		}
		for field, n := range r.nodes {
			if out == nil {
				out = map[string]*kyaml.RNode{}
			}
			if _, taken := out[field]; !taken {
				out[field] = n
			}
		}
	}
	return out
}

// WritablePathsFor lists the writable paths of the selected container.
func (p *Policy) WritablePathsFor(labels map[string]string, container string) []string {
	var out []string
	for _, w := range p.WritablePaths {
		if w.Selector.Matches(labels, container) {
			out = append(out, w.Path)
		}
	}
	return out
}

// Matches reports whether the pod labels hold every matchLabel and the
// container is listed (or no container is).
func (s Selector) Matches(labels map[string]string, container string) bool {
	for k, v := range s.MatchLabels {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	if len(s.Containers) == 0 {
		return true
	}
	for _, c := range s.Containers {
		if c == container {
			return true
		}
	}
	return false
}

func matchAny(globs []string, upper string) bool {
	for _, g := range globs {
		if ok, _ := path.Match(strings.ToUpper(g), upper); ok {
			return true
		}
	}
	return false
}
