package image

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/command"
)

// Kind is an image builder program.
type Kind string

// The builders helm-todo drives. Auto picks one, see Detect.
const (
	Auto    Kind = "auto"
	Docker  Kind = "docker"
	Podman  Kind = "podman"
	Buildah Kind = "buildah"
)

// ParseKind reads a --builder value.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(strings.ToLower(strings.TrimSpace(s))); k {
	case "", Auto:
		return Auto, nil
	case Docker, Podman, Buildah:
		return k, nil
	}
	return "", clierr.Usagef("use --builder docker, podman, buildah or auto", "unknown builder %q", s)
}

// Pull policies for base images.
const (
	PullMissing = "missing" // pull a base image only when it is not local
	PullNever   = "never"   // never pull; fail when a base is not local
	PullAlways  = "always"  // always pull the newest base
)

// Builder is one builder program and how to call it.
type Builder struct {
	Kind Kind
	// GlobalArgs go before the subcommand of every call, e.g. buildah's
	// "--storage-driver vfs", which all of build, inspect and push must share.
	GlobalArgs []string
	// BuildArgs go to the build subcommand only, e.g. "--isolation chroot".
	BuildArgs []string
	// Pull is the base image pull policy; empty means PullMissing.
	Pull string
}

// Bin is the program to run.
func (b Builder) Bin() string { return string(b.Kind) }

func (b Builder) cmd(args ...string) command.Cmd {
	return command.Cmd{Name: b.Bin(), Args: append(append([]string{}, b.GlobalArgs...), args...)}
}

// LocalRef is the name:tag the builder stores the image under. podman and
// buildah get the qualified name, see Qualified.
func (b Builder) LocalRef(name, tag string) string {
	if b.Kind == Docker {
		return name + ":" + tag
	}
	return Qualified(name) + ":" + tag
}

// ExistsCmd exits zero when the builder has ref.
func (b Builder) ExistsCmd(ref string) command.Cmd {
	switch b.Kind {
	case Podman:
		return b.cmd("image", "exists", ref)
	case Buildah:
		return b.cmd("inspect", "--type", "image", "--format", "{{.FromImageID}}", ref)
	}
	return b.cmd("image", "inspect", "--format", "{{.Id}}", ref)
}

// SizeCmd prints the image's size; ParseSize reads it.
func (b Builder) SizeCmd(ref string) command.Cmd {
	if b.Kind == Buildah {
		return b.cmd("images", "--format", "{{.Size}}", ref)
	}
	return b.cmd("image", "inspect", "--format", "{{.Size}}", ref)
}

// ParseSize turns SizeCmd's output into something to print.
func (b Builder) ParseSize(out []byte) string {
	s := strings.TrimSpace(string(out))
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return HumanSize(n)
	}
	return s // buildah already prints "312 MB"
}

// BuildCmd builds dockerfile (already staged, see BuildStep) in the
// context under ref. ignoreFile is passed to podman and buildah, which take
// it as a flag; docker finds it beside the Dockerfile.
func (b Builder) BuildCmd(dockerfile, ignoreFile, contextDir, ref string, args map[string]string, noCache bool) command.Cmd {
	var a []string
	switch b.Kind {
	case Docker:
		a = []string{"build", "-f", dockerfile, "-t", ref}
		if b.Pull == PullAlways {
			a = append(a, "--pull")
		}
	default:
		// The OCI image format has no HEALTHCHECK field; the docker format
		// keeps the one the Dockerfiles declare.
		a = []string{"build", "--format", "docker", "-f", dockerfile, "-t", ref}
		if ignoreFile != "" {
			a = append(a, "--ignorefile", ignoreFile)
		}
		pull := b.Pull
		if pull == "" {
			pull = PullMissing
		}
		a = append(a, "--pull="+pull)
		if b.Kind == Buildah {
			// podman and docker keep each step's layer for the next build;
			// buildah does only when asked, and without it an edit to one
			// source file reinstalls every dependency (minutes, not seconds).
			a = append(a, "--layers")
		}
	}
	for _, k := range sortedKeys(args) {
		a = append(a, "--build-arg", k+"="+args[k])
	}
	if noCache {
		a = append(a, "--no-cache")
	}
	a = append(a, b.BuildArgs...)
	a = append(a, contextDir)
	c := b.cmd(a...)
	if b.Kind == Docker {
		// The <Dockerfile>.dockerignore beside the Dockerfile is a BuildKit
		// feature; the legacy builder would send the whole context.
		c.Env = []string{"DOCKER_BUILDKIT=1"}
	}
	return c
}

// SaveCmd writes ref to a docker-archive file, the format every cluster's
// loader takes.
func (b Builder) SaveCmd(ref, file string) command.Cmd {
	switch b.Kind {
	case Buildah:
		return b.cmd("push", ref, "docker-archive:"+file+":"+ref)
	case Podman:
		return b.cmd("save", "--format", "docker-archive", "-o", file, ref)
	}
	return b.cmd("save", "-o", file, ref)
}

// TagCmd gives src a second name.
func (b Builder) TagCmd(src, dst string) command.Cmd { return b.cmd("tag", src, dst) }

