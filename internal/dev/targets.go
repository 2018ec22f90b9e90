package dev

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"

	"github.com/helm-todo/helm-todo/internal/image"
	"github.com/helm-todo/helm-todo/internal/up"
	"github.com/helm-todo/helm-todo/internal/watch"
)

// Target names beside the components' ("backend", "frontend").
const (
	envTarget    = "env file"
	valuesTarget = "values"
)

// inputs is what the last cycle was made from: each component's build
// step (its context, dockerignore and tag) and the content of the env and
// values files. A change is real only when it changes one of them.
type inputs struct {
	builds map[string]*image.BuildStep
	// running is each component's tag of the code its pods run: the
	// build's, or after a live update the tree's as synced.
	running map[string]string
	sums    map[string][32]byte // env and values files by path
	env     string
	values  []string
	config  string
}

func newInputs(r *up.Result, dir string) *inputs {
	in := &inputs{builds: map[string]*image.BuildStep{}, running: map[string]string{}, sums: map[string][32]byte{}}
	if r.Delivery != nil {
		for _, b := range r.Delivery.Builds {
			in.builds[b.Spec.Component] = b
			in.running[b.Spec.Component] = b.Tag
		}
		if r.Delivery.Project != nil {
			in.config = r.Delivery.Project.ConfigPath
		}
	}
	in.env = r.Options.EnvFile
	for _, v := range r.Options.Deploy.ValuesFiles {
		if !filepath.IsAbs(v) {
			v = filepath.Join(dir, v)
		}
		in.values = append(in.values, v)
	}
	for _, f := range in.files() {
		in.sums[f] = sum(f)
	}
	return in
}

func (in *inputs) files() []string {
	files := append([]string{}, in.values...)
	if in.config != "" {
		files = append(files, in.config)
	}
	if in.env != "" {
		files = append(files, in.env)
	}
	return files
}

// targets are what to watch: each build context through its dockerignore,
// with its Dockerfile and dockerignore; the env file; the values files and
// helm-todo.yaml.
func (in *inputs) targets() ([]watch.Target, error) {
	var ts []watch.Target
	for _, comp := range []string{"backend", "frontend"} {
		b := in.builds[comp]
		if b == nil {
			continue
		}
		ign, err := b.Ignore()
		if err != nil {
			return nil, err
		}
		files := []string{b.Spec.Dockerfile}
		if b.Spec.IgnoreFile != "" {
			files = append(files, b.Spec.IgnoreFile)
		}
		ts = append(ts, watch.Target{Name: comp, Dir: b.Spec.Context, Ignore: ign, Files: files})
	}
	if in.env != "" {
		ts = append(ts, watch.Target{Name: envTarget, Files: []string{in.env}})
	}
	vals := append([]string{}, in.values...)
	if in.config != "" {
		vals = append(vals, in.config)
	}
	if len(vals) > 0 {
		ts = append(ts, watch.Target{Name: valuesTarget, Files: vals})
	}
	return ts, nil
}

// decision is what a Change calls for.
type decision struct {
	rebuild []string // components whose content tag changed
	live    string   // the backend's new tag, when a live update carries it
	why     string   // what forced the backend's rebuild despite live update
	env     bool     // the env file's content changed
	values  bool     // a values file or helm-todo.yaml changed
}

func (d decision) any() bool { return d.live != "" || d.cycle() }

// cycle says whether an up must run (after a live update, if any).
func (d decision) cycle() bool { return len(d.rebuild) > 0 || d.env || d.values }

// plan is the cycle a decision calls for, as the line dev prints.
func (d decision) plan(release string) string {
	var parts []string
	if d.live != "" {
		parts = append(parts, "live update of the backend (no image build)")
		if !d.cycle() {
			return parts[0]
		}
	}
	for _, c := range d.rebuild {
		if c == "backend" && d.why != "" {
			c += " (" + d.why + ")"
		}
		parts = append(parts, "rebuild "+c)
	}
	if d.env {
		parts = append(parts, "update the Secret")
	}
	parts = append(parts, "upgrade release "+release)
	if d.env {
		parts = append(parts, "restart what reads the Secret")
	}
	return strings.Join(parts, ", ")
}

// decide compares the changed targets with the last cycle's inputs: a
// saved file whose content is the same, or whose component's tag is the
// same as the code its pods run, calls for nothing. With lu, a backend
// change only to the code its image copies verbatim is a live update.
func (in *inputs) decide(c watch.Change, lu *liveUpdate) decision {
	var d decision
	for _, comp := range []string{"backend", "frontend"} {
		b := in.builds[comp]
		if b == nil || len(c[comp]) == 0 {
			continue
		}
		next, err := image.NewBuildStep(b.Spec, b.Builder, nil)
		// A context that cannot be hashed now (a file half-written) is a
		// change: up reports the error, and the next save tries again.
		if err == nil && next.Tag == in.running[comp] {
			continue
		}
		if comp == "backend" && lu != nil && err == nil {
			v := lu.rule.Classify(c[comp], lu.migrationInputs())
			if v.Live {
				d.live = next.Tag
				continue
			}
			d.why = v.Reason
		}
		d.rebuild = append(d.rebuild, comp)
	}
	for _, f := range c[envTarget] {
		if in.touched(f) {
			d.env = true
		}
	}
	for _, f := range c[valuesTarget] {
		if in.touched(f) {
			d.values = true
		}
	}
	return d
}

// touched records f's content and says whether it differs from before.
func (in *inputs) touched(f string) bool {
	s := sum(f)
	old, ok := in.sums[f]
	in.sums[f] = s
	return !ok || old != s
}

// update takes the new cycle's build steps, so their tags are the ones
// compared next. A cycle that failed still counts: the same broken
// content is not retried until it changes. It says whether the backend's
// tag changed (a new image holds its code).
func (in *inputs) update(r *up.Result) bool {
	if r == nil || r.Delivery == nil {
		return false
	}
	rebuilt := false
	for _, b := range r.Delivery.Builds {
		if old := in.builds[b.Spec.Component]; b.Spec.Component == "backend" && (old == nil || old.Tag != b.Tag) {
			rebuilt = true
		}
		in.builds[b.Spec.Component] = b
		in.running[b.Spec.Component] = b.Tag
	}
	return rebuilt
}

// sum is the file's content hash; a missing file hashes as empty content
// with a marker, so deleting it is a change.
func sum(f string) [32]byte {
	data, err := os.ReadFile(f)
	if err != nil {
		return sha256.Sum256([]byte("\x00missing"))
	}
	return sha256.Sum256(data)
}
