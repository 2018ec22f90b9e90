package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultGivesTheTodoChartR3Probes(t *testing.T) {
	p := Default()
	backend := map[string]string{"app.kubernetes.io/name": "todo-app", "app.kubernetes.io/component": "backend"}
	got := p.ProbesFor(backend, "backend")
	want := map[string]string{
		"livenessProbe":  "failureThreshold: 3\nhttpGet:\n  path: /health/live\n  port: 7860\nperiodSeconds: 10\ntimeoutSeconds: 2",
		"readinessProbe": "failureThreshold: 3\nhttpGet:\n  path: /health/ready\n  port: 7860\nperiodSeconds: 5\ntimeoutSeconds: 5",
		"startupProbe":   "failureThreshold: 6\nhttpGet:\n  path: /health/live\n  port: 7860\nperiodSeconds: 5\ntimeoutSeconds: 2",
	}
	if len(got) != len(want) {
		t.Fatalf("backend probes %v, want %v", got, want)
	}
	for field, w := range want {
		if s := strings.TrimSpace(got[field].MustString()); s != w {
			t.Errorf("%s =\n%s\nwant\n%s", field, s, w)
		}
	}
	frontend := map[string]string{"app.kubernetes.io/name": "todo-app", "app.kubernetes.io/component": "frontend"}
	if s := p.ProbesFor(frontend, "frontend")["readinessProbe"].MustString(); !strings.Contains(s, "port: 3000") {
		t.Errorf("frontend readiness probe %s, want port 3000", s)
	}
	for name, labels := range map[string]map[string]string{
		"another chart":     {"app.kubernetes.io/name": "nginx", "app.kubernetes.io/component": "backend"},
		"the migration job": {"app.kubernetes.io/name": "todo-app", "app.kubernetes.io/component": "migration"},
		"the todo database": {"app.kubernetes.io/name": "todo-app", "app.kubernetes.io/component": "database"},
		"unlabelled":        nil,
	} {
		if got := p.ProbesFor(labels, "backend"); len(got) != 0 {
			t.Errorf("%s gets probes %v, want none", name, got)
		}
	}
	if got := p.WritablePathsFor(frontend, "frontend"); strings.Join(got, ",") != "/tmp,/app/.next/cache" {
		t.Errorf("frontend writable paths %v", got)
	}
	if got := p.WritablePathsFor(backend, "backend"); strings.Join(got, ",") != "/tmp" {
		t.Errorf("backend writable paths %v", got)
	}
}

