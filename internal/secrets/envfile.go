// Package secrets turns an env file and the process environment into the
// Secret the todo chart references as secrets.existingSecret,
// so that no secret value ever reaches Helm values or release history.
//
// Values read here are never formatted into errors, plans or logs: messages
// name the file, the line and the key, and nothing else.
package secrets

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
)

// ParseFile reads a dotenv file. A missing file is reported with
// os.IsNotExist true so callers can treat the default .env as optional.
func ParseFile(path string) (map[string]string, error) {
	vals, _, err := parseFile(path)
	return vals, err
}

// parseFile is ParseFile plus the notices Parse would drop.
func parseFile(path string) (map[string]string, []string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return parse(path, bytes.NewReader(data))
}

// Parse reads dotenv text. The accepted format is the common subset of
// docker compose and python-dotenv:
//
//	# comment
//	KEY=value            # trailing comment after whitespace
//	export KEY=value
//	KEY='literal, no escapes'
//	KEY="escapes \n \t \" \\ and
//	     newlines inside the quotes"
//
// name is used in errors only ("name:line: ...").
func Parse(name string, r io.Reader) (map[string]string, error) {
	vals, _, err := parse(name, r)
	return vals, err
}

// parse is Parse, also returning notices: a key set twice takes the later
// line, as docker compose and python-dotenv do, but it is most often a
// pasted-over line, so the user hears of it (lines only, never values).
func parse(name string, r io.Reader) (map[string]string, []string, error) {
	out := map[string]string{}
	first := map[string]int{}
	var notices []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		start := line
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		text = strings.TrimPrefix(text, "export ")
		eq := strings.IndexByte(text, '=')
		if eq < 0 {
			return nil, nil, fmt.Errorf("%s:%d: expected KEY=VALUE", name, start)
		}
		key := strings.TrimSpace(text[:eq])
		if !validKey(key) {
			return nil, nil, fmt.Errorf("%s:%d: invalid key name %q: use letters, digits and underscores", name, start, key)
		}
		raw := strings.TrimLeft(text[eq+1:], " \t")
		var val string
		switch {
		case strings.HasPrefix(raw, `"`) || strings.HasPrefix(raw, `'`):
			q := raw[0]
			body := raw[1:]
			// A quoted value may span lines: keep reading until the closing quote.
			for closingQuote(body, q) < 0 {
				if !sc.Scan() {
					return nil, nil, fmt.Errorf("%s:%d: unterminated %c-quoted value for %s: close the quote", name, start, q, key)
				}
				line++
				body += "\n" + sc.Text()
			}
			end := closingQuote(body, q)
			rest := strings.TrimSpace(body[end+1:])
			if rest != "" && !strings.HasPrefix(rest, "#") {
				return nil, nil, fmt.Errorf("%s:%d: unexpected text after the closing quote of %s: quote the whole value", name, line, key)
			}
			val = body[:end]
			if q == '"' {
				val = unescape(val)
			}
		default:
			val = raw
			if i := commentStart(val); i >= 0 {
				val = val[:i]
			}
			val = strings.TrimSpace(val)
		}
		if prev, ok := first[key]; ok {
			notices = append(notices, fmt.Sprintf("%s:%d: %s is set again (first at line %d); line %d's value is used", name, start, key, prev, start))
		} else {
			first[key] = start
		}
		out[key] = val
	}
	if err := sc.Err(); err != nil {
		return nil, nil, scanError(name, line+1, err)
	}
	return out, notices, nil
}

func validKey(k string) bool {
	if k == "" || (k[0] >= '0' && k[0] <= '9') {
		return false
	}
	for _, r := range k {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.') {
			return false
		}
	}
	return true
}

// closingQuote finds the unescaped closing quote q in s, or -1.
func closingQuote(s string, q byte) int {
	for i := 0; i < len(s); i++ {
		if q == '"' && s[i] == '\\' {
			i++
			continue
		}
		if s[i] == q {
			return i
		}
	}
	return -1
}

// commentStart finds " #" in an unquoted value: a # glued to text is part of
// the value (URLs carry fragments, passwords carry #).
func commentStart(s string) int {
	for i := 1; i < len(s); i++ {
		if s[i] == '#' && (s[i-1] == ' ' || s[i-1] == '\t') {
			return i
		}
	}
	return -1
}

func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '"', '\\', '$':
			b.WriteByte(s[i])
		default:
			b.WriteByte('\\')
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
