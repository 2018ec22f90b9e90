package standin

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// proc is one stand-in call.
type proc struct {
	dir, name string
	args      []string
}

func (p *proc) record() {
	line, _ := json.Marshal(append([]string{p.name}, p.args...))
	f, err := os.OpenFile(filepath.Join(p.dir, "calls.log"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	fmt.Fprintf(f, "%s\n", line)
}

func (p *proc) store(name string) string { return filepath.Join(p.dir, "store-"+name) }

func (p *proc) has(store, ref string) bool {
	for _, r := range readLines(p.store(store)) {
		if sameRef(r, ref) {
			return true
		}
	}
	return false
}

func (p *proc) add(store, ref string) { addLine(p.store(store), ref) }

func (p *proc) exists(name string) bool {
	_, err := os.Stat(filepath.Join(p.dir, name))
	return err == nil
}

func fail(code int, format string, a ...any) int {
	fmt.Fprintf(os.Stderr, format+"\n", a...)
	return code
}

// globalWithValue are builder flags that come before the subcommand and
// take the next argument as their value.
var globalWithValue = map[string]bool{"--storage-driver": true, "--root": true, "--runroot": true, "--storage-opt": true, "--log-level": true, "-p": true, "--profile": true}

// split separates the leading global flags from the subcommand and its args.
func split(args []string) (sub string, rest []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			return a, args[i+1:]
		}
		if globalWithValue[a] {
			i++
		}
	}
	return "", nil
}

// flag returns the value of a flag given as "-f v" or "-f=v".
func flag(args []string, names ...string) string {
	for i, a := range args {
		for _, n := range names {
			if a == n && i+1 < len(args) {
				return args[i+1]
			}
			if v, ok := strings.CutPrefix(a, n+"="); ok {
				return v
			}
		}
	}
	return ""
}

func last(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[len(args)-1]
}

func (p *proc) run() int {
	switch p.name {
	case "minikube":
		return p.minikube()
	case "kind":
		return p.kind()
	case "k3d":
		return p.k3d()
	}
	return p.builder()
}

const daemonDown = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"

func (p *proc) builder() int {
	if p.name == "docker" && p.exists("docker-down") {
		return fail(1, "%s", daemonDown)
	}
	sub, rest := split(p.args)
	if sub == "image" && len(rest) > 0 {
		sub, rest = "image "+rest[0], rest[1:]
	}
	switch sub {
	case "info", "version":
		fmt.Println("stand-in")
		return 0
	case "image inspect", "inspect":
		ref := last(rest)
		if !p.has(p.name, ref) {
			return fail(125, "Error: %s: image not known", ref)
		}
		if strings.Contains(flag(rest, "--format"), "Size") {
			fmt.Println("123456789")
		} else {
			fmt.Println("sha256:0123456789abcdef")
		}
		return 0
	case "image exists":
		if p.has(p.name, last(rest)) {
			return 0
		}
		return 1
	case "images":
		if p.has(p.name, last(rest)) {
			fmt.Println("312 MB")
		}
		return 0
	case "build", "bud":
		return p.build(rest)
	case "save":
		ref, file := last(rest), flag(rest, "-o", "--output")
		if !p.has(p.name, ref) {
			return fail(125, "Error: %s: image not known", ref)
		}
		return writeArchive(file, ref)
	case "push":
		return p.push(p.withoutTLSVerify(rest))
	case "tag":
		if len(rest) != 2 || !p.has(p.name, rest[0]) {
			return fail(125, "Error: tag: image not known")
		}
		p.add(p.name, rest[1])
		return 0
	case "manifest":
		rest = p.withoutTLSVerify(rest)
		if len(rest) == 2 && rest[0] == "inspect" && p.has("registry", strings.TrimPrefix(rest[1], "docker://")) {
			fmt.Println("{}")
			return 0
		}
		return fail(1, "manifest unknown")
	case "load":
		ref, err := readArchive(flag(rest, "-i", "--input"))
		if err != nil {
			return fail(1, "%v", err)
		}
		p.add("cluster", ref) // docker-desktop's cluster shares docker's store
		p.add(p.name, ref)
		return 0
	case "exec":
		// exec NODE crictl inspecti REF: does the cluster node have REF?
		if len(rest) == 4 && rest[1] == "crictl" && rest[2] == "inspecti" {
			if p.has("cluster", rest[3]) {
				return 0
			}
			return fail(1, "FATA[0000] no such image %q present", rest[3])
		}
	}
	return fail(2, "stand-in %s: unexpected arguments %q", p.name, p.args)
}

