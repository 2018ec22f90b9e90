package postrender

import (
	"bytes"
	"io"
)

// blockSize is the unit output grows by: fixed blocks, not one doubling
// buffer, so holding 10,000 documents never needs twice their size.
const blockSize = 256 << 10

// output holds the pass's result until it has all succeeded. Documents
// that reference the generated Secret are marked: its hashed name, known
// only at the end, replaces the placeholder in them as they are written.
type output struct {
	blocks [][]byte
	marks  []mark
	last   byte // the last byte written, to tell if it ended a line
}

// mark is a byte range of one block holding the placeholder.
type mark struct{ block, start, end int }

func (o *output) write(b []byte) { o.add(b, false) }

// writeDoc writes a re-serialized document; needsName marks one holding
// the placeholder.
func (o *output) writeDoc(b []byte, needsName bool) { o.add(b, needsName) }

func (o *output) add(b []byte, needsName bool) {
	if len(b) == 0 {
		return
	}
	n := len(o.blocks)
	if n == 0 || len(o.blocks[n-1])+len(b) > cap(o.blocks[n-1]) {
		o.blocks = append(o.blocks, make([]byte, 0, max(blockSize, len(b))))
		n++
	}
	start := len(o.blocks[n-1])
	o.blocks[n-1] = append(o.blocks[n-1], b...)
	if needsName {
		o.marks = append(o.marks, mark{n - 1, start, len(o.blocks[n-1])})
	}
	o.last = b[len(b)-1]
}

// appendDoc adds a document at the end of the stream, after a separator.
func (o *output) appendDoc(b []byte) {
	if len(o.blocks) > 0 && o.last != '\n' {
		o.write([]byte("\n"))
	}
	o.write([]byte("---\n"))
	o.write(b)
}

func (o *output) writeTo(w io.Writer, secretName string) error {
	marks := o.marks
	for i, blk := range o.blocks {
		pos := 0
		for len(marks) > 0 && marks[0].block == i {
			m := marks[0]
			marks = marks[1:]
			named := bytes.ReplaceAll(blk[m.start:m.end], []byte(placeholder), []byte(secretName))
			if err := writeAll(w, blk[pos:m.start], named); err != nil {
				return err
			}
			pos = m.end
		}
		if err := writeAll(w, blk[pos:]); err != nil {
			return err
		}
	}
	return nil
}

func writeAll(w io.Writer, bs ...[]byte) error {
	for _, b := range bs {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}
