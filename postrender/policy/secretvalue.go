package policy

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Verdict is what Judge decided about one key/value pair. Reason says why
// in words that never quote the value: it may be a secret.
type Verdict struct {
	Secret bool
	Reason string
}

// Judge decides whether a literal env value or ConfigMap value is a secret.
// The name says where to look: a name the policy's patterns do not match
// (or its allow list does) is not one, except for a known webhook's URL
// (Slack, Discord, Teams), a credential under whatever name. The value decides, and a doubt is
// settled toward secret: a secret kept in plain text is worse than a
// setting moved into a Secret, which the chart reads all the same.
//
// Not secrets: empty, a boolean, a number (unless the name ends in the
// credential, as ADMIN_PASSWORD or LICENSE_KEY: all digits there is a
// PIN), a value that reads as a file path (see isPath), a URL with no
// password, a value that is only a $(VAR) reference (the kubelet expands
// it, which it would not do in a value read from a Secret), a URL whose
// password is such a reference, and a placeholder. Secrets: a URL with a password, a
// credential in its user name, query or path (a webhook), and any other
// value under a secret-looking name, notably one with a credential's
// shape, "$(" inside it or not. A name in secretRefs.always is a secret
// whatever its value, unless empty.
//
// It is the one place the rule lives: env literals and ConfigMap keys both
// ask it.
func (p *Policy) Judge(name, value string) Verdict {
	up := strings.ToUpper(name)
	if matchAny(p.SecretRefs.Allow, up) {
		return Verdict{false, "its name is in secretRefs.allow"}
	}
	v := strings.TrimSpace(value)
	if matchAny(p.SecretRefs.Always, up) && v != "" {
		return Verdict{true, "its name is in secretRefs.always"}
	}
	if !matchAny(p.SecretRefs.Patterns, up) {
		// A known webhook's URL is its credential, and users name it as a
		// URL (SLACK_WEBHOOK_URL), not as a secret.
		if u, ok := asURL(v); ok && isWebhook(u) {
			return Verdict{true, "its value is a webhook URL, whose path is the credential"}
		}
		return Verdict{false, "its name does not look secret"}
	}
	switch {
	case v == "":
		return Verdict{false, "its value is empty"}
	case isReference(v):
		return Verdict{false, "its value is a $(VAR) reference"}
	case allDigits.MatchString(v) && namesCredential(up):
		return Verdict{true, "its value is all digits under a name that names a credential (a PIN)"}
	case isBool(v):
		return Verdict{false, "its value is a boolean"}
	case isNumber(v):
		return Verdict{false, "its value is a number"}
	case p.isPlaceholder(v):
		return Verdict{false, "its value is a placeholder"}
	}
	if u, ok := asURL(v); ok {
		return judgeURL(u)
	}
	if isPath(v) {
		return Verdict{false, "its value is a file path"}
	}
	if credentialShaped(v) {
		return Verdict{true, "its value has a credential's shape"}
	}
	return Verdict{true, "its name looks secret and its value is not a path, URL, number, boolean or placeholder"}
}

// judgeURL finds a credential wherever a URL carries one: the password,
// the user name (https://TOKEN@github.com), the query (?token=) or the
// path (a webhook: https://hooks.slack.com/services/T…/B…/SECRET).
func judgeURL(u *url.URL) Verdict {
	pw, hasPW := u.User.Password()
	pwRef := hasPW && isReference(pw)
	if hasPW && pw != "" && !pwRef {
		return Verdict{true, "its value is a URL with a password"}
	}
	if u.User != nil && randomWords(references.ReplaceAllString(u.User.Username(), "")) {
		return Verdict{true, "its value is a URL with a credential in its user name"}
	}
	for k, vals := range u.Query() {
		if credentialParam.MatchString(k) && len(vals) > 0 && vals[0] != "" && !isReference(vals[0]) {
			return Verdict{true, "its value is a URL with a credential in its query"}
		}
	}
	if isWebhook(u) || randomWords(references.ReplaceAllString(u.Path, "")) {
		return Verdict{true, "its value is a URL with a credential in its path"}
	}
	if pwRef {
		return Verdict{false, "its value is a URL whose password is a $(VAR) reference"}
	}
	return Verdict{false, "its value is a URL without a password"}
}

