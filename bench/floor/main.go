// Command floor is bench/postrender.sh's reference for the least a
// per-document post-renderer can cost: split stdin on "---" lines, parse
// each document with yaml.v3 and write it back to stdout.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"
)

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	r := bufio.NewReaderSize(in, 64<<10)
	w := bufio.NewWriterSize(out, 64<<10)
	var doc bytes.Buffer
	flush := func() error {
		if len(bytes.TrimSpace(doc.Bytes())) == 0 {
			doc.Reset()
			return nil
		}
		var n yaml.Node
		if err := yaml.Unmarshal(doc.Bytes(), &n); err != nil {
			return err
		}
		doc.Reset()
		w.WriteString("---\n")
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		if err := enc.Encode(&n); err != nil {
			return err
		}
		return enc.Close()
	}
	for {
		line, err := r.ReadBytes('\n')
		if bytes.HasPrefix(line, []byte("---")) && len(bytes.TrimSpace(line[3:])) == 0 {
			if ferr := flush(); ferr != nil {
				return ferr
			}
		} else {
			doc.Write(line)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return w.Flush()
}
