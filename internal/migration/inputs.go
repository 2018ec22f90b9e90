// Package migration decides whether `helm todo up` runs the chart's
// migration hook Job. Helm runs hooks on every upgrade; up leaves the Job
// out of the render (migration.skipForTag) only when the release deployed
// now recorded the same hash of the migration inputs (alembic.ini, the
// migration scripts and the backend modules they import) as this tree
// has. A plain `helm upgrade` never sets migration.skipForTag, so it
// migrates.
package migration

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// IniName is alembic's config file at the backend's build context root.
const IniName = "alembic.ini"

// Inputs are the files a migration run reads from the backend's source,
// and their hash.
type Inputs struct {
	// Hash is a short content hash of Files; "" when the backend has no
	// alembic.ini (nothing is known, so the Job always runs).
	Hash string
	// Files are relative to the backend's build context, sorted.
	Files []string
	// Unknown says why there is no Hash.
	Unknown string
}

// Summary names the inputs for a dry run: "alembic.ini, migrations/ (3
// files), src/settings.py".
func (in Inputs) Summary() string {
	var parts []string
	dirs := map[string]int{}
	var order []string
	for _, f := range in.Files {
		top, _, nested := strings.Cut(f, "/")
		if f == IniName || !nested {
			parts = append(parts, f)
			continue
		}
		if _, ok := dirs[top]; !ok {
			order = append(order, top)
		}
		dirs[top]++
	}
	for _, d := range order {
		if dirs[d] == 1 {
			for _, f := range in.Files {
				if strings.HasPrefix(f, d+"/") {
					parts = append(parts, f)
				}
			}
			continue
		}
		parts = append(parts, d+"/ ("+strconv.Itoa(dirs[d])+" files)")
	}
	return strings.Join(parts, ", ")
}

// ReadInputs finds the migration inputs under dir (the backend's build
// context): alembic.ini, every file under its script_location, and, followed
// import by import, the Python modules of dir those scripts import (env.py
// importing src.settings, which imports the models). Third-party and
// standard modules are not in dir and so not followed: a new library
// version comes with a new requirement, which is a rebuild, not a schema
// change.
func ReadInputs(dir string) (Inputs, error) {
	ini, err := os.ReadFile(filepath.Join(dir, IniName))
	if errors.Is(err, fs.ErrNotExist) {
		return Inputs{Unknown: "no " + IniName + " in the backend's build context, so no inputs to compare"}, nil
	}
	if err != nil {
		return Inputs{}, err
	}
	files := map[string]bool{IniName: true}
	var queue []string
	scripts := scriptLocation(ini)
	err = filepath.WalkDir(filepath.Join(dir, scripts), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "__pycache__" {
			return filepath.SkipDir
		}
		if !d.Type().IsRegular() || strings.HasSuffix(p, ".pyc") {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		files[rel] = true
		if strings.HasSuffix(rel, ".py") {
			queue = append(queue, rel)
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Inputs{}, err
	}
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		src, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			return Inputs{}, err
		}
		for _, mod := range imports(src) {
			for _, cand := range candidates(f, mod) {
				if files[cand] {
					continue
				}
				if fi, err := os.Stat(filepath.Join(dir, cand)); err == nil && fi.Mode().IsRegular() {
					files[cand] = true
					queue = append(queue, cand)
				}
			}
		}
	}
	in := Inputs{}
	for f := range files {
		in.Files = append(in.Files, f)
	}
	sort.Strings(in.Files)
	h := sha256.New()
	for _, f := range in.Files {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			return Inputs{}, err
		}
		h.Write([]byte(f))
		h.Write([]byte{0})
		h.Write(data)
		h.Write([]byte{0})
	}
	in.Hash = hex.EncodeToString(h.Sum(nil))[:16]
	return in, nil
}

var iniKey = regexp.MustCompile(`^\s*script_location\s*[=:]\s*(.+?)\s*$`)

// scriptLocation reads [alembic] script_location; alembic's own default
// layout ("migrations" in the examples) when it is not set.
func scriptLocation(ini []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(ini))
	section := ""
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = line
			continue
		}
		if m := iniKey.FindStringSubmatch(line); m != nil && section == "[alembic]" {
			loc := strings.TrimPrefix(strings.TrimPrefix(m[1], "%(here)s/"), "./")
			return filepath.FromSlash(loc)
		}
	}
	return "migrations"
}

var (
	fromImport  = regexp.MustCompile(`(?m)^[ \t]*from[ \t]+([.\w]+)[ \t]+import[ \t]+(?:\(([^)]*)\)|([\w \t,]+))`)
	comment     = regexp.MustCompile(`#[^\n]*`)
	plainImport = regexp.MustCompile(`(?m)^[ \t]*import[ \t]+([\w.]+(?:[ \t]*,[ \t]*[\w.]+)*)`)
)

// imports lists the modules a Python file imports, as written: "src.settings",
// ".models", and for `from pkg import name` also "pkg.name" (name may be a
// submodule).
func imports(src []byte) []string {
	var mods []string
	for _, m := range fromImport.FindAllSubmatch(src, -1) {
		base := string(m[1])
		mods = append(mods, base)
		names := comment.ReplaceAllString(string(m[2])+string(m[3]), "")
		for _, item := range strings.Split(names, ",") {
			f := strings.Fields(item) // "name as alias"
			if len(f) == 0 {
				continue
			}
			sep := "."
			if strings.HasSuffix(base, ".") {
				sep = ""
			}
			mods = append(mods, base+sep+f[0])
		}
	}
	for _, m := range plainImport.FindAllSubmatch(src, -1) {
		for _, name := range strings.Split(string(m[1]), ",") {
			mods = append(mods, strings.TrimSpace(name))
		}
	}
	return mods
}

// candidates are the files of dir that importing mod from file may run:
// the module and every package __init__ on its way, looked up from the
// build context root (where env.py puts itself on sys.path) and, for a
// relative import, from file's package.
func candidates(file, mod string) []string {
	root := ""
	if strings.HasPrefix(mod, ".") {
		root = filepath.ToSlash(filepath.Dir(file))
		for mod = mod[1:]; strings.HasPrefix(mod, "."); mod = mod[1:] {
			root = filepath.ToSlash(filepath.Dir(root))
		}
		if root == "." {
			root = ""
		}
	}
	if mod == "" {
		return []string{join(root, "__init__.py")}
	}
	parts := strings.Split(mod, ".")
	var out []string
	for i := range parts {
		p := join(root, strings.Join(parts[:i+1], "/"))
		out = append(out, p+"/__init__.py")
		if i == len(parts)-1 {
			out = append(out, p+".py")
		}
	}
	return out
}

func join(root, p string) string {
	if root == "" {
		return p
	}
	return root + "/" + p
}
