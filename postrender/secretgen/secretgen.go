// Package secretgen makes the post-renderer's Secret as kustomize's
// secretGenerator would: the same YAML, byte for byte, and the same
// content-hash suffix (kustomize's api/hasher), so changed values roll the
// pods that reference it. secretgen_test.go proves the equivalence against
// krusty.
//
// It does not run krusty: krusty links Go's plugin package, which makes the
// binary dynamically linked with every symbol exported, and the loader then
// pages in most of the binary (28 MB resident before reading a byte). And
// it streams: the values are asked for one at a time, twice (once for the
// hash, once to write), so they can live in a spool file instead of memory.
package secretgen

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// Options describe the Secret to generate.
type Options struct {
	Name      string // before the hash suffix
	Namespace string // may be empty
	// Data calls yield with each data key and its value, byte for byte,
	// in order o, each key once. It is called once per order.
	Data        func(o Order, yield func(key, value string) error) error
	Annotations map[string]string
}

// Order is an order of the data keys.
type Order int

const (
	// ByteOrder is encoding/json's, in which the hash reads the keys.
	ByteOrder Order = iota
	// YAMLOrder is yaml.v2's (sigs.k8s.io/yaml's), in which the YAML
	// lists them: it compares runs of digits as numbers.
	YAMLOrder
)

// Less reports whether a sorts before b in o.
func (o Order) Less(a, b string) bool {
	if o == YAMLOrder {
		return yamlV2Less(a, b)
	}
	return a < b
}

// FromMap is Options.Data for data held in a map.
func FromMap(m map[string]string) func(Order, func(key, value string) error) error {
	return func(o Order, yield func(key, value string) error) error {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return o.Less(keys[i], keys[j]) })
		for _, k := range keys {
			if err := yield(k, m[k]); err != nil {
				return err
			}
		}
		return nil
	}
}

// Generate writes the Secret's YAML to w and returns its hash-suffixed
// name. Errors never quote a value.
func Generate(w io.Writer, o Options) (string, error) {
	if o.Name == "" {
		return "", fmt.Errorf("generated Secret: no name")
	}
	if o.Data == nil {
		return "", fmt.Errorf("generated Secret %s: no data", o.Name)
	}
	// The hash pass also checks the keys, before anything is written.
	name, err := hashedName(o.Name, o.Data)
	if err != nil {
		return "", err
	}
	bw := &errWriter{w: w}
	bw.str("apiVersion: v1\ndata:\n")
	err = o.Data(YAMLOrder, func(k, v string) error {
		bw.str("  " + scalar(k) + ":")
		enc := encodeBase64(v)
		if !strings.Contains(enc, "\n") {
			bw.str(" " + scalar(enc) + "\n")
			return bw.err
		}
		// kyaml writes a multi-line value as a literal block; the
		// encoding ends each line, the last included.
		bw.str(" |\n")
		for _, line := range strings.SplitAfter(enc, "\n") {
			if line != "" {
				bw.str("    " + line)
			}
		}
		return bw.err
	})
	if err != nil {
		return "", err
	}
	bw.str("kind: Secret\nmetadata:\n")
	if len(o.Annotations) > 0 {
		bw.str("  annotations:\n")
		for _, k := range yaml.SortedMapKeys(o.Annotations) {
			bw.str("    " + scalar(k) + ": " + scalar(o.Annotations[k]) + "\n")
		}
	}
	bw.str("  name: " + scalar(name) + "\n")
	if o.Namespace != "" {
		bw.str("  namespace: " + scalar(o.Namespace) + "\n")
	}
	bw.str("type: Opaque\n")
	return name, bw.err
}

