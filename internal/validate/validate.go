// Package validate checks names a user gives (release, namespace) before
// helm-todo touches the cluster, so that a bad name fails with a fix
// instead of half-way through, after the namespace exists.
package validate

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

// MaxRelease is Helm's limit on a release name: longer ones make label
// values and derived names overflow 63 characters.
const MaxRelease = 53

// Release checks a release name. Helm accepts DNS-1123 subdomains up to 53
// characters; the chart names its Services after the release
// (<release>-frontend), and a Service name must be a DNS-1035 label, so a
// dot or a leading digit would fail at deploy time. Both rules apply here.
func Release(name string) error {
	var problems []string
	if len(name) > MaxRelease {
		problems = append(problems, fmt.Sprintf("longer than %d characters", MaxRelease))
	}
	problems = append(problems, validation.IsDNS1035Label(name)...)
	if len(problems) == 0 {
		return nil
	}
	return clierr.Usage(fmt.Sprintf("release name %q is invalid: %s", name, oneLine(problems)),
		"use lowercase letters, digits and '-', starting with a letter, at most 53 characters, e.g. --release todo-dev", nil)
}

// Namespace checks a namespace name (a DNS-1123 label).
func Namespace(name string) error {
	problems := validation.IsDNS1123Label(name)
	if len(problems) == 0 {
		return nil
	}
	return clierr.Usage(fmt.Sprintf("namespace %q is invalid: %s", name, oneLine(problems)),
		"use lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters, e.g. -n todo-dev", nil)
}

// Names checks a release and its namespace, the release first.
func Names(release, namespace string) error {
	if err := Release(release); err != nil {
		return err
	}
	return Namespace(namespace)
}

// oneLine keeps only the first of apimachinery's messages per rule, without
// the long regex it quotes.
func oneLine(problems []string) string {
	out := make([]string, 0, len(problems))
	for _, p := range problems {
		if i := strings.Index(p, " (e.g."); i >= 0 {
			p = p[:i]
		}
		if i := strings.Index(p, " (regex used"); i >= 0 {
			p = p[:i]
		}
		out = append(out, p)
	}
	return strings.Join(out, "; ")
}
