package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/plan"
)

// Spec is one image to build.
type Spec struct {
	Component  string            // "backend" or "frontend", for messages
	Context    string            // build context directory
	Dockerfile string            // path to the Dockerfile
	IgnoreFile string            // path to its dockerignore, "" for none
	Name       string            // repository, e.g. "todo-backend"
	Args       map[string]string // build args; public values only
}

// BuildStep builds one image unless the builder already has its tag.
// It implements plan.Step; later steps read Tag, Ref and Result.
type BuildStep struct {
	Spec    Spec
	Builder Builder
	Runner  command.Runner
	// Force builds even when the tag exists; NoCache also disables the
	// builder's layer cache.
	Force, NoCache bool
	// StageDir holds the Dockerfile copies docker needs, see staged.
	StageDir string

	// Tag is the content hash, known as soon as the step is made.
	Tag string
	// Result is filled in by Run.
	Result Result

	dockerfile, ignore []byte
}

// Result is what Run did.
type Result struct {
	Built bool   // false when the tag already existed
	Size  string // as the builder reports it, "" when unknown
}

var _ plan.Step = (*BuildStep)(nil)

// NewBuildStep reads the Dockerfile and dockerignore and hashes the inputs,
// so the tag is known before anything runs.
func NewBuildStep(spec Spec, b Builder, r command.Runner) (*BuildStep, error) {
	s := &BuildStep{Spec: spec, Builder: b, Runner: r}
	var err error
	if s.dockerfile, err = os.ReadFile(spec.Dockerfile); err != nil {
		return nil, clierr.Usage(spec.Component+" Dockerfile "+spec.Dockerfile, "reinstall the plugin (the Dockerfiles ship in its docker/ directory), or point at your own", cause(err))
	}
	if spec.IgnoreFile != "" {
		if s.ignore, err = os.ReadFile(spec.IgnoreFile); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, clierr.New("read "+spec.IgnoreFile, "check the file's permissions", err)
		}
	}
	if fi, err := os.Stat(spec.Context); err != nil || !fi.IsDir() {
		if err == nil {
			err = errors.New("is not a directory")
		}
		return nil, clierr.Usage(spec.Component+" build context "+spec.Context, "create it or set "+spec.Component+".context in helm-todo.yaml", cause(err))
	}
	s.Tag, err = Hash(Inputs{Context: spec.Context, Dockerfile: s.dockerfile, Ignore: s.ignore, Args: spec.Args})
	if err != nil {
		return nil, clierr.New("hash the "+spec.Component+" build context "+spec.Context, "check that every file in it is readable, or exclude it in the dockerignore", err)
	}
	if dir, err := os.UserCacheDir(); err == nil {
		s.StageDir = filepath.Join(dir, "helm-todo", "dockerfiles")
	} else {
		s.StageDir = filepath.Join(os.TempDir(), "helm-todo-dockerfiles")
	}
	return s, nil
}

// Ignore is the dockerignore the tag was computed with.
func (s *BuildStep) Ignore() (*Ignore, error) { return NewIgnore(s.ignore) }

// Ref is the image as the builder stores it.
func (s *BuildStep) Ref() string { return s.Builder.LocalRef(s.Spec.Name, s.Tag) }

// Name implements plan.Step.
func (s *BuildStep) Name() string { return "build " + s.Spec.Component }

// Describe implements plan.Step: the exact commands Run may run.
func (s *BuildStep) Describe() []string {
	lines := []string{"tag " + s.Tag + " (content hash of " + s.Spec.Context + ", the Dockerfile and the build args)"}
	if !s.Force && !s.NoCache {
		lines = append(lines, s.Builder.ExistsCmd(s.Ref()).String()+"   # build skipped when this succeeds")
	}
	df, ig := s.stagedPaths()
	return append(lines,
		s.buildCmd(df, ig).String(),
		s.Builder.SizeCmd(s.Ref()).String())
}