// PushCmd pushes ref to its registry.
func (b Builder) PushCmd(ref string) command.Cmd {
	switch b.Kind {
	case Buildah:
		return b.cmd(append(append([]string{"push"}, b.tlsArgs(ref)...), ref, "docker://"+ref)...)
	case Podman:
		return b.cmd(append(append([]string{"push"}, b.tlsArgs(ref)...), ref)...)
	}
	return b.cmd("push", ref)
}

// RemoteExistsCmd exits zero when ref's registry already has it.
func (b Builder) RemoteExistsCmd(ref string) command.Cmd {
	if b.Kind == Docker {
		return b.cmd("manifest", "inspect", ref)
	}
	return b.cmd(append(append([]string{"manifest", "inspect"}, b.tlsArgs(ref)...), "docker://"+ref)...)
}

// tlsArgs lets podman and buildah talk plain HTTP to a registry on this
// machine (a local cluster's registry is rarely served over TLS). docker
// already treats 127.0.0.0/8 as insecure; podman and buildah do not. Any
// other registry keeps TLS verification.
func (b Builder) tlsArgs(ref string) []string {
	if b.Kind != Docker && LoopbackRegistry(ref) {
		return []string{"--tls-verify=false"}
	}
	return nil
}

// probeCmd answers when the builder can build right now: for docker, that
// the daemon answers, not merely that the CLI is installed.
func (b Builder) probeCmd() command.Cmd {
	switch b.Kind {
	case Podman:
		return b.cmd("info", "--format", "{{.Host.Arch}}")
	case Buildah:
		return b.cmd("version")
	}
	return b.cmd("info", "--format", "{{.ServerVersion}}")
}

// Detect picks the builder for Auto: docker when its daemon answers, else
// podman, else buildah. It returns why, for the user to read.
func Detect(ctx context.Context, r command.Runner, tmpl Builder) (Builder, string, error) {
	var tried []string
	for _, k := range []Kind{Docker, Podman, Buildah} {
		b := tmpl
		b.Kind = k
		_, err := r.Run(ctx, b.probeCmd())
		if err == nil {
			why := "auto"
			if len(tried) > 0 {
				why += ": " + strings.Join(tried, "; ")
			}
			return b, why, nil
		}
		tried = append(tried, explainProbe(k, err))
	}
	return Builder{}, "", clierr.New("no image builder available", "start the Docker daemon, or install podman or buildah, or pass --builder", errors.New(strings.Join(tried, "; ")))
}

func explainProbe(k Kind, err error) string {
	var nf *command.NotFoundError
	if errors.As(err, &nf) {
		return fmt.Sprintf("%s not found", k)
	}
	if k == Docker {
		return "docker daemon not answering"
	}
	return fmt.Sprintf("%s not working (%v)", k, err)
}

// Check fails with a clear cause and fix when b cannot build now.
func (b Builder) Check(ctx context.Context, r command.Runner) error {
	_, err := r.Run(ctx, b.probeCmd())
	return b.explain(err)
}

// explain turns a builder failure into a one-line cause and a fix.
func (b Builder) explain(err error) error {
	if err == nil {
		return nil
	}
	var nf *command.NotFoundError
	if errors.As(err, &nf) {
		return clierr.New(string(b.Kind)+" not found on PATH", "install "+string(b.Kind)+", or pass --builder with another of docker, podman, buildah", nil)
	}
	var ee *command.ExitError
	if b.Kind == Docker && errors.As(err, &ee) && daemonDown(ee.Stderr) {
		return clierr.New("the docker daemon is not answering", "start Docker (Docker Desktop, or `sudo systemctl start docker`), or pass --builder podman or --builder buildah", errors.New(command.LastLine(ee.Stderr)))
	}
	if b.Kind == Docker && errors.As(err, &ee) && buildxMissing(ee.Stderr) {
		// A tool problem, not the app's: docker 23 and later build with
		// BuildKit only through the buildx plugin. The legacy builder
		// (DOCKER_BUILDKIT=0) is no way out here: it ignores the
		// <Dockerfile>.dockerignore, so files the content tag excludes
		// (node_modules, .env) would reach the build.
		return clierr.New("this docker client has no buildx plugin, which BuildKit builds need", "install Docker's buildx plugin (package docker-buildx-plugin from Docker's apt repository, or docker-buildx), or put a docker client with BuildKit built in first on PATH (such as Debian bookworm's docker.io, /usr/bin/docker), or pass --builder podman or --builder buildah", errors.New(firstLine(ee.Stderr)))
	}
	return err
}

// buildxMissing recognizes the docker CLI's refusal to build when BuildKit
// is on and the buildx plugin is absent (docker 23+).
func buildxMissing(stderr string) bool {
	return strings.Contains(stderr, "buildx component is missing or broken")
}

// firstLine is the first non-empty line of s, trimmed.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

func daemonDown(stderr string) bool {
	return strings.Contains(stderr, "Cannot connect to the Docker daemon") ||
		strings.Contains(stderr, "Is the docker daemon running") ||
		strings.Contains(stderr, "error during connect")
}

// HumanSize prints bytes the way docker does (decimal units).
func HumanSize(n int64) string {
	units := []string{"B", "kB", "MB", "GB", "TB"}
	f := float64(n)
	i := 0
	for f >= 1000 && i < len(units)-1 {
		f /= 1000
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.3g %s", f, units[i])
}
