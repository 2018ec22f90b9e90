package chart_test

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
)

type probeWant struct {
	path                     string
	timeout, period, failure int32
}

func checkProbe(t *testing.T, what string, p *corev1.Probe, c corev1.Container, port int32, want probeWant) {
	t.Helper()
	if p == nil || p.HTTPGet == nil {
		t.Fatalf("%s: want an HTTP probe, got %+v", what, p)
	}
	if p.HTTPGet.Path != want.path {
		t.Errorf("%s path = %q, want %q", what, p.HTTPGet.Path, want.path)
	}
	if got := resolvePort(c, p.HTTPGet.Port); got != port {
		t.Errorf("%s port = %v (resolves to %d), want %d", what, p.HTTPGet.Port.String(), got, port)
	}
	if p.TimeoutSeconds != want.timeout || p.PeriodSeconds != want.period || p.FailureThreshold != want.failure {
		t.Errorf("%s timeout/period/failure = %d/%d/%d, want %d/%d/%d", what,
			p.TimeoutSeconds, p.PeriodSeconds, p.FailureThreshold, want.timeout, want.period, want.failure)
	}
}

func resolvePort(c corev1.Container, p intstr.IntOrString) int32 {
	if p.Type == intstr.Int {
		return p.IntVal
	}
	for _, cp := range c.Ports {
		if cp.Name == p.StrVal {
			return cp.ContainerPort
		}
	}
	return -1
}

// TestProbes checks the backend's health probes and the frontend's own probes.
func TestProbes(t *testing.T) {
	r := render(t, nil)
	be := container(t, deployment(t, r, "todo-backend").Spec.Template.Spec, "backend")
	checkProbe(t, "backend liveness", be.LivenessProbe, be, 7860, probeWant{"/health/live", 2, 10, 3})
	checkProbe(t, "backend readiness", be.ReadinessProbe, be, 7860, probeWant{"/health/ready", 5, 5, 3})
	checkProbe(t, "backend startup", be.StartupProbe, be, 7860, probeWant{"/health/live", 2, 5, 6})

	fe := container(t, deployment(t, r, "todo-frontend").Spec.Template.Spec, "frontend")
	// A TCP liveness check, so that it differs from readiness (kube-score).
	if p := fe.LivenessProbe; p == nil || p.TCPSocket == nil || resolvePort(fe, p.TCPSocket.Port) != 3000 ||
		p.TimeoutSeconds != 2 || p.PeriodSeconds != 10 || p.FailureThreshold != 3 {
		t.Errorf("frontend liveness = %+v, want a TCP check on 3000, timeout 2, period 10, failure 3", p)
	}
	checkProbe(t, "frontend readiness", fe.ReadinessProbe, fe, 3000, probeWant{"/", 5, 5, 3})
	checkProbe(t, "frontend startup", fe.StartupProbe, fe, 3000, probeWant{"/", 2, 5, 6})

	// The probes are values, not constants.
	r = render(t, nil, "backend.probes.readiness.path=/ready", "backend.probes.readiness.periodSeconds=7")
	be = container(t, deployment(t, r, "todo-backend").Spec.Template.Spec, "backend")
	checkProbe(t, "backend readiness (overridden)", be.ReadinessProbe, be, 7860, probeWant{"/ready", 5, 7, 3})
}

// TestDevProbes: helm todo dev's values-dev-probes.yaml polls every probe
// of the backend and frontend each second, the API's shortest period, and
// gives up after the same time as the defaults (period x failures), with
// everything else of the probe left as the defaults have it.
func TestDevProbes(t *testing.T) {
	def, dev := render(t, nil), render(t, []string{devProbeValues})
	for _, name := range []string{"backend", "frontend"} {
		want := container(t, deployment(t, def, "todo-"+name).Spec.Template.Spec, name)
		got := container(t, deployment(t, dev, "todo-"+name).Spec.Template.Spec, name)
		for _, p := range []struct {
			what      string
			want, got *corev1.Probe
		}{
			{"liveness", want.LivenessProbe, got.LivenessProbe},
			{"readiness", want.ReadinessProbe, got.ReadinessProbe},
			{"startup", want.StartupProbe, got.StartupProbe},
		} {
			what := name + " " + p.what
			if p.got == nil || p.want == nil {
				t.Fatalf("%s: no probe (default %v, dev %v)", what, p.want, p.got)
			}
			if p.got.PeriodSeconds != 1 {
				t.Errorf("%s: period %d, want 1", what, p.got.PeriodSeconds)
			}
			if g, w := p.got.PeriodSeconds*p.got.FailureThreshold, p.want.PeriodSeconds*p.want.FailureThreshold; g != w {
				t.Errorf("%s: gives up after %d s, the default after %d s", what, g, w)
			}
			same := *p.got
			same.PeriodSeconds, same.FailureThreshold = p.want.PeriodSeconds, p.want.FailureThreshold
			if !reflect.DeepEqual(same, *p.want) {
				t.Errorf("%s: differs from the default beyond period and failures:\n dev     %+v\n default %+v", what, *p.got, *p.want)
			}
		}
	}
}

