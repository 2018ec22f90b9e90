package helmrecord

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"testing"
)

func TestDecode(t *testing.T) {
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write([]byte(`{"name":"todo"}`))
	zw.Close()
	data := []byte(base64.StdEncoding.EncodeToString(z.Bytes()))
	if got := Decode(t, data); string(got) != `{"name":"todo"}` {
		t.Errorf("Decode = %q", got)
	}
}
