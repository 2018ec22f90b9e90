package docs_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// fixLine is one fix a user can be shown, where the code makes it.
type fixLine struct {
	pos  string // file:line
	what string // the error's text, or its format ("" when computed)
	fix  string // the fix's text; a format's verbs are kept
}

// clierrCalls are the constructors of internal/clierr and the position of
// their what and fix arguments.
var clierrCalls = map[string]struct{ what, fix int }{
	"New":    {0, 1},
	"Usage":  {0, 1},
	"Usagef": {1, 0},
}

// fixLines walks the product's Go code (no tests, no test support) for
// every clierr error whose fix is written out in the code: a string
// literal, or a fmt.Sprintf format. A fix computed elsewhere (a variable)
// is the callee's literal, found where it is written.
func fixLines(t *testing.T) []fixLine {
	t.Helper()
	var out []fixLine
	fset := token.NewFileSet()
	files := map[string]*ast.File{}
	for _, dir := range []string{"cmd", "internal", "postrender"} {
		err := filepath.WalkDir(filepath.Join(repo, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testsupport" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			files[path] = f
			collectConsts(f)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		add := func(pos token.Pos, what, fix string) {
			if fix != "" {
				out = append(out, fixLine{rel(fset.Position(pos)), what, fix})
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "clierr" {
					return true
				}
				arg, ok := clierrCalls[sel.Sel.Name]
				if !ok || len(n.Args) <= max(arg.what, arg.fix) {
					return true
				}
				add(n.Pos(), text(n.Args[arg.what]), text(n.Args[arg.fix]))
			case *ast.KeyValueExpr:
				// A Fix field of any value (clierr.Error, a doctor
				// Check, a rollout Failure).
				if k, ok := n.Key.(*ast.Ident); ok && k.Name == "Fix" {
					add(n.Pos(), "", text(n.Value))
				}
			case *ast.AssignStmt:
				// fix := "..." before an error is made with it.
				for i, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name == "fix" && i < len(n.Rhs) {
						add(n.Pos(), "", text(n.Rhs[i]))
					}
				}
			case *ast.FuncDecl:
				// A function named for the fix it returns (policyFix).
				if strings.HasSuffix(n.Name.Name, "Fix") && n.Body != nil {
					ast.Inspect(n.Body, func(m ast.Node) bool {
						if r, ok := m.(*ast.ReturnStmt); ok && len(r.Results) == 1 {
							add(r.Pos(), "", text(r.Results[0]))
						}
						return true
					})
				}
				// rollout's explain returns (message, fix).
				if n.Name.Name == "explain" {
					ast.Inspect(n.Body, func(m ast.Node) bool {
						if r, ok := m.(*ast.ReturnStmt); ok && len(r.Results) == 2 {
							add(r.Pos(), "", text(r.Results[1]))
						}
						return true
					})
				}
			case *ast.ValueSpec:
				// rollout's fatalWaiting maps a waiting reason to its fix.
				if len(n.Names) == 1 && n.Names[0].Name == "fatalWaiting" && len(n.Values) == 1 {
					if m, ok := n.Values[0].(*ast.CompositeLit); ok {
						for _, e := range m.Elts {
							kv := e.(*ast.KeyValueExpr)
							add(kv.Pos(), text(kv.Key), text(kv.Value))
						}
					}
				}
			}
			return true
		})
	}
	return out
}

// consts are the package-level string constants of the code, by name, so
// a fix held in one (pullFix) is read where it is used.
var consts = map[string]string{}

func collectConsts(f *ast.File) {
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			v := spec.(*ast.ValueSpec)
			for i, name := range v.Names {
				if i < len(v.Values) {
					if s := text(v.Values[i]); s != "" {
						consts[name.Name] = s
					}
				}
			}
		}
	}
}

// text is the literal text of a string literal, a concatenation of them,
// or a fmt.Sprintf format; "" for anything computed.
func text(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			s, _ := strconv.Unquote(e.Value)
			return s
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			l, r := text(e.X), text(e.Y)
			if l == "" && r == "" {
				return ""
			}
			return l + "…" + r
		}
	case *ast.Ident:
		return consts[e.Name]
	case *ast.CallExpr:
		if sel, ok := e.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Sprintf" && len(e.Args) > 0 {
			return text(e.Args[0])
		}
	}
	return ""
}

func rel(p token.Position) string {
	r, _ := filepath.Rel(repo, p.Filename)
	return r + ":" + strconv.Itoa(p.Line)
}

// verbs are fmt's verbs and the joins text makes for a computed part.
var verbs = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]|…`)

// fragments are the fixed parts of a fix worth finding in the page: its
// text between the computed parts, each at least a few words long.
func fragments(fix string) []string {
	var out []string
	for _, p := range verbs.Split(fix, -1) {
		p = strings.TrimSpace(p)
		if len(p) >= 12 {
			out = append(out, p)
		}
	}
	return out
}

// TestTroubleshootingHasEveryFix: docs/troubleshooting.md holds the text of
// every fix line the code writes out, so a new error's fix cannot be left
// out of it.
func TestTroubleshootingHasEveryFix(t *testing.T) {
	page, err := os.ReadFile(filepath.Join(repo, "docs", "troubleshooting.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := normalize(string(page))
	lines := fixLines(t)
	if len(lines) < 50 {
		t.Fatalf("found only %d fix lines in the code; the walk is broken", len(lines))
	}
	for _, l := range lines {
		for _, frag := range fragments(l.fix) {
			if !strings.Contains(doc, normalize(frag)) {
				t.Errorf("%s: the fix %q is not in docs/troubleshooting.md (add the error and its fix under its command)", l.pos, frag)
			}
		}
	}
}

// normalize folds white space and Markdown's code quotes, so a page may
// wrap and quote a fix as it likes.
func normalize(s string) string {
	s = strings.NewReplacer("`", "", "\\|", "|").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}
