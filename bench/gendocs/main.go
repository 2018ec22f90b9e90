// Command gendocs prints the chart-like stream bench/postrender.sh feeds to
// every post-renderer: gendocs N writes N documents.
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/helm-todo/helm-todo/postrender/corpus"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gendocs N")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[1])
	if err != nil || n < 0 {
		fmt.Fprintln(os.Stderr, "error: N must be a non-negative integer")
		os.Exit(2)
	}
	os.Stdout.Write(corpus.Chart(n))
}
