package live

import (
	"fmt"
	"path"
	"path/filepath"
	"sort"
)

// Verdict is what one burst of changes to the backend's context calls for.
type Verdict struct {
	// Live is true when every changed path is under the rule's Local: the
	// running pods can take the code without an image.
	Live bool
	// Reason names the first path that forced a rebuild, as dev prints it.
	Reason string
}

// Classify sorts the watcher's paths for the backend: context-relative
// paths under r.Local go live; anything else (requirements, migrations,
// the Dockerfile or dockerignore, which the watcher reports as absolute
// paths) needs a build, and so does a path in migrationInputs (a module
// the migration scripts import, such as src/settings.py): the migration
// Job runs the image's copy, so only a build and its upgrade carry it.
func (r Rule) Classify(paths []string, migrationInputs map[string]bool) Verdict {
	sorted := append([]string{}, paths...)
	sort.Strings(sorted)
	for _, p := range sorted {
		if filepath.IsAbs(p) {
			return Verdict{Reason: fmt.Sprintf("%s changed: a build input, not code the image copies verbatim", filepath.Base(p))}
		}
		rel := path.Clean(filepath.ToSlash(p))
		if rel != r.Local && !within(r.Local, rel) {
			return Verdict{Reason: fmt.Sprintf("%s is not under %s/, the code the image copies verbatim", rel, r.Local)}
		}
		if migrationInputs[rel] {
			return Verdict{Reason: fmt.Sprintf("%s is imported by the migrations, which run from the image", rel)}
		}
	}
	if len(sorted) == 0 {
		return Verdict{Reason: "nothing changed"}
	}
	return Verdict{Live: true}
}

func within(dir, p string) bool { return len(p) > len(dir) && p[:len(dir)+1] == dir+"/" }
