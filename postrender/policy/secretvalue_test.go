package policy

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
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
		{"KEYCLOAK_ADMIN_PASSWORD_FILE", "/keycloak/secrets/admin-password", false, "file path"},
		{"TLS_KEY", "/certs/tls.key", false, "file path"},
		{"GITEA_INTERNAL_TOKEN_PATH", "/data/gitea/conf/internal_token", false, "file path"},
		{"SSL_CA_KEY", "/etc/ssl/certs/ISRG_Root_X1.pem", false, "file path"},
		{"VAULT_TOKEN_FILE", "/vault/secrets/token", false, "file path"},
		{"DB_PASSWORD_FILE", "/run/secrets/DB_PASSWORD", false, "file path"},
		{"DB_PASSWORD_FILE", "/mnt/secrets-store/db-password", false, "file path"},
		{"KEYCLOAK_TOKEN_PATH", "/realms/main/protocol/openid-connect/token", false, "file path"},
		{"AGENT_TOKEN_PATH", "/tmp/gitopshq-agent-token", false, "file path"},
		{"GCP_KEY", "/Users/dev/.config/gcloud/application_default_credentials.json", false, "file path"},
		// Not secrets: URLs without a password.
		{"TOKEN_URL", "https://auth.example.com/oauth2/token", false, "URL without a password"},
		{"DATABASE_URL", "postgres://app@db:5432/app?sslmode=disable", false, "URL without a password"},
		{"OIDC_TOKEN_ENDPOINT", "https://keycloak.example.com/realms/main/protocol/openid-connect/token", false, "URL without a password"},
		{"REDIS_URL_TOKEN_CACHE", "redis://harbor-redis:6379/0?idle_timeout_seconds=30", false, "URL without a password"},
		{"AZURE_TOKEN_URL", "https://login.microsoftonline.com/3fa85f64-5717-4562-b3fc-2c963f66afa6/oauth2/v2.0/token", false, "URL without a password"},
		{"TOKEN_SERVICE_URL", "http://$(CORE_HOST):8080/service/token", false, "URL without a password"},
		{"SLACK_TOKEN_DOCS", "https://api.slack.com/authentication/token-types", false, "URL without a password"},
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
		{"ADMIN_PASSWORD", "$(ADMIN_PASSWORD_FROM_SECRET)", false, "$(VAR)"},
		{"REDIS_URL_PASSWORD", "redis://:$(REDIS_PASSWORD)@redis-master:6379/0", false, "$(VAR)"},
		{"DATABASE_URL", "postgres://$(DB_USER):$(DB_PASSWORD)@db:5432/app?password=$(DB_PASSWORD)", false, "$(VAR)"},
		{"ACCESS_TOKEN_EXPIRE_MINUTES", "30", false, "number"},
		{"PASSWORD_RESET_TIMEOUT", "86400", false, "number"},
		{"API_TOKEN_ROTATION_DAYS", "90", false, "number"},
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
		// Secrets: values a looser rule took for a path, number, reference or plain URL.
		{"APP_SECRET", "/K7MDENG+bPxRfiCYEXAMPLEKEY0wJalrXUtnFEMI=", true, "credential's shape"},
		{"SIGNING_KEY", "/etc/aB3dE5fG7hJ9kL1mN3pQ5rS7", true, "credential's shape"},
		// A doubt goes to secret: two bare words under no known root could be a
		// random string; moved, the chart reads it all the same.
		{"TOKEN_ENDPOINT_PATH", "/oauth/token", true, "credential's shape"},
		{"ADMIN_PASSWORD", "482913", true, "all digits"},
		{"DB_PASSWORD", "pa$(ss)W0rd-2024", true, "credential's shape"},
		{"DATABASE_URL", "postgres://app:S3cret$(SUFFIX)@db:5432/app", true, "URL with a password"},
		{"SLACK_WEBHOOK_TOKEN", "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", true, "credential in its path"},
		{"TEAMS_WEBHOOK_SECRET", "https://contoso.webhook.office.com/webhookb2/3fa85f64-5717-4562-b3fc-2c963f66afa6@3fa85f64-5717-4562-b3fc-2c963f66afa6/IncomingWebhook/9f86d081884c7d659a2feaa0c55ad015/3fa85f64-5717-4562-b3fc-2c963f66afa6", true, "credential in its path"},
		{"ALERT_WEBHOOK_TOKEN", "https://hooks.example.com/notify/9f86d081884c7d659a2feaa0c55ad015", true, "credential in its path"},
		{"TELEGRAM_BOT_TOKEN_URL", "https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage", true, "credential in its path"},
		{"GIT_TOKEN_URL", "https://ghp_16C7e42F292c6912E7710c838347Ae178B4a@github.com/org/repo.git", true, "credential in its user name"},
		// A known webhook's URL under a name that does not look secret.
		{"SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", true, "webhook URL"},
		{"DISCORD_URL", "https://discord.com/api/webhooks/123456789012345678/abcDEFghiJKL", true, "webhook URL"},
		{"SLACK_URL", "https://hooks.slack.com/", false, "does not look secret"},
		{"HOMEPAGE_URL", "https://discord.com/invite/abc", false, "does not look secret"},
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

