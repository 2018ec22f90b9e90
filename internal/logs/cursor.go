package logs

import (
	"bufio"
	"io"
	"strings"
	"time"
)

// cursor is how far one container's log has been shown. The kubelet stamps
// every line (Timestamps: true, nanoseconds), but the API's sinceTime has
// whole seconds, so a resumed stream starts a little early: lines up to
// the last one shown are dropped, and of lines sharing its stamp exactly,
// as many as were shown.
type cursor struct {
	last   time.Time // stamp of the last line shown
	atLast int       // lines shown with exactly that stamp
	skip   int       // of the current stream, lines at last still to drop
	since  time.Time // show nothing older (dev's start)
}

// resume prepares for a new stream and returns the sinceTime to ask for.
func (c *cursor) resume() time.Time {
	c.skip = c.atLast
	if c.last.IsZero() {
		return c.since.Truncate(time.Second)
	}
	return c.last.Truncate(time.Second)
}

// accept says whether a line stamped ts is new.
func (c *cursor) accept(ts time.Time) bool {
	switch {
	case ts.Before(c.since), ts.Before(c.last):
		return false
	case ts.Equal(c.last) && !c.last.IsZero():
		if c.skip > 0 {
			c.skip--
			return false
		}
		c.atLast++
		return true
	}
	c.last, c.atLast, c.skip = ts, 1, 0
	return true
}

// copyLines reads a stamped log stream and emits the new lines, without
// their stamps. A line without a parsable stamp is shown as it is.
func copyLines(r io.Reader, c *cursor, emit func(string)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			line = strings.TrimRight(line, "\r\n")
			stamp, rest, ok := strings.Cut(line, " ")
			if ts, perr := time.Parse(time.RFC3339Nano, stamp); ok && perr == nil {
				if c.accept(ts) {
					emit(rest)
				}
			} else {
				emit(line)
			}
		}
		if err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}