// webhooks are services whose URL is the credential: whoever has it can
// post. Their secret part may be all letters, so the shape test alone
// could miss it.
var webhooks = []struct {
	host string // the host, or with a leading "." any host under it
	path *regexp.Regexp
}{
	{"hooks.slack.com", regexp.MustCompile(`^/(services|workflows|triggers)/.`)},
	{"discord.com", regexp.MustCompile(`^/api/(v[0-9]+/)?webhooks/.`)},
	{"discordapp.com", regexp.MustCompile(`^/api/(v[0-9]+/)?webhooks/.`)},
	{"ptb.discord.com", regexp.MustCompile(`^/api/(v[0-9]+/)?webhooks/.`)},
	{"canary.discord.com", regexp.MustCompile(`^/api/(v[0-9]+/)?webhooks/.`)},
	{".webhook.office.com", regexp.MustCompile(`^/webhookb2/.`)},
	{"outlook.office.com", regexp.MustCompile(`^/webhook/.`)},
}

func isWebhook(u *url.URL) bool {
	host := strings.ToLower(u.Hostname())
	for _, w := range webhooks {
		if (host == w.host || strings.HasPrefix(w.host, ".") && strings.HasSuffix(host, w.host)) && w.path.MatchString(u.Path) {
			return true
		}
	}
	return false
}

// references is a $(VAR) reference as the kubelet expands it, with a
// variable name as Kubernetes validates one.
var references = regexp.MustCompile(`\$\([-._a-zA-Z][-._a-zA-Z0-9]*\)`)

var onlyReferences = regexp.MustCompile(`^(` + references.String() + `)+$`)

// isReference is a value made of $(VAR) references and nothing else. A
// value with a reference inside other text is judged on the whole: a
// password may hold "$(", and moving it keeps it whole where the kubelet
// would have expanded part of it.
func isReference(v string) bool { return onlyReferences.MatchString(v) }

var allDigits = regexp.MustCompile(`^[0-9]+$`)

// credentialWords end a name that names the credential itself
// (ADMIN_PASSWORD, APP_SECRET, LICENSE_KEY, API_TOKEN), where all digits
// is a PIN. A name that only mentions one (PASSWORD_MIN_LENGTH,
// ACCESS_TOKEN_EXPIRE_MINUTES) holds a setting, and a number there is one.
var credentialWords = []string{"PASSWORD", "PASSWD", "PASSPHRASE", "PASSCODE", "PASS", "PWD", "PIN", "SECRET", "KEY", "TOKEN"}

func namesCredential(up string) bool {
	for _, w := range credentialWords {
		if up == w || strings.HasSuffix(up, w) && (len(w) >= 6 || strings.ContainsRune("_-.", rune(up[len(up)-len(w)-1]))) {
			return true
		}
	}
	return false
}

// LooksSecret reports whether a key name matches a secret pattern and no
// allow entry: where Judge looks at all.
func (p *Policy) LooksSecret(name string) bool {
	up := strings.ToUpper(name)
	return (matchAny(p.SecretRefs.Patterns, up) || matchAny(p.SecretRefs.Always, up)) && !matchAny(p.SecretRefs.Allow, up)
}

func isBool(v string) bool {
	switch strings.ToLower(v) {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "enabled", "disabled":
		return true
	}
	return false
}

func isNumber(v string) bool {
	_, err := strconv.ParseFloat(strings.ReplaceAll(v, "_", ""), 64)
	return err == nil && !strings.HasPrefix(strings.ToLower(v), "0x")
}

// placeholders are values charts ship to be replaced, compared without
// case; the policy's secretRefs.placeholders add to them.
var placeholders = map[string]bool{
	"changeme": true, "change-me": true, "change_me": true, "changeit": true, "replaceme": true,
	"replace-me": true, "replace_me": true, "todo": true, "tbd": true, "none": true, "null": true,
	"nil": true, "<nil>": true, "n/a": true, "na": true, "-": true, "*": true, "unset": true,
	"default": true, "example": true, "placeholder": true, "your-api-key": true, "your_api_key": true,
}

// templated is a value still in some template syntax: <...>, ${...}, {{...}}, or all x's.
var templated = regexp.MustCompile(`^(<[^<>]*>|\$\{[^}]*\}|\{\{.*\}\}|[xX*]{3,})$`)

func (p *Policy) isPlaceholder(v string) bool {
	low := strings.ToLower(v)
	if placeholders[low] || templated.MatchString(v) {
		return true
	}
	for _, ph := range p.SecretRefs.Placeholders {
		if strings.EqualFold(ph, v) {
			return true
		}
	}
	return false
}

// asURL accepts scheme://host..., the shape of connection strings too
// (postgres://, redis://, amqp://).
func asURL(v string) (*url.URL, bool) {
	if !strings.Contains(v, "://") || strings.ContainsAny(v, " \t\n") {
		return nil, false
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" || (u.Host == "" && u.User == nil) {
		return nil, false
	}
	return u, true
}