// TestServices checks the Services: names, types, ports, and that each selector picks
// its own Deployment's pods.
func TestServices(t *testing.T) {
	r := render(t, nil)
	for _, tc := range []struct {
		name  string
		typ   corev1.ServiceType
		port  int32
		cport int32
	}{
		{"todo-backend", corev1.ServiceTypeClusterIP, 7860, 7860},
		{"todo-frontend", corev1.ServiceTypeLoadBalancer, 3000, 3000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := service(t, r, tc.name)
			if svc.Spec.Type != tc.typ {
				t.Errorf("type = %s, want %s", svc.Spec.Type, tc.typ)
			}
			if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != tc.port {
				t.Fatalf("ports = %+v, want one port %d", svc.Spec.Ports, tc.port)
			}
			d := deployment(t, r, tc.name)
			c := d.Spec.Template.Spec.Containers[0]
			if got := resolvePort(c, svc.Spec.Ports[0].TargetPort); got != tc.cport {
				t.Errorf("targetPort resolves to %d, want %d", got, tc.cport)
			}
			if svc.Namespace != releaseNS {
				t.Errorf("namespace = %q, want %q", svc.Namespace, releaseNS)
			}
			if !subset(svc.Spec.Selector, d.Spec.Template.Labels) {
				t.Errorf("selector %v does not match the pod labels %v", svc.Spec.Selector, d.Spec.Template.Labels)
			}
			if !reflect.DeepEqual(svc.Spec.Selector, d.Spec.Selector.MatchLabels) {
				t.Errorf("selector %v differs from the Deployment's %v", svc.Spec.Selector, d.Spec.Selector.MatchLabels)
			}
		})
	}
	// The backend must not select the frontend's pods, and the other way round.
	be, fe := deployment(t, r, "todo-backend"), deployment(t, r, "todo-frontend")
	if subset(service(t, r, "todo-backend").Spec.Selector, fe.Spec.Template.Labels) ||
		subset(service(t, r, "todo-frontend").Spec.Selector, be.Spec.Template.Labels) {
		t.Error("a Service selects the other component's pods")
	}
}

func subset(sel, labels map[string]string) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return len(sel) > 0
}

// TestConfigMap checks the ConfigMap keys and defaults, and that both apps read it.
func TestConfigMap(t *testing.T) {
	r := render(t, nil)
	cm, d := get[corev1.ConfigMap](t, r, "ConfigMap", "todo-config")
	want := map[string]string{
		"LOG_LEVEL":       "INFO",
		"LOG_FORMAT":      "json",
		"ALLOWED_ORIGINS": "http://localhost:3000",
		"ENVIRONMENT":     "development",
	}
	if !reflect.DeepEqual(cm.Data, want) {
		t.Errorf("ConfigMap data = %v, want %v", cm.Data, want)
	}
	if d.IsHook {
		t.Error("the ConfigMap is a hook; nothing needs it before install, and hooks outlive uninstall")
	}
	for _, name := range []string{"todo-backend", "todo-frontend"} {
		c := deployment(t, r, name).Spec.Template.Spec.Containers[0]
		if len(c.EnvFrom) != 1 || c.EnvFrom[0].ConfigMapRef == nil || c.EnvFrom[0].ConfigMapRef.Name != "todo-config" {
			t.Errorf("%s envFrom = %+v, want the ConfigMap todo-config", name, c.EnvFrom)
		}
	}
}

