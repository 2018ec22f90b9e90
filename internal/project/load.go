package project

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

// Where an app is looked for when helm-todo.yaml does not say (the init
// starter fills in the first that exists): the original repository's
// layout first, then the plain one.
var (
	BackendCandidates  = []string{"phase-3/backend", "backend"}
	FrontendCandidates = []string{"phase-3/frontend", "frontend"}
)

// Example apps shipped with the plugin, relative to the plugin directory.
const (
	ExampleBackend  = "examples/todo-backend"
	ExampleFrontend = "examples/todo-frontend"
)

// Load finds helm-todo.yaml from workDir upwards, parses it and resolves it.
// pluginDir is where the example apps live.
func Load(workDir, pluginDir string) (*Project, error) {
	path, err := Find(workDir)
	if err != nil {
		return nil, err
	}
	f := &File{}
	root, _ := filepath.Abs(workDir)
	if path != "" {
		fh, err := os.Open(path)
		if err != nil {
			return nil, clierr.New("read "+path, "check the file's permissions", err)
		}
		defer fh.Close()
		if f, err = Parse(path, fh); err != nil {
			return nil, err
		}
		root = filepath.Dir(path)
	}
	return Resolve(f, root, path, pluginDir)
}

// Resolve fills in defaults and makes every path absolute. configPath is
// the file f came from, "" when f is all defaults.
func Resolve(f *File, root, configPath, pluginDir string) (*Project, error) {
	p := &Project{
		Root:       root,
		ConfigPath: configPath,
		Release:    or(f.Release, DefaultRelease),
		Namespace:  or(f.Namespace, DefaultNamespace),
		EnvFile:    abs(root, or(f.EnvFile, DefaultEnvFile)),
		EnvFileSet: f.EnvFile != "",
		Build:      f.Build,
	}
	where := "helm-todo.yaml"
	if configPath == "" {
		p.Notes = append(p.Notes, fmt.Sprintf("no %s found from %s upwards; using the defaults (`helm todo init` writes one)", FileName, root))
	} else {
		where = configPath
	}
	for _, v := range f.ValuesFiles {
		vf := abs(root, v)
		if _, err := os.Stat(vf); err != nil {
			return nil, clierr.Usage("values file "+v+" named in "+where, "create it or remove it from valuesFiles", errors.Unwrap(err))
		}
		p.ValuesFiles = append(p.ValuesFiles, vf)
	}

	backend, bErr := locate(root, "backend", f.Backend.Context, BackendCandidates, where)
	frontend, fErr := locate(root, "frontend", f.Frontend.Context, FrontendCandidates, where)
	switch {
	case bErr != nil && !isNotFound(bErr):
		return nil, bErr
	case fErr != nil && !isNotFound(fErr):
		return nil, fErr
	case bErr != nil && fErr != nil:
		// The repository has no app at all: deploy the plugin's examples.
		backend = filepath.Join(pluginDir, ExampleBackend)
		frontend = filepath.Join(pluginDir, ExampleFrontend)
		for _, d := range []string{backend, frontend} {
			if _, err := os.Stat(d); err != nil {
				return nil, clierr.New("no app found", fmt.Sprintf("put your apps in %s and %s, or set backend.context and frontend.context in %s", BackendCandidates[0], FrontendCandidates[0], FileName), fmt.Errorf("no backend or frontend under %s, and the plugin's example %s is missing", root, d))
			}
		}
		p.Backend.Example, p.Frontend.Example = true, true
		p.Notes = append(p.Notes, fmt.Sprintf("no app found under %s (looked for %s and %s); using the plugin's example apps from %s", root, joinOr(BackendCandidates), joinOr(FrontendCandidates), filepath.Join(pluginDir, "examples")))
	case bErr != nil:
		return nil, bErr
	case fErr != nil:
		return nil, fErr
	}
	p.Backend.Name, p.Backend.Context, p.Backend.Image = "backend", backend, or(f.Backend.Image, DefaultBackendImage)
	p.Frontend.Name, p.Frontend.Context, p.Frontend.Image = "frontend", frontend, or(f.Frontend.Image, DefaultFrontendImage)
	p.Backend.BuildArgs = map[string]string{}
	p.Frontend.BuildArgs = f.BuildArgs.Map()
	return p, nil
}

// notFound is a default context that does not exist; it is not an error
// until both apps are missing (then the examples are used) or only one is.
type notFound struct{ err error }

func (n notFound) Error() string { return n.err.Error() }
func (n notFound) Unwrap() error { return n.err }

func isNotFound(err error) bool {
	var ce *clierr.Error
	if errors.As(err, &ce) {
		var nf notFound
		return errors.As(ce.Err, &nf)
	}
	return false
}

func locate(root, name, configured string, candidates []string, where string) (string, error) {
	if configured != "" {
		dir := abs(root, configured)
		if err := isDir(dir); err != nil {
			return "", clierr.Usage(fmt.Sprintf("%s build context %s (%s.context in %s)", name, dir, name, where), "create the directory or fix "+name+".context", err)
		}
		return dir, nil
	}
	for _, c := range candidates {
		dir := filepath.Join(root, c)
		if isDir(dir) == nil {
			return dir, nil
		}
	}
	return "", clierr.Usage(fmt.Sprintf("no %s build context under %s", name, root), fmt.Sprintf("set %s.context in %s", name, FileName), notFound{fmt.Errorf("looked for %s", joinOr(candidates))})
}

func isDir(p string) error {
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return errors.New("does not exist")
	case err != nil:
		return err
	case !fi.IsDir():
		return errors.New("is not a directory")
	}
	return nil
}

func abs(root, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(root, p)
}

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

func joinOr(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += " or "
		}
		out += v + "/"
	}
	return out
}
