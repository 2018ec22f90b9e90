// Package live is helm todo dev's live update: which changes can go into
// the running backend pods without an image build (the files the image
// copies verbatim), the snapshot of that code, and its delivery into the
// pods through the exec API as the pods' own user, Pod Security
// "restricted" intact. The chart's live-update mode (an emptyDir for the
// code, seeded by an init container, a reloading server) is the other half.
package live

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// Rule says which part of the build context the image holds verbatim, and
// where: everything under Local (slash-separated, relative to the context)
// is at Remote in the final image, byte for byte.
type Rule struct {
	Local  string // e.g. "src"
	Remote string // e.g. "/app/src"
}

// FromDockerfile finds the rule for remote, the chart's live-update path:
// a COPY of one context directory to remote in the final stage, after
// which nothing else in that stage can change it (no RUN, no COPY or ADD
// into it). The error says why there is none, for dev to print.
// contextDir tells whether a COPY to a parent of remote reaches into it.
func FromDockerfile(dockerfile []byte, contextDir, remote string) (Rule, error) {
	res, err := parser.Parse(bytes.NewReader(dockerfile))
	if err != nil {
		return Rule{}, fmt.Errorf("parse the Dockerfile: %w", err)
	}
	remote = path.Clean(remote)
	var final []*parser.Node
	for _, n := range res.AST.Children {
		if strings.EqualFold(n.Value, "from") {
			final = nil
		}
		final = append(final, n)
	}
	workdir, found := "/", Rule{}
	for _, n := range final {
		args := nodeArgs(n)
		instr := strings.ToLower(n.Value)
		switch instr {
		case "workdir":
			if len(args) != 1 || strings.Contains(args[0], "$") {
				return Rule{}, fmt.Errorf("line %d: a WORKDIR with a variable: live update cannot tell where the code lands", n.StartLine)
			}
			workdir = path.Join(workdir, args[0])
			if path.IsAbs(args[0]) {
				workdir = path.Clean(args[0])
			}
		case "run":
			if found.Local != "" {
				return Rule{}, fmt.Errorf("line %d: a RUN after the COPY to %s may change the code, so it is not copied verbatim", n.StartLine, remote)
			}
		case "copy", "add":
			if len(args) < 2 {
				continue
			}
			dest := args[len(args)-1]
			if !path.IsAbs(dest) {
				dest = path.Join(workdir, dest)
			}
			dest = path.Clean(dest)
			if !reaches(contextDir, args[:len(args)-1], dest, remote) {
				continue
			}
			if found.Local != "" {
				return Rule{}, fmt.Errorf("line %d: a second %s into %s: live update needs one verbatim COPY", n.StartLine, n.Value, remote)
			}
			src := args[:len(args)-1]
			if instr != "copy" || hasFlag(n, "--from") || dest != remote || len(src) != 1 || strings.ContainsAny(src[0], "*?[$") {
				return Rule{}, fmt.Errorf("line %d: %s is not a COPY of one context directory to %s", n.StartLine, strings.TrimSpace(n.Original), remote)
			}
			local := path.Clean(strings.TrimPrefix(src[0], "/"))
			if local == "." || strings.HasPrefix(local, "../") {
				return Rule{}, fmt.Errorf("line %d: %s copies the whole context: live update carries one code directory", n.StartLine, strings.TrimSpace(n.Original))
			}
			found = Rule{Local: local, Remote: remote}
		}
	}
	if found.Local == "" {
		return Rule{}, fmt.Errorf("the final stage copies nothing to %s", remote)
	}
	return found, nil
}

// reaches says whether copying srcs to dest may write under remote: dest
// is remote, under it, or a parent of it that a copied directory (or a
// pattern) could fill.
func reaches(contextDir string, srcs []string, dest, remote string) bool {
	if dest == remote || strings.HasPrefix(dest, remote+"/") {
		return true
	}
	rest, ok := strings.CutPrefix(remote, strings.TrimSuffix(dest, "/")+"/")
	if !ok {
		return false
	}
	for _, s := range srcs {
		if strings.ContainsAny(s, "*?[$") {
			return true
		}
		fi, err := os.Stat(filepath.Join(contextDir, filepath.FromSlash(s)))
		if err != nil {
			return true // cannot tell: assume the worst
		}
		top := strings.SplitN(rest, "/", 2)[0]
		if fi.IsDir() {
			if _, err := os.Stat(filepath.Join(contextDir, filepath.FromSlash(s), top)); err == nil {
				return true
			}
		} else if path.Base(s) == top {
			return true
		}
	}
	return false
}

func nodeArgs(n *parser.Node) []string {
	var out []string
	for a := n.Next; a != nil; a = a.Next {
		out = append(out, a.Value)
	}
	return out
}

func hasFlag(n *parser.Node, name string) bool {
	for _, f := range n.Flags {
		if f == name || strings.HasPrefix(f, name+"=") {
			return true
		}
	}
	return false
}