// TestSecret checks the Secret keys, for both database modes, without
// ever printing a value.
func TestSecret(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  []string
		keys []string
	}{
		{"external database", nil, allKeys},
		{"in-cluster database", []string{"database.external=false"}, append([]string{"POSTGRES_PASSWORD"}, allKeys...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := render(t, nil, tc.set...)
			s, d := get[corev1.Secret](t, r, "Secret", "todo-chart-secrets")
			var got []string
			for k := range s.Data {
				got = append(got, k)
			}
			sort.Strings(got)
			want := append([]string{}, tc.keys...)
			sort.Strings(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Secret keys = %v, want %v", got, want)
			}
			if len(s.Data["BETTER_AUTH_SECRET"]) < 32 {
				t.Errorf("generated BETTER_AUTH_SECRET is %d bytes, want at least 32", len(s.Data["BETTER_AUTH_SECRET"]))
			}
			if !d.IsHook || d.Metadata.Annotations["helm.sh/hook"] != "pre-install,pre-upgrade" ||
				d.Metadata.Annotations["helm.sh/hook-weight"] != "-10" ||
				d.Metadata.Annotations["helm.sh/hook-delete-policy"] != "before-hook-creation" {
				t.Errorf("Secret hook annotations = %v, want a pre-install,pre-upgrade hook of weight -10 with before-hook-creation", d.Metadata.Annotations)
			}
		})
	}

	// Values given for the Secret land in it, encoded once.
	r := render(t, nil, "secrets.databaseUrl=postgresql://u:p@neon.example/db", "secrets.vapidPublicKey=pub")
	s, _ := get[corev1.Secret](t, r, "Secret", "todo-chart-secrets")
	if string(s.Data["DATABASE_URL"]) != "postgresql://u:p@neon.example/db" || string(s.Data["VAPID_PUBLIC_KEY"]) != "pub" {
		t.Error("DATABASE_URL or VAPID_PUBLIC_KEY in the Secret differs from the value given")
	}
}

// TestResources checks the requests and limits.
func TestResources(t *testing.T) {
	r := render(t, nil)
	for _, tc := range []struct {
		name                           string
		reqCPU, reqMem, limCPU, limMem string
	}{
		{"todo-backend", "250m", "256Mi", "500m", "512Mi"},
		{"todo-frontend", "100m", "128Mi", "250m", "256Mi"},
	} {
		res := deployment(t, r, tc.name).Spec.Template.Spec.Containers[0].Resources
		for what, pair := range map[string][2]resource.Quantity{
			"requests.cpu":    {res.Requests[corev1.ResourceCPU], resource.MustParse(tc.reqCPU)},
			"requests.memory": {res.Requests[corev1.ResourceMemory], resource.MustParse(tc.reqMem)},
			"limits.cpu":      {res.Limits[corev1.ResourceCPU], resource.MustParse(tc.limCPU)},
			"limits.memory":   {res.Limits[corev1.ResourceMemory], resource.MustParse(tc.limMem)},
		} {
			if pair[0].Cmp(pair[1]) != 0 {
				t.Errorf("%s %s = %s, want %s", tc.name, what, pair[0].String(), pair[1].String())
			}
		}
	}
}

// TestMigrationJob checks the migration Job.
func TestMigrationJob(t *testing.T) {
	r := render(t, nil)
	j, d := job(t, r, "todo-migrate")
	if !d.IsHook {
		t.Fatal("the migration Job is not a hook")
	}
	a := d.Metadata.Annotations
	if a["helm.sh/hook"] != "pre-install,pre-upgrade" || a["helm.sh/hook-weight"] != "-5" {
		t.Errorf("hook annotations = %v, want pre-install,pre-upgrade weight -5", a)
	}
	if !strings.Contains(","+a["helm.sh/hook-delete-policy"]+",", ",hook-succeeded,") {
		t.Errorf("hook-delete-policy = %q, want it to include hook-succeeded", a["helm.sh/hook-delete-policy"])
	}
	if j.Spec.BackoffLimit == nil || *j.Spec.BackoffLimit != 3 {
		t.Errorf("backoffLimit = %v, want 3", j.Spec.BackoffLimit)
	}
	if j.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("restartPolicy = %q, want Never", j.Spec.Template.Spec.RestartPolicy)
	}
	c := container(t, j.Spec.Template.Spec, "migrate")
	if !reflect.DeepEqual(c.Command, []string{"alembic", "upgrade", "head"}) {
		t.Errorf("command = %v, want alembic upgrade head", c.Command)
	}
	be := deployment(t, r, "todo-backend").Spec.Template.Spec.Containers[0]
	if c.Image != be.Image || c.ImagePullPolicy != be.ImagePullPolicy {
		t.Errorf("Job image %s (%s), want the backend's %s (%s)", c.Image, c.ImagePullPolicy, be.Image, be.ImagePullPolicy)
	}
	e, _ := envVar(c, "DATABASE_URL")
	if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil || e.ValueFrom.SecretKeyRef.Key != "DATABASE_URL" ||
		e.ValueFrom.SecretKeyRef.Name != "todo-chart-secrets" || (e.ValueFrom.SecretKeyRef.Optional != nil && *e.ValueFrom.SecretKeyRef.Optional) {
		t.Errorf("DATABASE_URL = %+v, want a required secretKeyRef to todo-chart-secrets/DATABASE_URL", e)
	}
	if got := j.Spec.Template.Labels["app.kubernetes.io/component"]; got != "migration" {
		t.Errorf("component label = %q, want migration", got)
	}

	for _, tc := range []struct {
		set []string
		job bool
	}{
		{set: []string{"migration.enabled=false"}},
		{set: []string{"backend.image.tag=abc1", "migration.skipForTag=abc1", "migration.inputsHash=0123abcd"}},
		// --reuse-values of an up that skipped, with another image: migrate
		{set: []string{"backend.image.tag=def2", "migration.skipForTag=abc1"}, job: true},
		// the chart's default tag (appVersion) never matches an empty skip
		{set: []string{"migration.skipForTag="}, job: true},
		// a recorded hash alone still migrates
		{set: []string{"migration.inputsHash=0123abcd"}, job: true},
	} {
		r = render(t, nil, tc.set...)
		if _, ok := r.find("Job", "todo-migrate"); ok != tc.job {
			t.Errorf("%v: migration Job rendered = %v, want %v", tc.set, ok, tc.job)
		}
	}
}

