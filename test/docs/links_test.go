package docs_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// markdownPages are the pages whose links must resolve: the README and
// everything under docs/.
func markdownPages(t *testing.T) []string {
	t.Helper()
	pages := []string{filepath.Join(repo, "README.md")}
	err := filepath.WalkDir(filepath.Join(repo, "docs"), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".md") {
			pages = append(pages, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return pages
}

var (
	// link is an inline Markdown link or image: [text](target "title").
	link = regexp.MustCompile(`\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	// fence opens or closes a code block, whose text holds no links.
	fence   = regexp.MustCompile("^\\s*(```|~~~)")
	heading = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)
	// inline code spans hold no links either.
	codeSpan = regexp.MustCompile("`[^`]*`")
)

// anchors are the heading anchors GitHub makes for a page: lowercase,
// punctuation dropped, spaces to hyphens, a repeated one suffixed -1, -2.
func anchors(t *testing.T, path string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	seen := map[string]int{}
	inFence := false
	for _, line := range strings.Split(string(b), "\n") {
		if fence.MatchString(line) {
			inFence = !inFence
			continue
		}
		m := heading.FindStringSubmatch(line)
		if inFence || m == nil {
			continue
		}
		a := anchor(m[1])
		if n := seen[a]; n > 0 {
			out[a+"-"+strconv.Itoa(n)] = true
		} else {
			out[a] = true
		}
		seen[a]++
	}
	return out
}

func anchor(h string) string {
	h = strings.ToLower(h)
	var b strings.Builder
	for _, r := range h {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 && r != '…' && r != '→' && r != '—' && r != '–':
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestLinksResolve: every relative link in the README and docs/ names a
// file or directory of the repository, and an anchor names a heading of
// that page. Links to other sites are not fetched.
func TestLinksResolve(t *testing.T) {
	pages := markdownPages(t)
	if len(pages) < 5 {
		t.Fatalf("found %d pages; the walk is broken", len(pages))
	}
	checked := 0
	for _, page := range pages {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(repo, page)
		inFence := false
		for i, line := range strings.Split(string(b), "\n") {
			if fence.MatchString(line) {
				inFence = !inFence
				continue
			}
			if inFence {
				continue
			}
			for _, m := range link.FindAllStringSubmatch(codeSpan.ReplaceAllString(line, ""), -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				checked++
				file, frag, _ := strings.Cut(target, "#")
				dest := page
				if file != "" {
					dest = filepath.Join(filepath.Dir(page), filepath.FromSlash(file))
					if !strings.HasPrefix(dest, repo) {
						t.Errorf("%s:%d: link %s leaves the repository", rel, i+1, target)
						continue
					}
					if _, err := os.Stat(dest); err != nil {
						t.Errorf("%s:%d: link %s: no such file in the repository", rel, i+1, target)
						continue
					}
				}
				if frag != "" {
					if !strings.HasSuffix(dest, ".md") {
						t.Errorf("%s:%d: link %s: an anchor into a file that is not Markdown", rel, i+1, target)
					} else if !anchors(t, dest)[frag] {
						t.Errorf("%s:%d: link %s: %s has no heading with anchor #%s", rel, i+1, target, filepath.Base(dest), frag)
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no relative link checked; the link pattern is broken")
	}
}
