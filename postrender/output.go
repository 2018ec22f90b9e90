package postrender

import (
	"bytes"
	"errors"
	"io"

	"github.com/helm-todo/helm-todo/postrender/spool"
)

// output holds the pass's result until it has all succeeded, so that a
// failure writes nothing. It is spooled (see package spool), so memory
// stays flat however long the stream.
//
// The generated Secret's hashed name is known only at the end, so the
// documents that reference it hold a placeholder, replaced as the output is
// copied out. The pass refuses input holding the placeholder, so every
// occurrence is one of its own and nothing per document need be kept.
type output struct {
	spool.File
}

func (o *output) write(b []byte) { o.Write(b) } // a write error sticks; writeTo returns it

// close removes the spool. It is safe to call more than once.
func (o *output) close() { o.Close() }

// separate starts a document at the end of the stream.
func (o *output) separate() {
	if o.Size() > 0 && o.Last() != '\n' {
		o.write([]byte("\n"))
	}
	o.write([]byte("---\n"))
}

// writeTo copies the output to w, naming the generated Secret where the
// placeholder stands.
func (o *output) writeTo(w io.Writer, secretName string) error {
	if err := o.Err(); err != nil {
		return err
	}
	src, err := o.Reader()
	if err != nil {
		return err
	}
	n, err := copyReplacing(w, src, []byte(placeholder), []byte(secretName))
	if err == nil && n != o.Size() {
		err = errors.New("the spooled output was cut short")
	}
	return err
}

// copyReplacing copies src to w with every old replaced by new, reading
// in blocks; it returns the bytes read. A block's last len(old)-1 bytes are
// held back until the next, so an occurrence split between blocks is
// found.
func copyReplacing(w io.Writer, src io.Reader, old, new []byte) (int64, error) {
	buf := make([]byte, 0, 64<<10)
	var read int64
	for eof := false; !eof; {
		n, err := src.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		read += int64(n)
		switch {
		case errors.Is(err, io.EOF):
			eof = true
		case err != nil:
			return read, err
		}
		// Write up to the last full occurrence, replaced.
		done := 0
		for {
			i := bytes.Index(buf[done:], old)
			if i < 0 {
				break
			}
			if _, err := w.Write(buf[done : done+i]); err != nil {
				return read, err
			}
			if _, err := w.Write(new); err != nil {
				return read, err
			}
			done += i + len(old)
		}
		keep := 0
		if !eof {
			keep = min(len(old)-1, len(buf)-done)
		}
		if _, err := w.Write(buf[done : len(buf)-keep]); err != nil {
			return read, err
		}
		buf = append(buf[:0], buf[len(buf)-keep:]...)
	}
	return read, nil
}
