package postrender

import (
	"bytes"
	"io"
)

// output holds the pass's result until it has all succeeded. Documents
// that reference the generated Secret are kept apart: its hashed name is
// known only at the end.
type output struct {
	segs []segment
	last []byte // tail of the most recent write, to tell if it ended a line
}

type segment struct {
	b         []byte
	needsName bool
}

func (o *output) write(b []byte) {
	if len(b) == 0 {
		return
	}
	o.last = b
	if n := len(o.segs); n > 0 && !o.segs[n-1].needsName {
		o.segs[n-1].b = append(o.segs[n-1].b, b...)
		return
	}
	o.segs = append(o.segs, segment{b: append([]byte(nil), b...)})
}

// writeDoc writes a re-serialized document; needsName marks one holding
// the placeholder.
func (o *output) writeDoc(b []byte, needsName bool) {
	if !needsName {
		o.write(b)
		return
	}
	o.last = b
	o.segs = append(o.segs, segment{b: b, needsName: true})
}

// appendDoc adds a document at the end of the stream, after a separator.
func (o *output) appendDoc(b []byte) {
	if len(o.last) > 0 && o.last[len(o.last)-1] != '\n' {
		o.write([]byte("\n"))
	}
	o.write([]byte("---\n"))
	o.write(b)
}

func (o *output) writeTo(w io.Writer, secretName string) error {
	for _, s := range o.segs {
		b := s.b
		if s.needsName {
			b = bytes.ReplaceAll(b, []byte(placeholder), []byte(secretName))
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}