// TestImages checks the image tags: tag from values, appVersion by default, never latest.
func TestImages(t *testing.T) {
	for _, tc := range []struct {
		name     string
		set      []string
		backend  string
		frontend string
		policy   corev1.PullPolicy
	}{
		{"defaults", nil, "todo-backend:3.0.0", "todo-frontend:3.0.0", corev1.PullIfNotPresent},
		{"content-hash tags", []string{"backend.image.tag=sha-1a2b", "frontend.image.tag=sha-3c4d", "backend.image.repository=reg:5000/be"},
			"reg:5000/be:sha-1a2b", "todo-frontend:sha-3c4d", corev1.PullIfNotPresent},
		{"pull policy", []string{"backend.image.pullPolicy=Never", "frontend.image.pullPolicy=Never"},
			"todo-backend:3.0.0", "todo-frontend:3.0.0", corev1.PullNever},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := render(t, nil, tc.set...)
			be := deployment(t, r, "todo-backend").Spec.Template.Spec.Containers[0]
			fe := deployment(t, r, "todo-frontend").Spec.Template.Spec.Containers[0]
			if be.Image != tc.backend || fe.Image != tc.frontend {
				t.Errorf("images = %s, %s; want %s, %s", be.Image, fe.Image, tc.backend, tc.frontend)
			}
			if be.ImagePullPolicy != tc.policy || fe.ImagePullPolicy != tc.policy {
				t.Errorf("pull policies = %s, %s; want %s", be.ImagePullPolicy, fe.ImagePullPolicy, tc.policy)
			}
		})
	}
}

// TestNamespace checks the namespace: no Namespace unless asked for, and every
// namespaced resource in the release namespace.
func TestNamespace(t *testing.T) {
	r := render(t, nil)
	if ns := r.ofKind("Namespace"); len(ns) != 0 {
		t.Errorf("a Namespace is rendered by default: %v", ns[0].Metadata.Name)
	}
	for _, d := range r.docs {
		if d.Metadata.Namespace != releaseNS {
			t.Errorf("%s/%s namespace = %q, want %q", d.Kind, d.Metadata.Name, d.Metadata.Namespace, releaseNS)
		}
	}
	r = render(t, nil, "namespace.create=true")
	ns, _ := get[corev1.Namespace](t, r, "Namespace", releaseNS)
	if ns.Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
		t.Errorf("opt-in Namespace labels = %v, want pod-security enforce=restricted", ns.Labels)
	}
}

// TestLabels checks the conventions every other part of helm-todo selects on.
func TestLabels(t *testing.T) {
	r := render(t, []string{devValues})
	want := map[string]string{
		"Deployment/todo-backend":   "backend",
		"Deployment/todo-frontend":  "frontend",
		"Job/todo-migrate":          "migration",
		"StatefulSet/todo-postgres": "database",
	}
	specs := podSpecs(t, r)
	if len(specs) != len(want) {
		t.Errorf("pod specs = %d, want %d", len(specs), len(want))
	}
	for key, comp := range want {
		p, ok := specs[key]
		if !ok {
			t.Errorf("no %s", key)
			continue
		}
		l := p.Labels
		if l["app.kubernetes.io/name"] != "todo-app" || l["app.kubernetes.io/instance"] != "todo" || l["app.kubernetes.io/component"] != comp {
			t.Errorf("%s pod labels = %v, want name todo-app, instance todo, component %s", key, l, comp)
		}
	}
}

