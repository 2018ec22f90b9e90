package spool

import (
	"io"
	"os"
	"strings"
	"testing"
)

// A spool reads back what was written, also after further writes, on disk
// or in memory, and leaves no file behind.
func TestFile(t *testing.T) {
	for name, dir := range map[string]string{"disk": "", "memory": "/missing"} {
		t.Run(name, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp+dir)
			var s File
			defer s.Close()
			if s.Size() != 0 || s.Last() != 0 {
				t.Fatal("a new spool is not empty")
			}
			s.WriteString("one\n")
			first := readAll(t, &s)
			big := strings.Repeat("x", 3*bufSize+1)
			s.WriteString(big)
			if first != "one\n" || readAll(t, &s) != "one\n"+big || s.Size() != int64(4+len(big)) || s.Last() != 'x' {
				t.Errorf("read back %d bytes, size %d", len(readAll(t, &s)), s.Size())
			}
			ra, err := s.ReaderAt()
			if err != nil {
				t.Fatal(err)
			}
			b := make([]byte, 3)
			if _, err := ra.ReadAt(b, 1); err != nil || string(b) != "ne\n" {
				t.Errorf("ReadAt: %q %v", b, err)
			}
			s.Close()
			s.Close()
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("left in TMPDIR: %v", left)
			}
		})
	}
}

func readAll(t *testing.T, s *File) string {
	t.Helper()
	r, err := s.Reader()
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