// Run implements plan.Step.
func (s *BuildStep) Run(ctx context.Context, out io.Writer) error {
	ref := s.Ref()
	if !s.Force && !s.NoCache {
		exists, err := s.exists(ctx)
		if err != nil {
			return err
		}
		if exists {
			// No size query: up and dev print none for an image they did
			// not build, and each is a builder start (0.2-0.4 s) on every
			// cycle; `helm todo build` asks for its report (SizeNow).
			s.Result = Result{}
			fmt.Fprintf(out, "%s: %s is up to date (same inputs); build skipped, --force rebuilds\n", s.Spec.Component, ref)
			return nil
		}
	}
	df, ig, err := s.stage()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: building %s with %s\n", s.Spec.Component, ref, s.Builder.Kind)
	c := s.buildCmd(df, ig)
	c.Stdout, c.Stderr = out, out
	if _, err := s.Runner.Run(ctx, c); err != nil {
		if e := s.Builder.explain(err); e != err {
			return e
		}
		return clierr.New("", "fix the error above in "+s.Spec.Context+" (or the Dockerfile), then run the build again", err)
	}
	s.Result = Result{Built: true, Size: s.size(ctx)}
	fmt.Fprintf(out, "%s: built %s (%s)\n", s.Spec.Component, ref, orUnknown(s.Result.Size))
	return nil
}

func (s *BuildStep) buildCmd(dockerfile, ignore string) command.Cmd {
	return s.Builder.BuildCmd(dockerfile, ignore, s.Spec.Context, s.Ref(), s.Spec.Args, s.NoCache)
}

// exists asks the builder for the tag. A failure that is not "no such
// image", such as a stopped daemon, is an error, not a reason to build.
func (s *BuildStep) exists(ctx context.Context) (bool, error) {
	_, err := s.Runner.Run(ctx, s.Builder.ExistsCmd(s.Ref()))
	if err == nil {
		return true, nil
	}
	if e := s.Builder.explain(err); e != err {
		return false, e
	}
	var ee *command.ExitError
	if errors.As(err, &ee) {
		return false, nil
	}
	return false, err
}

// SizeNow asks the builder for the image's size, "" when it cannot tell.
func (s *BuildStep) SizeNow(ctx context.Context) string { return s.size(ctx) }

func (s *BuildStep) size(ctx context.Context) string {
	res, err := s.Runner.Run(ctx, s.Builder.SizeCmd(s.Ref()))
	if err != nil {
		return ""
	}
	return s.Builder.ParseSize(res.Stdout)
}

// stagedPaths is where the Dockerfile and dockerignore are handed to the
// builder. podman and buildah take --ignorefile, so they read the shipped
// files in place. docker has no such flag: BuildKit reads
// <Dockerfile>.dockerignore beside the Dockerfile, and the shipped names
// (backend.Dockerfile, backend.dockerignore) don't follow that convention,
// so docker gets a copy of both under a name derived from their content.
func (s *BuildStep) stagedPaths() (dockerfile, ignore string) {
	if s.Builder.Kind != Docker {
		if _, err := os.Stat(s.Spec.IgnoreFile); s.Spec.IgnoreFile == "" || err != nil {
			// Without --ignorefile, podman and buildah would read the
			// context's own .dockerignore, which the tag did not account for.
			return s.Spec.Dockerfile, os.DevNull
		}
		return s.Spec.Dockerfile, s.Spec.IgnoreFile
	}
	h := sha256.New()
	h.Write(s.dockerfile)
	h.Write([]byte{0})
	h.Write(s.ignore)
	dir := filepath.Join(s.StageDir, hex.EncodeToString(h.Sum(nil))[:16])
	df := filepath.Join(dir, filepath.Base(s.Spec.Dockerfile))
	return df, df + ".dockerignore"
}

func (s *BuildStep) stage() (dockerfile, ignore string, err error) {
	df, ig := s.stagedPaths()
	if s.Builder.Kind != Docker {
		return df, ig, nil
	}
	if err := os.MkdirAll(filepath.Dir(df), 0o755); err != nil {
		return "", "", clierr.New("stage the Dockerfile", "check that "+s.StageDir+" is writable", err)
	}
	for path, data := range map[string][]byte{df: s.dockerfile, ig: s.ignore} {
		if err := writeAtomic(path, data); err != nil {
			return "", "", clierr.New("stage the Dockerfile", "check that "+s.StageDir+" is writable", err)
		}
	}
	return df, ig, nil
}

// writeAtomic never leaves a half-written file for a concurrent build to read.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".stage-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func cause(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		if errors.Is(err, os.ErrNotExist) {
			return errors.New("does not exist")
		}
		return pe.Err
	}
	return err
}

func orUnknown(s string) string {
	if s == "" {
		return "size unknown"
	}
	return s
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
