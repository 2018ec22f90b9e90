// Package textwrap fills words into lines for help texts and generated
// files, where the first line starts part-way across.
package textwrap

import "strings"

// Fill joins the words of text into lines of at most width columns. The
// first line starts at column col (the text before it is the caller's);
// each later line starts with prefix.
func Fill(text string, col, width int, prefix string) string {
	var b strings.Builder
	for i, w := range strings.Fields(text) {
		if i > 0 && col+1+len(w) > width {
			b.WriteString("\n" + prefix)
			col = len(prefix)
		} else if i > 0 {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(w)
		col += len(w)
	}
	return b.String()
}