func TestLooksSecret(t *testing.T) {
	p := Default()
	tests := map[string]bool{
		"OPENROUTER_API_KEY":            true,
		"BETTER_AUTH_SECRET":            true,
		"VAPID_PRIVATE_KEY":             true,
		"POSTGRES_PASSWORD":             true,
		"password_file":                 true,
		"GITHUB_TOKEN":                  true,
		"TOKEN_URL":                     true,
		"DATABASE_URL":                  true,
		"VAPID_PUBLIC_KEY":              false,
		"NEXT_PUBLIC_OPENAI_DOMAIN_KEY": false,
		"LOG_LEVEL":                     false,
		"ALLOWED_ORIGINS":               false,
		"KEYCLOAK_URL":                  false,
		"DATABASE_URL_TEMPLATE":         false,
	}
	for name, want := range tests {
		if got := p.LooksSecret(name); got != want {
			t.Errorf("LooksSecret(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestParseErrorsNameTheField(t *testing.T) {
	head := "apiVersion: helm-todo.io/v1\nkind: PostRenderPolicy\n"
	tests := map[string]struct{ doc, want string }{
		"unknown top-level field":    {head + "overide: true\n", `unknown field "overide"`},
		"unknown nested field":       {head + "podSecurityContext:\n  runAsUsr: 1000\n", `unknown field "podSecurityContext.runAsUsr"`},
		"unknown probe field":        {head + "probes:\n- selector: {}\n  liveness: {httpGet: {port: 80}, period: 5}\n", `unknown field "probes[0].liveness.period"`},
		"wrong type":                 {head + "override: yes please\n", "override: got a string, want bool"},
		"wrong nested type":          {head + "probes:\n- selector: {}\n  liveness: {httpGet: {port: 80}, periodSeconds: ten}\n", "probes.liveness.periodSeconds: got a string, want int32"},
		"missing apiVersion":         {"kind: PostRenderPolicy\n", `apiVersion is "": want "helm-todo.io/v1"`},
		"wrong kind":                 {"apiVersion: helm-todo.io/v1\nkind: Policy\n", `kind is "Policy"`},
		"relative writable path":     {head + "writablePaths:\n- path: tmp\n", "writablePaths[0].path \"tmp\": want a clean absolute path"},
		"probe without handler":      {head + "probes:\n- selector: {}\n  startup: {periodSeconds: 5}\n", "probes[0].startup: want exactly one of httpGet, tcpSocket, exec, grpc, found 0"},
		"probe with two handlers":    {head + "probes:\n- selector: {}\n  liveness: {httpGet: {port: 80}, tcpSocket: {port: 80}}\n", "probes[0].liveness: want exactly one"},
		"rule without probes":        {head + "probes:\n- selector: {}\n", "probes[0]: want at least one of"},
		"bad glob":                   {head + "secretRefs:\n  patterns: ['[A-']\n", "secretRefs.patterns[0] \"[A-\": not a glob"},
		"enabled without patterns":   {head + "secretRefs:\n  enabled: true\n", "secretRefs.patterns: empty"},
		"not YAML":                   {"{", "yaml"},
		"seccomp type misspelt":      {head + "podSecurityContext:\n  seccompProfile: {type: RuntimeDefualt}\n", `podSecurityContext.seccompProfile.type "RuntimeDefualt": want RuntimeDefault, Localhost or Unconfined`},
		"container seccomp type":     {head + "containerSecurityContext:\n  seccompProfile: {type: runtimedefault}\n", `containerSecurityContext.seccompProfile.type "runtimedefault": want`},
		"Localhost without file":     {head + "podSecurityContext:\n  seccompProfile: {type: Localhost}\n", "podSecurityContext.seccompProfile.localhostProfile: required when type is Localhost"},
		"profile without Localhost":  {head + "podSecurityContext:\n  seccompProfile: {type: RuntimeDefault, localhostProfile: x.json}\n", "localhostProfile: only allowed when type is Localhost"},
		"AppArmor type":              {head + "podSecurityContext:\n  appArmorProfile: {type: Default}\n", `podSecurityContext.appArmorProfile.type "Default"`},
		"AppArmor Localhost no file": {head + "containerSecurityContext:\n  appArmorProfile: {type: Localhost}\n", "containerSecurityContext.appArmorProfile.localhostProfile: required when type is Localhost"},
		"AppArmor after seccomp":     {head + "containerSecurityContext:\n  seccompProfile: {type: RuntimeDefault}\n  appArmorProfile: {type: Unconfined, localhostProfile: x}\n", "containerSecurityContext.appArmorProfile.localhostProfile: only allowed when type is Localhost"},
		"supplementalGroupsPolicy":   {head + "podSecurityContext:\n  supplementalGroupsPolicy: Loose\n", `podSecurityContext.supplementalGroupsPolicy "Loose": want Merge or Strict`},
		"negative user":              {head + "podSecurityContext:\n  runAsUser: -1\n", "podSecurityContext.runAsUser -1: want a user or group ID from 0 to 2147483647"},
		"huge group":                 {head + "containerSecurityContext:\n  runAsGroup: 4294967296\n", "containerSecurityContext.runAsGroup 4294967296"},
		"fsGroupChangePolicy":        {head + "podSecurityContext:\n  fsGroupChangePolicy: Sometimes\n", `podSecurityContext.fsGroupChangePolicy "Sometimes": want OnRootMismatch or Always`},
		"procMount":                  {head + "containerSecurityContext:\n  procMount: Masked\n", `containerSecurityContext.procMount "Masked"`},
		"capability":                 {head + "containerSecurityContext:\n  capabilities: {drop: [all]}\n", `containerSecurityContext.capabilities.drop[0] "all": want a capability name`},
		"probe port 0":               {head + "probes:\n- selector: {}\n  liveness: {httpGet: {port: 0}}\n", "probes[0].liveness.httpGet.port 0: want a port from 1 to 65535"},
		"probe port too big":         {head + "probes:\n- selector: {}\n  readiness: {tcpSocket: {port: 70000}}\n", "probes[0].readiness.tcpSocket.port 70000"},
		"probe port name":            {head + "probes:\n- selector: {}\n  startup: {httpGet: {port: HTTP_PORT}}\n", `probes[0].startup.httpGet.port "HTTP_PORT": want a port`},
		"grpc port":                  {head + "probes:\n- selector: {}\n  liveness: {grpc: {port: 0}}\n", "probes[0].liveness.grpc.port 0"},
		"relative probe path":        {head + "probes:\n- selector: {}\n  liveness: {httpGet: {port: 80, path: healthz}}\n", `probes[0].liveness.httpGet.path "healthz": want an absolute path`},
		"probe scheme":               {head + "probes:\n- selector: {}\n  liveness: {httpGet: {port: 80, scheme: http}}\n", `probes[0].liveness.httpGet.scheme "http": want HTTP or HTTPS`},
		"empty exec":                 {head + "probes:\n- selector: {}\n  liveness: {exec: {command: []}}\n", "probes[0].liveness.exec.command: empty"},
		"negative period":            {head + "probes:\n- selector: {}\n  liveness: {tcpSocket: {port: 80}, periodSeconds: -5}\n", "probes[0].liveness.periodSeconds -5: want 0 or more"},
		"liveness successThreshold":  {head + "probes:\n- selector: {}\n  liveness: {tcpSocket: {port: 80}, successThreshold: 2}\n", "probes[0].liveness.successThreshold 2: must be 1"},
		"bad secret name":            {head + "secretRefs:\n  enabled: true\n  patterns: ['*_KEY']\n  secretName: My_Secret\n", `secretRefs.secretName "My_Secret": want a lowercase DNS name`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte("apiVersion: helm-todo.io/v1\nkind: PostRenderPolicy\noverride: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := Load(good)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Override || p.PodSecurityContextNode() != nil || len(p.Probes) != 0 || p.SecretRefs.Enabled {
		t.Errorf("a minimal policy should inject nothing and override: %+v", p)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("apiVersion: helm-todo.io/v1\nkind: PostRenderPolicy\nextra: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad); err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), `"extra"`) {
		t.Errorf("Load(bad) err = %v, want it to name the file and the field", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("Load(missing) err = %v, want it to name the file", err)
	}
}

func TestValidValuesPass(t *testing.T) {
	doc := `apiVersion: helm-todo.io/v1
kind: PostRenderPolicy
podSecurityContext:
  runAsUser: 0
  fsGroupChangePolicy: OnRootMismatch
  seccompProfile: {type: Localhost, localhostProfile: profiles/audit.json}
containerSecurityContext:
  capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
  appArmorProfile: {type: RuntimeDefault}
probes:
- selector: {}
  liveness: {httpGet: {port: http, path: /healthz, scheme: HTTPS}}
  readiness: {tcpSocket: {port: 65535}, successThreshold: 3}
  startup: {exec: {command: ["true"]}, initialDelaySeconds: 0}
`
	if _, err := Parse([]byte(doc)); err != nil {
		t.Fatal(err)
	}
}
