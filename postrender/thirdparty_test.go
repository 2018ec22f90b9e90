package postrender

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/postrender/policy"
)

// Two well-known charts the name-only rule refused, as Helm 3
// renders their ConfigMaps with default values (testdata/charts): keycloak's
// *_FILE path and harbor's in-cluster token URL are not secrets. They pass
// through untouched, with a notice naming each key, under the embedded
// policy and under a strict one alike.
func TestThirdPartyChartsPostRenderWithNotices(t *testing.T) {
	strict := policy.Default()
	strict.SecretRefs.Mode = policy.ModeStrict
	for file, want := range map[string]string{
		"keycloak.yaml": "notice: ConfigMap/default/keycloak-env-vars: data key KC_BOOTSTRAP_ADMIN_PASSWORD_FILE kept: its name looks secret but its value is a file path\n",
		"harbor.yaml":   "notice: ConfigMap/default/harbor-core: data key TOKEN_SERVICE_URL kept: its name looks secret but its value is a URL without a password\n",
	} {
		in, err := os.ReadFile("testdata/charts/" + file)
		if err != nil {
			t.Fatal(err)
		}
		for mode, p := range map[string]*policy.Policy{"embedded": policy.Default(), "strict": strict} {
			t.Run(file+"/"+mode, func(t *testing.T) {
				var out, notices bytes.Buffer
				if err := Run(bytes.NewReader(in), &out, p, &notices); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(out.Bytes(), in) {
					t.Errorf("the ConfigMap changed:\n%s", out.String())
				}
				if notices.String() != want {
					t.Errorf("notices:\n%s\nwant:\n%s", notices.String(), want)
				}
			})
		}
	}
}

// Under the embedded policy a secret in another chart's ConfigMap is a
// notice naming the document and key; in the todo chart's it is an error,
// and mode: strict makes it one everywhere.
func TestConfigMapSecretModes(t *testing.T) {
	cm := func(labels string) string {
		return "# Source: c/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  labels: {" + labels + "}\ndata:\n  SMTP_PASSWORD: Sup3r-S3cret-99\n"
	}
	strict := policy.Default()
	strict.SecretRefs.Mode = policy.ModeStrict
	notice := policy.Default()
	notice.SecretRefs.StrictFor = nil
	tests := map[string]struct {
		in      string
		p       *policy.Policy
		wantErr string
		notice  string
	}{
		"another chart, embedded policy": {in: cm("app.kubernetes.io/name: mailer"), p: policy.Default(),
			notice: "notice: ConfigMap/cfg: data key SMTP_PASSWORD looks secret (its value has a credential's shape): move it to a Secret"},
		"the todo chart, embedded policy": {in: cm("app.kubernetes.io/name: todo-app"), p: policy.Default(),
			wantErr: "document 1 (ConfigMap/cfg) from c/templates/cm.yaml: data key SMTP_PASSWORD looks secret (its value has a credential's shape): move it to a Secret, or add it to secretRefs.allow in the policy if it is public"},
		"another chart, mode: strict": {in: cm("app.kubernetes.io/name: mailer"), p: strict,
			wantErr: "data key SMTP_PASSWORD looks secret"},
		"the todo chart, strictFor removed": {in: cm("app.kubernetes.io/name: todo-app"), p: notice,
			notice: "data key SMTP_PASSWORD looks secret"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var out, notices bytes.Buffer
			err := Run(strings.NewReader(tc.in), &out, tc.p, &notices)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if out.Len() != 0 {
					t.Errorf("wrote output on error")
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(notices.String(), tc.notice) {
				t.Errorf("notices %q, want %q", notices.String(), tc.notice)
			}
			if strings.Contains(notices.String(), "Sup3r") || (err != nil && strings.Contains(err.Error(), "Sup3r")) {
				t.Errorf("a message shows the value")
			}
		})
	}
}
