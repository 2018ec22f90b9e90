package policy

import (
	"strings"
	"testing"
)

// TestJudge holds the rule to real-looking pairs from popular charts and
// apps: the name says where to look, the value says whether it is a secret.
func TestJudge(t *testing.T) {
	p := Default()
	p.SecretRefs.Always = []string{"LICENSE_BLOB"}
	p.SecretRefs.Placeholders = []string{"please-set-me"}
	tests := []struct {
		name, value string
		secret      bool
		reason      string
	}{
		// The two refusals the name-only rule made of well-known charts.
		{"KC_BOOTSTRAP_ADMIN_PASSWORD_FILE", "/opt/keycloak/secrets/admin-password", false, "file path"},
		{"TOKEN_SERVICE_URL", "http://harbor-core:80/service/token", false, "URL without a password"},
		// Not secrets: paths.
		{"POSTGRES_PASSWORD_FILE", "/run/secrets/postgres-password", false, "file path"},
		{"MYSQL_ROOT_PASSWORD_FILE", "/opt/bitnami/mysql/secrets/mysql-root-password", false, "file path"},
		{"GF_SECURITY_ADMIN_PASSWORD__FILE", "/etc/secrets/admin-password", false, "file path"},
		{"TLS_KEY", "/etc/tls/tls.key", false, "file path"},
		{"SSH_PRIVATE_KEY", "~/.ssh/id_ed25519", false, "file path"},
		{"KUBE_TOKEN_PATH", "/var/run/secrets/kubernetes.io/serviceaccount/token", false, "file path"},
		{"WIN_CERT_KEY", `C:\certs\server.key`, false, "file path"},
		// Not secrets: URLs without a password.
		{"TOKEN_URL", "https://auth.example.com/oauth2/token", false, "URL without a password"},
		{"DATABASE_URL", "postgres://app@db:5432/app?sslmode=disable", false, "URL without a password"},
		{"OIDC_TOKEN_ENDPOINT", "https://keycloak.example.com/realms/main/protocol/openid-connect/token", false, "URL without a password"},
		{"REDIS_URL_TOKEN_CACHE", "redis://harbor-redis:6379/0?idle_timeout_seconds=30", false, "URL without a password"},
		// Not secrets: empty, booleans, numbers, references, placeholders.
		{"REGISTRY_PASSWORD", "", false, "empty"},
		{"ADMIN_PASSWORD", "   ", false, "empty"},
		{"PASSWORD_RESET_ENABLED", "true", false, "boolean"},
		{"TOKEN_AUTH_REQUIRED", "False", false, "boolean"},
		{"SESSION_TOKEN_EXPIRY", "3600", false, "number"},
		{"PASSWORD_MIN_LENGTH", "12", false, "number"},
		{"API_TOKEN_RATE", "0.5", false, "number"},
		{"DATABASE_URL", "postgresql://todo:$(POSTGRES_PASSWORD)@todo-postgres:5432/todo", false, "$(VAR)"},
		{"AUTH_TOKEN", "$(TOKEN_FROM_SECRET)", false, "$(VAR)"},
		{"SMTP_PASSWORD", "changeme", false, "placeholder"},
		{"STRIPE_SECRET", "<your-stripe-secret>", false, "placeholder"},
		{"SLACK_TOKEN", "${SLACK_TOKEN}", false, "placeholder"},
		{"JWT_SECRET", "xxxxxxxx", false, "placeholder"},
		{"GITHUB_TOKEN", "please-set-me", false, "placeholder"},
		// Not secrets: names that do not look secret, or are allowed.
		{"LOG_LEVEL", "sk_live_51HxYzAbCdEf", false, "does not look secret"},
		{"VAPID_PUBLIC_KEY", "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM", false, "allow"},
		{"NEXT_PUBLIC_OPENAI_DOMAIN_KEY", "dk-4f9a8b7c6d5e", false, "allow"},
		{"KEYCLOAK_URL", "https://admin:pw@keycloak", false, "does not look secret"},
		// Secrets: URLs with a password or a credential in the query.
		{"DATABASE_URL", "postgres://app:Sup3rS3cret@db:5432/app", true, "URL with a password"},
		{"REDIS_PASSWORD_URL", "redis://:hunter22@redis-master:6379/0", true, "URL with a password"},
		{"BROKER_TOKEN_URL", "amqp://guest:guest@rabbitmq:5672/", true, "URL with a password"},
		{"WEBHOOK_TOKEN_URL", "https://hooks.example.com/notify?token=abc123def456", true, "credential in its query"},
		// Secrets: credential-shaped values.
		{"OPENROUTER_API_KEY", "sk-or-v1-3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c", true, "credential's shape"},
		{"GITHUB_TOKEN", "ghp_16C7e42F292c6912E7710c838347Ae178B4a", true, "credential's shape"},
		{"AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", true, "credential's shape"},
		{"BETTER_AUTH_SECRET", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", true, "credential's shape"},
		{"POSTGRES_PASSWORD", "Tr0ub4dor&3", true, "credential's shape"},
		{"HARBOR_ADMIN_PASSWORD", "Harbor12345", true, "credential's shape"},
		{"STRIPE_SECRET", "sk_live_51HxYzAbCdEfGhIjKlMnOp", true, "credential's shape"},
		{"SLACK_BOT_TOKEN", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", true, "credential's shape"},
		{"VAPID_PRIVATE_KEY", "T5Cw3uSHn2RPbcjQiXf1J8JaVuaKxzA8kNfGYaZWWfo", true, "credential's shape"},
		{"CSRF_KEY", "4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c", true, "credential's shape"},
		// Secrets: other values under a secret name, and what the policy names.
		{"REDIS_PASSWORD", "hunter2", true, "not a path, URL"},
		{"ADMIN_PASSWORD", "correct horse battery staple", true, "not a path, URL"},
		{"LICENSE_BLOB", "/looks/like/a/path", true, "always"},
	}
	if len(tests) < 40 {
		t.Fatalf("the table has %d pairs; keep at least 40", len(tests))
	}
	for _, tc := range tests {
		v := p.Judge(tc.name, tc.value)
		if v.Secret != tc.secret || !strings.Contains(v.Reason, tc.reason) {
			t.Errorf("Judge(%s=%q) = %v (%s), want %v (%s)", tc.name, tc.value, v.Secret, v.Reason, tc.secret, tc.reason)
		}
		if tc.value != "" && strings.TrimSpace(tc.value) != "" && strings.Contains(v.Reason, tc.value) {
			t.Errorf("Judge(%s): the reason quotes the value", tc.name)
		}
	}
}

func TestStrictFor(t *testing.T) {
	p := Default()
	if !p.StrictFor(map[string]string{"app.kubernetes.io/name": "todo-app"}) {
		t.Errorf("the embedded policy must be strict for the todo chart")
	}
	if p.StrictFor(map[string]string{"app.kubernetes.io/name": "keycloak"}) || p.StrictFor(nil) {
		t.Errorf("the embedded policy must give other charts notices")
	}
	p.SecretRefs.Mode = ModeStrict
	if !p.StrictFor(nil) {
		t.Errorf("mode: strict must be strict for every chart")
	}
	head := "apiVersion: helm-todo.io/v1\nkind: PostRenderPolicy\n"
	for doc, want := range map[string]string{
		head + "secretRefs:\n  mode: loud\n":                     `secretRefs.mode "loud": want notice or strict`,
		head + "secretRefs:\n  strictFor: [{containers: [a]}]\n": "secretRefs.strictFor[0]: want matchLabels",
		head + "secretRefs:\n  always: ['[x']\n":                 "secretRefs.always[0]",
	} {
		if _, err := Parse([]byte(doc)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse: err = %v, want %q", err, want)
		}
	}
}
