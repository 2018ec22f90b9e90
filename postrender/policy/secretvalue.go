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
// (or its allow list does) is not one. The value decides: empty, a
// boolean, a number, an absolute file path (the *_FILE convention for a
// mounted Secret), a URL with no password, a $(VAR) reference and a
// placeholder are not secrets; a URL with a password or a credential in
// its query is, and so is any other value under a secret-looking name,
// notably one with a credential's shape. A name in secretRefs.always is a
// secret whatever its value, unless empty.
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
		return Verdict{false, "its name does not look secret"}
	}
	switch {
	case v == "":
		return Verdict{false, "its value is empty"}
	case strings.Contains(v, "$("):
		return Verdict{false, "its value is a $(VAR) reference"}
	case isBool(v):
		return Verdict{false, "its value is a boolean"}
	case isNumber(v):
		return Verdict{false, "its value is a number"}
	case p.isPlaceholder(v):
		return Verdict{false, "its value is a placeholder"}
	}
	if u, ok := asURL(v); ok {
		if pw, set := u.User.Password(); set && pw != "" {
			return Verdict{true, "its value is a URL with a password"}
		}
		for k, vals := range u.Query() {
			if credentialParam.MatchString(k) && len(vals) > 0 && vals[0] != "" {
				return Verdict{true, "its value is a URL with a credential in its query"}
			}
		}
		return Verdict{false, "its value is a URL without a password"}
	}
	if isPath(v) {
		return Verdict{false, "its value is a file path"}
	}
	if credentialShaped(v) {
		return Verdict{true, "its value has a credential's shape"}
	}
	return Verdict{true, "its name looks secret and its value is not a path, URL, number, boolean or placeholder"}
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

// isPath is an absolute file path: /x, ~/x or C:\x, with no spaces.
func isPath(v string) bool {
	if strings.ContainsAny(v, " \t\n") {
		return false
	}
	if strings.HasPrefix(v, "/") || strings.HasPrefix(v, "~/") {
		return len(v) > 1
	}
	return len(v) > 3 && unicode.IsLetter(rune(v[0])) && v[1] == ':' && (v[2] == '\\' || v[2] == '/')
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
