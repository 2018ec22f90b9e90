// Package spool holds what the post-renderer must keep until the end of a
// pass (its output, its notices, the values moved into the generated
// Secret) outside the heap, so that memory stays flat however long the
// stream.
//
// A File is an unlinked temporary file where the system allows: it then
// vanishes on any exit, a signal or a crash included, and leaves nothing
// for anyone to read. Elsewhere Close removes it. Without a usable
// temporary directory it holds the bytes in memory instead, so a pass
// still works, only less flat.
package spool

import (
	"bufio"
	"bytes"
	"io"
	"os"
)

// bufSize is the write buffer, and the read buffer of Reader.
const bufSize = 64 << 10

// File is written to, then read back. Its zero value is ready to use.
type File struct {
	f    *os.File      // nil until the first write, or in memory
	w    *bufio.Writer // buffers writes to f
	mem  bytes.Buffer  // the fallback
	size int64
	last byte // the last byte written
	err  error
}

// Write appends b. The first error sticks: every later call returns it.
func (s *File) Write(b []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if len(b) == 0 {
		return 0, nil
	}
	if s.w == nil && s.mem.Len() == 0 {
		s.open()
	}
	if s.w != nil {
		if _, s.err = s.w.Write(b); s.err != nil {
			return 0, s.err
		}
	} else {
		s.mem.Write(b)
	}
	s.size += int64(len(b))
	s.last = b[len(b)-1]
	return len(b), nil
}

// WriteString appends str.
func (s *File) WriteString(str string) (int, error) {
	// The conversion copies; the strings spooled here are short lines.
	return s.Write([]byte(str))
}

func (s *File) open() {
	f, err := os.CreateTemp("", "helm-todo-postrender-*")
	if err != nil {
		return // in memory
	}
	// Unlinking an open file works on Unix; on Windows it fails and Close
	// removes the file instead (the binary turns SIGINT and SIGTERM into
	// a normal return, so Close runs).
	_ = os.Remove(f.Name())
	s.f, s.w = f, bufio.NewWriterSize(f, bufSize)
}

// Size is the number of bytes written.
func (s *File) Size() int64 { return s.size }

// Last is the last byte written, 0 before any.
func (s *File) Last() byte { return s.last }

// Err is the first write error, if any.
func (s *File) Err() error { return s.err }

// ReaderAt gives access to everything written so far. Writing may go on
// after it; a later call sees the later bytes.
func (s *File) ReaderAt() (io.ReaderAt, error) {
	if s.err != nil {
		return nil, s.err
	}
	if s.w == nil {
		return bytes.NewReader(s.mem.Bytes()), nil
	}
	if err := s.w.Flush(); err != nil {
		s.err = err
		return nil, err
	}
	return s.f, nil
}

// Reader reads everything written so far from the start, buffered.
func (s *File) Reader() (io.Reader, error) {
	ra, err := s.ReaderAt()
	if err != nil {
		return nil, err
	}
	return bufio.NewReaderSize(io.NewSectionReader(ra, 0, s.size), bufSize), nil
}

// Close removes the file. It is safe to call more than once, and on the
// zero value.
func (s *File) Close() {
	if s.f != nil {
		name := s.f.Name()
		s.f.Close()
		os.Remove(name) // already gone where it was unlinked at open
	}
	s.f, s.w = nil, nil
	s.mem = bytes.Buffer{}
}
