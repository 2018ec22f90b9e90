package postrender

import (
	"bufio"
	"bytes"
	"io"
)

// chunk is one document as it came: its separator line ("---\n", possibly
// with a comment; empty for a stream's first document) and its body. The
// concatenation of every chunk's sep and body is the input, byte for byte,
// so an untouched document is written back exactly.
type chunk struct {
	sep, body []byte
}

// splitter reads a YAML stream one document at a time, holding no more
// than the current document.
type splitter struct {
	r    *bufio.Reader
	next []byte // the separator line that ended the previous document
	done bool
}

func newSplitter(r io.Reader) *splitter {
	return &splitter{r: bufio.NewReaderSize(r, 64<<10)}
}

// Next returns the next chunk, or io.EOF after the last.
func (s *splitter) Next() (chunk, error) {
	if s.done {
		return chunk{}, io.EOF
	}
	c := chunk{sep: s.next}
	s.next = nil
	var body []byte
	for {
		line, err := s.r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A line longer than the buffer cannot be a separator.
			body = append(body, line...)
			continue
		}
		if len(line) > 0 && isSeparator(line) {
			s.next = append([]byte(nil), line...)
			c.body = body
			return c, nil
		}
		body = append(body, line...)
		if err == io.EOF {
			s.done = true
			c.body = body
			if c.sep == nil && len(body) == 0 {
				return chunk{}, io.EOF
			}
			return c, nil
		}
		if err != nil {
			return chunk{}, err
		}
	}
}

// isSeparator matches what Kubernetes' YAML reader (and so Helm and kubectl)
// splits on: "---" at the start of a line, then nothing but space or a comment.
func isSeparator(line []byte) bool {
	if !bytes.HasPrefix(line, []byte("---")) {
		return false
	}
	rest := bytes.TrimSpace(line[3:])
	return len(rest) == 0 || rest[0] == '#'
}