// credentialParam is a query parameter that carries a credential.
var credentialParam = regexp.MustCompile(`(?i)^(.*(token|secret|password|passwd|pwd|apikey|api_key|access_key|signature|sig)|key|auth)$`)

// isPath reports a value that reads as a file path, not merely one that
// starts with "/": 1 in 64 base64 secrets does, and so can an AWS secret
// key. So it must be absolute (/x, ~/x or C:\x), with no spaces, no empty
// segment ("//"), and segments of the characters file names use, which
// leaves out base64's "+" and "=" padding. No word in it may look
// generated (see randomWords): a key under /etc is still a key. And one
// of these must anchor it:
//   - ~/ or a drive letter;
//   - a first segment that is a well-known root (/etc, /var, /run, ...);
//   - a last segment with an extension (tls.key, creds.json);
//   - two or more segments of lowercase words with a "-", "_" or "."
//     somewhere (/keycloak/secrets/admin-password).
//
// Standard base64 has none of "-", "_" and ".", so a random base64 string
// is taken for a path only if it starts with a root's name, has no "+"
// and no "=" padding, and no word of it looks generated: for an 18-byte
// key that starts with "/", odds under 1 in 10^7, falling with length.
// Hex, JWTs and base64url never start with "/".
func isPath(v string) bool {
	rest, anchored := "", false
	switch {
	case strings.HasPrefix(v, "~/"):
		rest, anchored = v[2:], true
	case len(v) > 3 && unicode.IsLetter(rune(v[0])) && v[1] == ':' && (v[2] == '\\' || v[2] == '/'):
		rest, anchored = strings.ReplaceAll(v[3:], `\`, "/"), true
	case strings.HasPrefix(v, "/"):
		rest = v[1:]
	default:
		return false
	}
	rest = strings.TrimSuffix(rest, "/")
	if rest == "" {
		return false
	}
	segs := strings.Split(rest, "/")
	lowerWords := len(segs) >= 2
	for _, s := range segs {
		if !pathSegment.MatchString(s) || randomWords(s) {
			return false
		}
		lowerWords = lowerWords && lowerSegment.MatchString(s)
	}
	return anchored || pathRoots[segs[0]] || extension.MatchString(segs[len(segs)-1]) ||
		lowerWords && strings.ContainsAny(rest, "-_.")
}

var (
	pathSegment  = regexp.MustCompile(`^[A-Za-z0-9._@:,~-]+$`)
	lowerSegment = regexp.MustCompile(`^[a-z0-9._-]*[a-z][a-z0-9._-]*$`)
	extension    = regexp.MustCompile(`.\.[A-Za-z][A-Za-z0-9]{0,7}$`)
)

// pathRoots are first segments of the paths charts mount secrets and
// config at: the Linux hierarchy, container conventions and macOS's.
var pathRoots = map[string]bool{
	"etc": true, "var": true, "tmp": true, "run": true, "usr": true, "opt": true, "home": true,
	"root": true, "srv": true, "mnt": true, "media": true, "data": true, "app": true, "config": true,
	"conf": true, "secrets": true, "certs": true, "tls": true, "ssl": true, "keys": true,
	"vault": true, "bitnami": true, "workspace": true, "Users": true, "private": true, "Volumes": true,
}

// randomWords reports whether any word of s (split at "/", ".", "-", "_",
// ":", "@" and the like) looks generated rather than typed: 16 or more
// characters mixing letters and digits (hex digests, tokens), or 12 or
// more mixing upper case, lower case and digits (base64). Words people
// name things with (serviceaccount, ISRG_Root_X1, a UUID's groups) do not.
func randomWords(s string) bool {
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("/.-_:@,~", r) }) {
		var lower, upper, digit bool
		for _, r := range w {
			lower = lower || unicode.IsLower(r)
			upper = upper || unicode.IsUpper(r)
			digit = digit || unicode.IsDigit(r)
		}
		if len(w) >= 16 && digit && (lower || upper) || len(w) >= 12 && lower && upper && digit {
			return true
		}
	}
	return false
}

// credentialShaped: at least 8 characters, no spaces, and at least two of
// lowercase, uppercase, digits and symbols, like a password, token or key.
func credentialShaped(v string) bool {
	if len(v) < 8 || strings.ContainsAny(v, " \t\n") {
		return false
	}
	var lower, upper, digit, other int
	for _, r := range v {
		switch {
		case unicode.IsLower(r):
			lower = 1
		case unicode.IsUpper(r):
			upper = 1
		case unicode.IsDigit(r):
			digit = 1
		default:
			other = 1
		}
	}
	return lower+upper+digit+other >= 2
}