// TestJudgeGeneratedSecrets holds Judge to secrets made fresh on each run
// (crypto/rand), in the shapes real credentials take, so that the rule
// cannot be fitted to a handful of fixed strings. Each must be judged a
// secret: a miss leaves a credential in plain text in the manifest.
func TestJudgeGeneratedSecrets(t *testing.T) {
	p := Default()
	type pair struct{ name, value string }
	var pairs []pair
	add := func(name, value string) { pairs = append(pairs, pair{name, value}) }

	// base64 of every common key length, under each secret-looking pattern;
	// the same strings forced to start with "/" (as 1 in 64 does). A random
	// string can still spell a path: isPath puts the odds under 1 in 10^7
	// for 18 bytes, the shortest here without "=" padding.
	names := []string{"JWT_SECRET", "SESSION_SECRET", "ENCRYPTION_KEY", "DB_PASSWORD", "AUTH_TOKEN", "DATABASE_URL"}
	for i, n := range []int{16, 18, 24, 30, 32, 33, 48, 64} {
		for j := 0; j < 4; j++ {
			b64 := base64.StdEncoding.EncodeToString(randBytes(t, n))
			name := names[(i+j)%len(names)]
			add(name, b64)
			add(name, "/"+b64[1:])
		}
	}
	// Hex, as openssl rand -hex makes.
	for _, n := range []int{16, 24, 32, 64} {
		add("BETTER_AUTH_SECRET", hex.EncodeToString(randBytes(t, n)))
		add("CSRF_KEY", hex.EncodeToString(randBytes(t, n)))
	}
	// A signed JWT, as a service-account or API token.
	b64url := base64.RawURLEncoding.EncodeToString
	for i := 0; i < 4; i++ {
		payload := fmt.Sprintf(`{"sub":"%s","iat":%d}`, hex.EncodeToString(randBytes(t, 8)), 1700000000+i)
		jwt := b64url([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + b64url([]byte(payload)) + "." + b64url(randBytes(t, 32))
		add("SERVICE_ACCOUNT_TOKEN", jwt)
		add("API_KEY", jwt)
	}
	// Webhooks whose credential is in the path, not in a password field.
	for i := 0; i < 4; i++ {
		add("SLACK_WEBHOOK_SECRET", "https://hooks.slack.com/services/T"+randFrom(t, upperDigits, 8)+"/B"+randFrom(t, upperDigits, 10)+"/"+randFrom(t, alnum, 24))
		add("DISCORD_WEBHOOK_TOKEN", "https://discord.com/api/webhooks/"+randFrom(t, digits, 18)+"/"+b64url(randBytes(t, 51)))
		add("DISCORD_WEBHOOK_TOKEN", "https://discordapp.com/api/webhooks/"+randFrom(t, digits, 19)+"/"+b64url(randBytes(t, 51)))
	}
	// An AWS key pair: the AKIA id and its 40-character secret (30 bytes of
	// base64, some forced to start with "/").
	for i := 0; i < 4; i++ {
		add("S3_ACCESS_KEY", "AKIA"+randFrom(t, base32Upper, 16))
		secret := base64.StdEncoding.EncodeToString(randBytes(t, 30))
		add("AWS_SECRET_ACCESS_KEY", secret)
		add("S3_SECRET_KEY", "/"+secret[1:])
	}
	// All-digit PINs under names that name a credential.
	for i, name := range []string{"ADMIN_PASSWORD", "SMTP_PASSWORD", "KEYSTORE_PASSWORD", "APP_SECRET", "LICENSE_KEY", "REDIS_PASSWORD"} {
		add(name, randFrom(t, digits, 4+i))
	}
	// Passwords holding "$(": broken off, or around a reference-shaped part.
	for i := 0; i < 4; i++ {
		a, b := base64.StdEncoding.EncodeToString(randBytes(t, 9)), base64.StdEncoding.EncodeToString(randBytes(t, 9))
		add("DB_PASSWORD", a+"$("+b)
		add("POSTGRES_PASSWORD", a+"$(X)"+b)
		add("ADMIN_PASSWORD", "$("+a)
	}

	for _, pr := range pairs {
		v := p.Judge(pr.name, pr.value)
		if !v.Secret {
			t.Errorf("Judge(%s=%q) = not a secret (%s), want a secret", pr.name, pr.value, v.Reason)
		}
		if strings.Contains(v.Reason, pr.value) {
			t.Errorf("Judge(%s): the reason quotes the value", pr.name)
		}
	}
}

const (
	digits      = "0123456789"
	upperDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	base32Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	alnum       = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

func randBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// randFrom draws n characters uniformly from set.
func randFrom(t *testing.T, set string, n int) string {
	t.Helper()
	out := make([]byte, n)
	for i := range out {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
		if err != nil {
			t.Fatal(err)
		}
		out[i] = set[k.Int64()]
	}
	return string(out)
}
