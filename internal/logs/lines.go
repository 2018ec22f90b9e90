// Package logs streams the app's pod logs to the terminal for `helm todo
// dev`: one line each, prefixed with the component, following new pods
// after every rollout, with no line shown twice or dropped when a stream
// is resumed.
package logs

import (
	"bytes"
	"io"
	"sync"
)

// Lines is a terminal shared by several writers (up's progress, the log
// streams): only whole lines go out, one at a time, so a log line never
// lands inside another line.
type Lines struct {
	mu  sync.Mutex
	out io.Writer
}

// NewLines wraps out.
func NewLines(out io.Writer) *Lines { return &Lines{out: out} }

// Line writes s and a newline.
func (l *Lines) Line(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	io.WriteString(l.out, s+"\n")
}

// Writer is one writer's view of the terminal: it holds a partial line
// until its newline arrives. Flush sends what is left.
func (l *Lines) Writer() *Writer { return &Writer{l: l} }

// Writer buffers one source's partial line; see Lines.Writer.
type Writer struct {
	l   *Lines
	mu  sync.Mutex
	buf []byte
}

func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	i := bytes.LastIndexByte(w.buf, '\n')
	if i < 0 {
		return len(p), nil
	}
	w.l.mu.Lock()
	_, err := w.l.out.Write(w.buf[:i+1])
	w.l.mu.Unlock()
	w.buf = append(w.buf[:0], w.buf[i+1:]...)
	return len(p), err
}

// Flush writes a partial line that has no newline yet.
func (w *Writer) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) == 0 {
		return
	}
	w.l.Line(string(w.buf))
	w.buf = w.buf[:0]
}
