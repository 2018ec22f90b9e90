package chart_test

import (
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/testsupport/psa"
)

// TestPodSecurityRestricted evaluates every pod spec, hooks included (Helm 3
// never post-renders them), against restricted:latest with the upstream
// k8s.io/pod-security-admission library.
func TestPodSecurityRestricted(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
		set   []string
		pods  int // pod specs expected, so that a vanished workload fails
	}{
		{"defaults", nil, nil, 3},
		{"values-dev", []string{devValues}, nil, 4},
		// helm todo dev's live update: an init container, an emptyDir for
		// the code, the sync program from a ConfigMap; still restricted.
		{"values-dev, live update", []string{devValues}, []string{"backend.liveUpdate.enabled=true"}, 4},
		{"in-cluster database", nil, []string{"database.external=false"}, 4},
		{"existingSecret, scaled", nil, []string{"secrets.existingSecret=s", "backend.replicaCount=3", "frontend.replicaCount=2"}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := render(t, tc.files, tc.set...)
			res, err := psa.CheckStream([]byte(r.Stream()))
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != tc.pods {
				t.Errorf("evaluated %d pod specs, want %d", len(res), tc.pods)
			}
			if f := psa.Failures(res); len(f) > 0 {
				t.Errorf("restricted:latest refuses:\n  %s", strings.Join(f, "\n  "))
			}
		})
	}
}

// TestPodSecurityCheckBites loosens one field per component and expects the
// evaluator to refuse it, so a pass above is not vacuous.
func TestPodSecurityCheckBites(t *testing.T) {
	for _, tc := range []struct {
		set  string
		want string // "Kind/name" expected among the failures
	}{
		{"backend.podSecurityContext.runAsNonRoot=false", "Deployment/todo-backend"},
		{"backend.securityContext.allowPrivilegeEscalation=true", "Job/todo-migrate"},
		{"frontend.podSecurityContext.seccompProfile.type=Unconfined", "Deployment/todo-frontend"},
		{"database.securityContext.capabilities.drop=null", "StatefulSet/todo-postgres"},
	} {
		t.Run(tc.set, func(t *testing.T) {
			r := render(t, nil, "database.external=false", tc.set)
			res, err := psa.CheckStream([]byte(r.Stream()))
			if err != nil {
				t.Fatal(err)
			}
			f := strings.Join(psa.Failures(res), "\n")
			if !strings.Contains(f, tc.want+":") {
				t.Errorf("want %s refused, failures:\n%s", tc.want, f)
			}
		})
	}
}