// hashedName is kustomize's name for the Secret: its hasher
// (api/hasher.Hasher) takes the SHA-256 of the JSON of {data, kind, name,
// type} (keys sorted, as json.Marshal writes a map), keeps 10 hex digits
// and swaps some of them for letters.
//
// It reads the data in byte order and fails on a key given twice or out of
// order, or on no data at all.
func hashedName(name string, data func(Order, func(k, v string) error) error) (string, error) {
	h := sha256.New()
	h.Write([]byte(`{"data":{`))
	var prev string
	n := 0
	err := data(ByteOrder, func(k, v string) error {
		switch {
		case n > 0 && k == prev:
			return fmt.Errorf("generated Secret %s: key %s given twice", name, k)
		case n > 0 && k < prev:
			return fmt.Errorf("generated Secret %s: key %s given out of order", name, k)
		case n > 0:
			h.Write([]byte(","))
		}
		h.Write(jsonString(k))
		h.Write([]byte(":"))
		h.Write(jsonString(encodeBase64(v)))
		prev = k
		n++
		return nil
	})
	if err != nil {
		return "", err
	}
	if n == 0 {
		return "", fmt.Errorf("generated Secret %s: no data", name)
	}
	// The name is always empty: the hasher looks up "metadata/name" as
	// one field name, which never exists. Kept, to match kustomize.
	h.Write([]byte(`},"kind":"Secret","name":"","type":"Opaque"}`))
	sum := []byte(hex.EncodeToString(h.Sum(nil))[:10])
	for i, c := range sum {
		switch c {
		case '0':
			sum[i] = 'g'
		case '1':
			sum[i] = 'h'
		case '3':
			sum[i] = 'k'
		case 'a':
			sum[i] = 'm'
		case 'e':
			sum[i] = 't'
		}
	}
	return name + "-" + string(sum), nil
}

func jsonString(s string) []byte {
	b, _ := json.Marshal(s) // a string always marshals
	return b
}

// encodeBase64 is kyaml's encoding of Secret data: base64 broken into
// lines of 70 characters, each ending in a newline, when it is longer.
func encodeBase64(s string) string {
	const lineLen = 70
	enc := base64.StdEncoding.EncodeToString([]byte(s))
	if len(enc) < lineLen {
		return enc
	}
	var b strings.Builder
	for i := 0; i < len(enc); i += lineLen {
		b.WriteString(enc[i:min(i+lineLen, len(enc))])
		b.WriteByte('\n')
	}
	return b.String()
}

// scalar is s as kustomize writes a string (its resources' AsYAML is
// sigs.k8s.io/yaml's JSONToYAML): plain where that reads back as the same
// string, else quoted.
func scalar(s string) string {
	if plain(s) {
		return s
	}
	out, err := sigsyaml.Marshal(s)
	if err != nil {
		return strconv.Quote(s)
	}
	return strings.TrimSuffix(string(out), "\n")
}

// plain is a fast path for the common case, a name: letters, digits and
// -._/ starting with a letter, which YAML reads as a string unless it is
// one of the words below. Anything else takes the slow path.
func plain(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '/') {
			return false
		}
	}
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "on", "off", "true", "false", "null":
		return false
	}
	return true
}

// yamlV2Less is the order in which go.yaml.in/yaml/v2 (v2.4.4, under
// sigs.k8s.io/yaml) writes the string keys of a map: letters by code
// point, a letter after anything else, and runs of digits by value.
func yamlV2Less(a, b string) bool {
	ar, br := []rune(a), []rune(b)
	for i := 0; i < len(ar) && i < len(br); i++ {
		if ar[i] == br[i] {
			continue
		}
		al := unicode.IsLetter(ar[i])
		bl := unicode.IsLetter(br[i])
		if al && bl {
			return ar[i] < br[i]
		}
		if al || bl {
			return bl
		}
		var ai, bi int
		var an, bn int64
		if ar[i] == '0' || br[i] == '0' {
			for j := i - 1; j >= 0 && unicode.IsDigit(ar[j]); j-- {
				if ar[j] != '0' {
					an = 1
					bn = 1
					break
				}
			}
		}
		for ai = i; ai < len(ar) && unicode.IsDigit(ar[ai]); ai++ {
			an = an*10 + int64(ar[ai]-'0')
		}
		for bi = i; bi < len(br) && unicode.IsDigit(br[bi]); bi++ {
			bn = bn*10 + int64(br[bi]-'0')
		}
		if an != bn {
			return an < bn
		}
		if ai != bi {
			return ai < bi
		}
		return ar[i] < br[i]
	}
	return len(ar) < len(br)
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) str(s string) {
	if e.err == nil {
		_, e.err = io.WriteString(e.w, s)
	}
}
