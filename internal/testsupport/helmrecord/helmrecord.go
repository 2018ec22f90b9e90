// Package helmrecord reads the release records Helm stores in Secrets, so
// a test can look inside the history Helm keeps (for a secret value that
// must not be there).
package helmrecord

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"io"
	"testing"
)

// Decode undoes Helm's storage encoding of a record's "release" field:
// base64, then gzip, giving the release's JSON.
func Decode(t testing.TB, data []byte) []byte {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(string(data))
	if err != nil {
		t.Fatalf("release record: base64: %v", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("release record: gzip: %v", err)
	}
	js, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("release record: gzip: %v", err)
	}
	return js
}
