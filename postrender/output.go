package postrender

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
)

// output holds the pass's result until it has all succeeded, so that a
// failure writes nothing. It spools to a temporary file, so memory stays
// flat however long the stream: the file is unlinked as soon as it is
// opened where the system allows (it then vanishes on any exit, a signal or
// a crash included) and removed by close elsewhere. Without a usable
// temporary directory it holds the output in memory instead.
//
// Documents that reference the generated Secret are marked: its hashed
// name, known only at the end, replaces the placeholder in them as they
// are copied out.
type output struct {
	f     *os.File      // the spool, nil until the first write or in memory
	w     *bufio.Writer // buffers writes to f
	mem   bytes.Buffer  // the fallback
	size  int64
	marks []mark
	last  byte // the last byte written, to tell if it ended a line
	err   error
}

// mark is a byte range of the output holding the placeholder.
type mark struct{ start, end int64 }

func (o *output) write(b []byte) { o.add(b, false) }

// writeDoc writes a re-serialized document; needsName marks one holding
// the placeholder.
func (o *output) writeDoc(b []byte, needsName bool) { o.add(b, needsName) }

func (o *output) add(b []byte, needsName bool) {
	if len(b) == 0 || o.err != nil {
		return
	}
	if o.w == nil && o.mem.Len() == 0 {
		o.open()
	}
	if o.w != nil {
		_, o.err = o.w.Write(b)
	} else {
		o.mem.Write(b)
	}
	if needsName {
		o.marks = append(o.marks, mark{o.size, o.size + int64(len(b))})
	}
	o.size += int64(len(b))
	o.last = b[len(b)-1]
}

func (o *output) open() {
	f, err := os.CreateTemp("", "helm-todo-postrender-*.yaml")
	if err != nil {
		return // in memory
	}
	// Unlinking an open file works on Unix; on Windows it fails and close
	// removes the file instead (Run closes on every return, and the
	// binary turns SIGINT/SIGTERM into a normal return).
	_ = os.Remove(f.Name())
	o.f, o.w = f, bufio.NewWriterSize(f, 64<<10)
}

// close removes the spool. It is safe to call more than once.
func (o *output) close() {
	if o.f == nil {
		return
	}
	name := o.f.Name()
	o.f.Close()
	os.Remove(name) // already gone where it was unlinked at open
	o.f, o.w = nil, nil
}

// separate starts a document at the end of the stream.
func (o *output) separate() {
	if o.size > 0 && o.last != '\n' {
		o.write([]byte("\n"))
	}
	o.write([]byte("---\n"))
}

// Write appends to the output, for writers that stream a document into it
// after separate.
func (o *output) Write(b []byte) (int, error) {
	o.write(b)
	if o.err != nil {
		return 0, o.err
	}
	return len(b), nil
}

// writeTo copies the output to w, naming the generated Secret in the marks.
func (o *output) writeTo(w io.Writer, secretName string) error {
	if o.err != nil {
		return o.err
	}
	var src io.Reader = &o.mem
	if o.w != nil {
		if err := o.w.Flush(); err != nil {
			return err
		}
		if _, err := o.f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		src = bufio.NewReaderSize(o.f, 64<<10)
	}
	var pos int64
	for _, m := range o.marks {
		if _, err := io.CopyN(w, src, m.start-pos); err != nil {
			return err
		}
		doc := make([]byte, m.end-m.start)
		if _, err := io.ReadFull(src, doc); err != nil {
			return err
		}
		if _, err := w.Write(bytes.ReplaceAll(doc, []byte(placeholder), []byte(secretName))); err != nil {
			return err
		}
		pos = m.end
	}
	n, err := io.Copy(w, src)
	if err == nil && pos+n != o.size {
		err = errors.New("the spooled output was cut short")
	}
	return err
}
