package psa

import (
	"strings"
	"testing"
)

const hardened = `
    securityContext:
      runAsNonRoot: true
      seccompProfile: {type: RuntimeDefault}
    containers:
    - name: app
      image: app:1
      securityContext:
        allowPrivilegeEscalation: false
        capabilities: {drop: [ALL]}
`

func TestCheckStream(t *testing.T) {
	tests := map[string]struct {
		in          string
		wantResults int
		wantFail    string // substring of the failures, "" for none
	}{
		"non-workloads are skipped":   {in: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\n", wantResults: 0},
		"hardened deployment passes":  {in: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:" + hardened, wantResults: 1},
		"bare pod fails":              {in: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: x}\n", wantResults: 1, wantFail: "Pod/p: allowPrivilegeEscalation != false"},
		"cronjob template is checked": {in: "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: cj}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - {name: c, image: x}\n", wantResults: 1, wantFail: "CronJob/cj"},
		"root user fails":             {in: "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      securityContext: {runAsUser: 0}\n      containers: [{name: c, image: x}]\n", wantResults: 1, wantFail: "runAsUser=0"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res, err := CheckStream([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != tc.wantResults {
				t.Fatalf("%d results, want %d", len(res), tc.wantResults)
			}
			fails := strings.Join(Failures(res), "\n")
			if tc.wantFail == "" && fails != "" {
				t.Errorf("unexpected failures:\n%s", fails)
			}
			if tc.wantFail != "" && !strings.Contains(fails, tc.wantFail) {
				t.Errorf("failures %q do not mention %q", fails, tc.wantFail)
			}
		})
	}
}

func TestMalformedDocumentNamesIndex(t *testing.T) {
	_, err := CheckStream([]byte("kind: ConfigMap\n---\nkind: [\n"))
	if err == nil || !strings.Contains(err.Error(), "document 1") {
		t.Fatalf("got %v", err)
	}
}
