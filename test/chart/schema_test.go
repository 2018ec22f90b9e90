package chart_test

import (
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/chart"
)

// badValues are values the schema must refuse, with the path Helm's error
// names. Each also runs through the real helm binaries in helm_test.go.
var badValues = []struct {
	name, set, path string
}{
	{"negative replicas", "backend.replicaCount=-1", "/backend/replicaCount"},
	{"negative frontend replicas", "frontend.replicaCount=-2", "/frontend/replicaCount"},
	{"unknown service type", "frontend.service.type=Ingress", "/frontend/service/type"},
	{"probe path without slash", "backend.probes.readiness.path=health/ready", "/backend/probes/readiness/path"},
	{"empty image repository", "backend.image.repository=", "/backend/image/repository"},
	{"missing image repository", "frontend.image.repository=null", "/frontend/image"},
	{"latest tag", "backend.image.tag=latest", "/backend/image/tag"},
	{"unknown pull policy", "backend.image.pullPolicy=Sometimes", "/backend/image/pullPolicy"},
	{"unknown top-level value", "replicaCount=2", "additional properties 'replicaCount'"},
	{"misspelt nested value", "backend.probes.liveness.timeout=3", "/backend/probes/liveness"},
	{"migration weight not above the Secret's", "migration.hookWeight=-10", "/migration/hookWeight"},
	{"port out of range", "backend.service.port=70000", "/backend/service/port"},
}

func TestSchemaRefusesBadValues(t *testing.T) {
	for _, tc := range badValues {
		t.Run(tc.name, func(t *testing.T) {
			_, err := chart.Render(chart.Options{ChartDir: chartDir, Set: []string{tc.set}})
			if err == nil {
				t.Fatalf("--set %s rendered; want a schema error", tc.set)
			}
			msg := err.Error()
			if !strings.Contains(msg, "values don't meet the specifications of the schema") || !strings.Contains(msg, tc.path) {
				t.Errorf("--set %s: error does not name %s as a schema error:\n%v", tc.set, tc.path, msg)
			}
		})
	}
}

func TestSchemaAcceptsGoodValues(t *testing.T) {
	for _, set := range [][]string{
		{"backend.replicaCount=0"},
		{"frontend.service.type=NodePort", "backend.service.type=LoadBalancer"},
		{"backend.image.repository=localhost:5000/todo/backend", "backend.image.tag=0123abcd"},
		{"backend.podDisruptionBudget.minAvailable=50%", "backend.replicaCount=2"},
		{"backend.resources.limits.cpu=1", "backend.resources.limits.memory=1Gi"},
		{"global.namespace=other", "namespace.create=true"},
		{"backend.extraEnv[0].name=FOO", "backend.extraEnv[0].value=bar"},
	} {
		if _, err := chart.Render(chart.Options{ChartDir: chartDir, Set: set}); err != nil {
			t.Errorf("--set %v: %v", set, err)
		}
	}
}
