package starter

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/project"
)

// Init is `helm todo init`: write the starter helm-todo.yaml into Dir and
// keep the env file out of git.
type Init struct {
	Dir   string
	Force bool // replace an existing helm-todo.yaml
}

// InitResult says what Init wrote.
type InitResult struct {
	Path      string // the helm-todo.yaml written
	Gitignore string // the .gitignore the env file was added to; "" if it was there
}

// Run writes the starter; an existing file is an error unless Force.
func (a Init) Run() (*InitResult, error) {
	path, err := Write(a.Dir, a.Force)
	if errors.Is(err, os.ErrExist) {
		return nil, clierr.Usage(path+" already exists", "edit it, or pass --force to replace it with the starter", nil)
	}
	if err != nil {
		return nil, clierr.New("write "+path, "check that the directory exists and is writable", err)
	}
	r := &InitResult{Path: path}
	added, err := IgnoreEnvFile(a.Dir, project.DefaultEnvFile)
	if err != nil {
		return r, clierr.New("add "+project.DefaultEnvFile+" to .gitignore", "add it by hand: the env file holds secrets", err)
	}
	if added {
		r.Gitignore = filepath.Join(a.Dir, ".gitignore")
	}
	return r, nil
}
