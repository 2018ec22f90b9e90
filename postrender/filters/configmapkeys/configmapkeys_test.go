package configmapkeys

import (
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/helm-todo/helm-todo/postrender/filters/report"
	"github.com/helm-todo/helm-todo/postrender/policy"
)

func TestFilter(t *testing.T) {
	looksSecret := func(name string) bool { return strings.HasSuffix(strings.ToUpper(name), "_KEY") }
	// A stand-in for policy.Judge (tested there): paths are not secrets.
	judge := func(name, value string) policy.Verdict {
		if strings.HasPrefix(value, "/") {
			return policy.Verdict{Secret: false, Reason: "its value is a file path"}
		}
		return policy.Verdict{Secret: looksSecret(name), Reason: "its value has a credential's shape"}
	}
	strictFor := func(labels map[string]string) bool { return labels["tier"] == "strict" }
	tests := map[string]struct {
		input, wantErr, wantNotice string
	}{
		"ordinary keys pass": {input: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {LOG_LEVEL: INFO, LOG_FORMAT: json}\n"},
		"a secret is refused where strict": {
			input:   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: {tier: strict}}\ndata: {LOG_LEVEL: INFO, OPENROUTER_API_KEY: sk-live-123}\n",
			wantErr: "data key OPENROUTER_API_KEY looks secret (its value has a credential's shape): move it to a Secret, or add it to secretRefs.allow in the policy if it is public",
		},
		"a secret gets a notice elsewhere": {
			input:      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: ns}\ndata: {OPENROUTER_API_KEY: sk-live-123}\n",
			wantNotice: "ConfigMap/ns/c: data key OPENROUTER_API_KEY looks secret (its value has a credential's shape): move it to a Secret",
		},
		"a path under a secret name is kept, even where strict": {
			input:      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: {tier: strict}}\ndata: {TLS_KEY: /etc/tls/tls.key}\n",
			wantNotice: "ConfigMap/c: data key TLS_KEY kept: its name looks secret but its value is a file path",
		},
		"binaryData is checked too": {
			input:   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: {tier: strict}}\nbinaryData: {tls_key: AAAA}\n",
			wantErr: "binaryData key tls_key looks secret",
		},
		"a Secret may hold anything":             {input: "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {API_KEY: x}\n"},
		"a custom ConfigMap kind is not checked": {input: "apiVersion: example.com/v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {API_KEY: x}\n"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res := yaml.MustParse(tc.input)
			rep := &report.Report{}
			_, err := Filter{Judge: judge, Strict: strictFor, LooksSecret: looksSecret, Report: rep}.Filter([]*yaml.RNode{res})
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
			case err != nil && (strings.Contains(err.Error(), "sk-live") || strings.Contains(err.Error(), "AAAA")):
				t.Fatalf("error %q shows a value", err)
			}
			notices := strings.Join(rep.Notices, "\n")
			if tc.wantNotice != "" && !strings.Contains(notices, tc.wantNotice) || tc.wantNotice == "" && tc.wantErr == "" && notices != "" {
				t.Errorf("notices %q, want %q", notices, tc.wantNotice)
			}
			if strings.Contains(notices, "sk-live") || strings.Contains(notices, "/etc/tls") {
				t.Errorf("a notice shows a value: %s", notices)
			}
			if rep.Changed {
				t.Errorf("the filter reported a change")
			}
			if got := res.MustString(); strings.TrimSpace(got) != strings.TrimSpace(tc.input) {
				t.Errorf("the filter changed the resource:\n%s", got)
			}
		})
	}
}