func (p *proc) build(args []string) int {
	if p.exists("fail-build") {
		data, _ := os.ReadFile(filepath.Join(p.dir, "fail-build"))
		return fail(1, "%s", strings.TrimSpace(string(data)))
	}
	dockerfile, ref, contextDir := flag(args, "-f", "--file"), flag(args, "-t", "--tag"), last(args)
	for _, f := range []string{dockerfile, contextDir} {
		if _, err := os.Stat(f); err != nil {
			return fail(1, "Error: %v", err)
		}
	}
	if ig := flag(args, "--ignorefile"); ig != "" {
		if _, err := os.Stat(ig); err != nil {
			return fail(1, "Error: %v", err)
		}
	}
	fmt.Println("STEP 1/1: FROM scratch")
	p.add(p.name, ref)
	fmt.Println("Successfully tagged", ref)
	return 0
}

// withoutTLSVerify drops --tls-verify=false, which only podman and
// buildah take; the stand-in docker keeps it and fails on it as docker would.
func (p *proc) withoutTLSVerify(args []string) []string {
	if p.name == "docker" {
		return args
	}
	var out []string
	for _, a := range args {
		if a != "--tls-verify=false" {
			out = append(out, a)
		}
	}
	return out
}

func (p *proc) push(args []string) int {
	if len(args) == 0 || !p.has(p.name, args[0]) {
		return fail(125, "Error: push: image not known")
	}
	dest := args[0]
	if len(args) > 1 {
		dest = args[1]
	}
	if rest, ok := strings.CutPrefix(dest, "docker-archive:"); ok {
		file, ref, _ := strings.Cut(rest, ":")
		if ref == "" {
			ref = args[0]
		}
		return writeArchive(file, ref)
	}
	p.add("registry", strings.TrimPrefix(dest, "docker://"))
	return 0
}

// An archive is a file naming the image it holds.
func writeArchive(file, ref string) int {
	if err := os.WriteFile(file, []byte(ref+"\n"), 0o644); err != nil {
		return fail(1, "Error: %v", err)
	}
	return 0
}

func readArchive(file string) (string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("open %s: no such archive", file)
	}
	return strings.TrimSpace(string(data)), nil
}

// loadInto adds src, an archive file or an image of docker's store, to
// the cluster.
func (p *proc) loadInto(src string) int {
	if _, err := os.Stat(src); err == nil {
		ref, err := readArchive(src)
		if err != nil {
			return fail(1, "%v", err)
		}
		p.add("cluster", ref)
		return 0
	}
	if !p.has("docker", src) {
		return fail(1, "image %q not present locally", src)
	}
	p.add("cluster", src)
	return 0
}

func (p *proc) minikube() int {
	sub, rest := split(p.args)
	if sub != "image" || len(rest) == 0 {
		return fail(2, "stand-in minikube: unexpected arguments %q", p.args)
	}
	switch rest[0] {
	case "load":
		return p.loadInto(last(rest))
	case "ls":
		// minikube lists images fully qualified, whatever name they were loaded under.
		for _, r := range readLines(p.store("cluster")) {
			name, tag := r, "latest"
			if i := strings.LastIndexByte(r, ':'); i > strings.LastIndexByte(r, '/') {
				name, tag = r[:i], r[i+1:]
			}
			fmt.Println(qualified(name) + ":" + tag)
		}
		return 0
	}
	return fail(2, "stand-in minikube: unexpected arguments %q", p.args)
}

func (p *proc) kind() int {
	switch {
	case len(p.args) >= 3 && p.args[0] == "load" && p.args[1] == "docker-image":
		return p.loadInto(p.args[2])
	case len(p.args) >= 3 && p.args[0] == "load" && p.args[1] == "image-archive":
		return p.loadInto(p.args[2])
	case len(p.args) >= 2 && p.args[0] == "get" && p.args[1] == "nodes":
		fmt.Println(flag(p.args, "--name") + "-control-plane")
		return 0
	}
	return fail(2, "stand-in kind: unexpected arguments %q", p.args)
}

func (p *proc) k3d() int {
	if len(p.args) >= 3 && p.args[0] == "image" && p.args[1] == "import" {
		return p.loadInto(p.args[2])
	}
	return fail(2, "stand-in k3d: unexpected arguments %q", p.args)
}

// qualified spells out a short image name the way container runtimes
// resolve it. It is written apart from package image on purpose, so the
// stand-in does not simply agree with the code under test.
func qualified(name string) string {
	parts := strings.Split(name, "/")
	switch {
	case len(parts) == 1:
		return "docker.io/library/" + name
	case strings.ContainsAny(parts[0], ".:") || parts[0] == "localhost":
		return name
	}
	return "docker.io/" + name
}

func sameRef(a, b string) bool { return full(a) == full(b) }

func full(ref string) string {
	name, tag := ref, "latest"
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		name, tag = ref[:i], ref[i+1:]
	}
	return qualified(name) + ":" + tag
}