// TestPodAnnotations checks that the test cluster's fault annotations reach
// every pod, hooks included.
func TestPodAnnotations(t *testing.T) {
	r := render(t, nil, "database.external=false",
		"backend.podAnnotations.fault=a", "frontend.podAnnotations.fault=b",
		"migration.podAnnotations.fault=c", "database.podAnnotations.fault=d")
	for key, want := range map[string]string{
		"Deployment/todo-backend": "a", "Deployment/todo-frontend": "b",
		"Job/todo-migrate": "c", "StatefulSet/todo-postgres": "d",
	} {
		if got := podSpecs(t, r)[key].Annotations["fault"]; got != want {
			t.Errorf("%s pod annotation fault = %q, want %q", key, got, want)
		}
	}
}

// TestWritablePaths checks writable paths: read-only roots, with emptyDirs where the
// apps write.
func TestWritablePaths(t *testing.T) {
	r := render(t, []string{devValues})
	for key, paths := range map[string][]string{
		"Deployment/todo-backend":   {"/tmp"},
		"Deployment/todo-frontend":  {"/tmp", "/app/.next/cache"},
		"Job/todo-migrate":          {"/tmp"},
		"StatefulSet/todo-postgres": {"/tmp", "/var/run/postgresql", "/var/lib/postgresql/data"},
	} {
		spec := podSpecs(t, r)[key].Spec
		c := spec.Containers[0]
		if c.SecurityContext == nil || c.SecurityContext.ReadOnlyRootFilesystem == nil || !*c.SecurityContext.ReadOnlyRootFilesystem {
			t.Errorf("%s: root filesystem is not read-only", key)
		}
		for _, p := range paths {
			if !mountedWritable(spec, c, p) {
				t.Errorf("%s: %s is not a writable volume mount", key, p)
			}
		}
	}
}

func mountedWritable(spec corev1.PodSpec, c corev1.Container, path string) bool {
	for _, m := range c.VolumeMounts {
		if m.MountPath != path || m.ReadOnly {
			continue
		}
		for _, v := range spec.Volumes {
			if v.Name == m.Name && v.EmptyDir != nil {
				return true
			}
		}
		// The data volume comes from the StatefulSet's claim template.
		if m.Name == "data" {
			return true
		}
	}
	return false
}

// TestLiveUpdateMode checks helm todo dev's live-update mode: every
// container of the backend keeps a read-only root, the code path (and
// only it, besides /tmp) is a writable emptyDir the init container seeds,
// and without the value nothing of it renders (what up deploys).
func TestLiveUpdateMode(t *testing.T) {
	off := podSpecs(t, render(t, []string{devValues}))["Deployment/todo-backend"].Spec
	if len(off.InitContainers) != 0 || off.Containers[0].Command != nil || len(off.Volumes) != 1 {
		t.Errorf("live update off still renders some of it: init %v, command %v, volumes %v", off.InitContainers, off.Containers[0].Command, off.Volumes)
	}
	r := render(t, []string{devValues}, "backend.liveUpdate.enabled=true", "backend.image.tag=abc")
	spec := podSpecs(t, r)["Deployment/todo-backend"].Spec
	if len(spec.InitContainers) != 1 {
		t.Fatalf("%d init containers, want the seed", len(spec.InitContainers))
	}
	for _, c := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
		if c.SecurityContext == nil || c.SecurityContext.ReadOnlyRootFilesystem == nil || !*c.SecurityContext.ReadOnlyRootFilesystem {
			t.Errorf("container %s: root filesystem is not read-only", c.Name)
		}
	}
	main, seed := spec.Containers[0], spec.InitContainers[0]
	for _, p := range []string{"/tmp", "/app/src"} {
		if !mountedWritable(spec, main, p) {
			t.Errorf("backend: %s is not a writable emptyDir", p)
		}
	}
	if !mountedWritable(spec, seed, "/opt/helm-todo-live/code") {
		t.Error("live-seed: the code emptyDir is not writable")
	}
	if len(seed.Env) != 1 || seed.Env[0].Value != "abc" {
		t.Errorf("live-seed env %v, want LIVE_BASE=abc (the image tag dev's snapshot is compared with)", seed.Env)
	}
	if got := strings.Join(main.Command, " "); !strings.Contains(got, "--reload-dir /app/src") {
		t.Errorf("backend command %q does not reload on code changes", got)
	}
	if cm, _ := get[corev1.ConfigMap](t, r, "ConfigMap", "todo-backend-live-sync"); !strings.Contains(cm.Data["live-sync.py"], "def apply(") {
		t.Error("ConfigMap todo-backend-live-sync lacks the sync program")
	}
}
