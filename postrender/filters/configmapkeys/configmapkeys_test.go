package configmapkeys

import (
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func TestFilter(t *testing.T) {
	looksSecret := func(name string) bool { return strings.HasSuffix(strings.ToUpper(name), "_KEY") }
	tests := map[string]struct {
		input   string
		wantErr string
	}{
		"ordinary keys pass": {input: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {LOG_LEVEL: INFO, LOG_FORMAT: json}\n"},
		"a secret-looking data key is refused": {
			input:   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {LOG_LEVEL: INFO, OPENROUTER_API_KEY: sk-live-123}\n",
			wantErr: "data key OPENROUTER_API_KEY looks secret: move it to a Secret, or add it to secretRefs.allow in the policy if it is public",
		},
		"binaryData is checked too": {
			input:   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nbinaryData: {tls_key: AAAA}\n",
			wantErr: "binaryData key tls_key looks secret",
		},
		"a Secret may hold anything":             {input: "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {API_KEY: x}\n"},
		"a custom ConfigMap kind is not checked": {input: "apiVersion: example.com/v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {API_KEY: x}\n"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res := yaml.MustParse(tc.input)
			_, err := Filter{LooksSecret: looksSecret}.Filter([]*yaml.RNode{res})
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
			case err != nil && (strings.Contains(err.Error(), "sk-live") || strings.Contains(err.Error(), "AAAA")):
				t.Fatalf("error %q shows a value", err)
			}
			if got := res.MustString(); strings.TrimSpace(got) != strings.TrimSpace(tc.input) {
				t.Errorf("the filter changed the resource:\n%s", got)
			}
		})
	}
}
