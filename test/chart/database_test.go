package chart_test

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// TestInClusterDatabase: database.external=false deploys PostgreSQL and
// composes DATABASE_URL for the backend and the Job.
func TestInClusterDatabase(t *testing.T) {
	r := render(t, nil, "database.external=false")
	ss, _ := get[appsv1.StatefulSet](t, r, "StatefulSet", "todo-postgres")
	if len(ss.Spec.VolumeClaimTemplates) != 1 {
		t.Fatalf("claim templates = %d, want 1", len(ss.Spec.VolumeClaimTemplates))
	}
	pvc := ss.Spec.VolumeClaimTemplates[0]
	if q := pvc.Spec.Resources.Requests[corev1.ResourceStorage]; q.Cmp(resource.MustParse("1Gi")) != 0 {
		t.Errorf("data volume = %s, want 1Gi", q.String())
	}
	pg := container(t, ss.Spec.Template.Spec, "postgres")
	if pg.Image != "postgres:16" {
		t.Errorf("database image = %s, want postgres:16", pg.Image)
	}
	if sc := ss.Spec.Template.Spec.SecurityContext; sc == nil || sc.RunAsUser == nil || *sc.RunAsUser == 0 {
		t.Error("PostgreSQL runs as root")
	}
	svc := service(t, r, "todo-postgres")
	if svc.Spec.Type != corev1.ServiceTypeClusterIP || svc.Spec.Ports[0].Port != 5432 || !subset(svc.Spec.Selector, ss.Spec.Template.Labels) {
		t.Errorf("Service todo-postgres = %s %d selector %v; want ClusterIP 5432 selecting the StatefulSet", svc.Spec.Type, svc.Spec.Ports[0].Port, svc.Spec.Selector)
	}
	// The governing Service is headless (kube-score); clients use the ClusterIP one.
	if ss.Spec.ServiceName != "todo-postgres-headless" {
		t.Errorf("serviceName = %q, want todo-postgres-headless", ss.Spec.ServiceName)
	}
	if hl := service(t, r, "todo-postgres-headless"); hl.Spec.ClusterIP != corev1.ClusterIPNone || !subset(hl.Spec.Selector, ss.Spec.Template.Labels) {
		t.Errorf("Service todo-postgres-headless: clusterIP %q selector %v; want None, selecting the StatefulSet", hl.Spec.ClusterIP, hl.Spec.Selector)
	}
	if pg.LivenessProbe == nil || pg.LivenessProbe.TCPSocket == nil || pg.ReadinessProbe == nil || pg.ReadinessProbe.Exec == nil {
		t.Errorf("PostgreSQL probes: liveness %+v, readiness %+v; want a TCP liveness and a pg_isready readiness", pg.LivenessProbe, pg.ReadinessProbe)
	}

	j, _ := job(t, r, "todo-migrate")
	for what, c := range map[string]corev1.Container{
		"backend":   deployment(t, r, "todo-backend").Spec.Template.Spec.Containers[0],
		"migration": container(t, j.Spec.Template.Spec, "migrate"),
	} {
		pw, ip := envVar(c, "POSTGRES_PASSWORD")
		url, iu := envVar(c, "DATABASE_URL")
		if ip < 0 || pw.ValueFrom == nil || pw.ValueFrom.SecretKeyRef == nil || pw.ValueFrom.SecretKeyRef.Key != "POSTGRES_PASSWORD" {
			t.Errorf("%s: POSTGRES_PASSWORD = %+v, want a secretKeyRef", what, pw)
		}
		// Kubernetes expands $(VAR) only for variables defined earlier.
		if iu < ip {
			t.Errorf("%s: DATABASE_URL (#%d) comes before POSTGRES_PASSWORD (#%d)", what, iu, ip)
		}
		if want := "postgresql+asyncpg://todo:$(POSTGRES_PASSWORD)@todo-postgres:5432/todo"; url.Value != want {
			t.Errorf("%s: DATABASE_URL = %q, want %q", what, url.Value, want)
		}
	}
	// The Job's wait for the database names a user: the pod's UID has no
	// passwd entry, and without PGUSER libpq makes "no attempt" forever
	// (seen on the real node).
	for _, c := range j.Spec.Template.Spec.InitContainers {
		if u, i := envVar(c, "PGUSER"); i < 0 || u.Value != "todo" {
			t.Errorf("init container %s: PGUSER = %+v, want todo", c.Name, u)
		}
	}
	if len(j.Spec.Template.Spec.InitContainers) == 0 {
		t.Error("the migration Job does not wait for the database")
	}
	// The database and the apps read the same password.
	if a, b := secretRef(pg, "POSTGRES_PASSWORD"), secretRef(deployment(t, r, "todo-backend").Spec.Template.Spec.Containers[0], "POSTGRES_PASSWORD"); a != b || a == "" {
		t.Errorf("database reads its password from %q, the backend from %q", a, b)
	}

	r = render(t, nil)
	if _, ok := r.find("StatefulSet", "todo-postgres"); ok {
		t.Error("an external database (the default) still renders PostgreSQL")
	}
}

func secretRef(c corev1.Container, env string) string {
	e, i := envVar(c, env)
	if i < 0 || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
		return ""
	}
	return e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key
}

// TestPodDisruptionBudgets: only for components with more than one replica.
func TestPodDisruptionBudgets(t *testing.T) {
	if n := len(render(t, nil).ofKind("PodDisruptionBudget")); n != 0 {
		t.Errorf("one replica each, yet %d PodDisruptionBudgets", n)
	}
	r := render(t, nil, "backend.replicaCount=2")
	if got := r.ofKind("PodDisruptionBudget"); len(got) != 1 {
		t.Fatalf("backend.replicaCount=2: %d PodDisruptionBudgets, want 1", len(got))
	}
	p := pdb(t, r, "todo-backend")
	if p.Spec.MinAvailable == nil || p.Spec.MinAvailable.IntValue() != 1 {
		t.Errorf("minAvailable = %v, want 1", p.Spec.MinAvailable)
	}
	if !subset(p.Spec.Selector.MatchLabels, deployment(t, r, "todo-backend").Spec.Template.Labels) ||
		subset(p.Spec.Selector.MatchLabels, deployment(t, r, "todo-frontend").Spec.Template.Labels) {
		t.Errorf("PDB selector %v does not pick exactly the backend pods", p.Spec.Selector.MatchLabels)
	}
	r = render(t, nil, "frontend.replicaCount=3")
	pdb(t, r, "todo-frontend")
	if _, ok := r.find("PodDisruptionBudget", "todo-backend"); ok {
		t.Error("a backend PDB with one backend replica")
	}
}

// TestNotes checks the instructions Helm prints after install name real things.
func TestNotes(t *testing.T) {
	r := render(t, nil)
	for _, want := range []string{"todo-backend.todo-app.svc.cluster.local:7860", "minikube tunnel", "port-forward service/todo-frontend 3000:3000", "no DATABASE_URL"} {
		if !strings.Contains(r.Notes, want) {
			t.Errorf("NOTES.txt lacks %q", want)
		}
	}
	if r = render(t, nil, "secrets.existingSecret=todo-secrets"); strings.Contains(r.Notes, "WARNING") {
		t.Error("NOTES.txt warns about DATABASE_URL although existingSecret is set")
	}
}
