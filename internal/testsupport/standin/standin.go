// Package standin (test support only) puts recording stand-ins for docker, podman, buildah,
// minikube, kind and k3d on PATH, for tests on a machine that has no
// container engine and no local cluster.
//
// The stand-in is the test binary itself, re-executed under the program's
// name (the helm-diff trick), so the code under test runs the very same
// command.Exec path as in production. Each call's argv is appended to a log
// the test reads back. The stand-ins keep a little state on disk (the
// images each builder has, the images the cluster has, what was pushed),
// so "already there, skip it" can be tested, not just assumed.
//
// A package's TestMain calls Main first:
//
//	func TestMain(m *testing.M) { standin.Main(); os.Exit(m.Run()) }
package standin

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Programs the stand-in can play.
var Programs = []string{"docker", "podman", "buildah", "minikube", "kind", "k3d"}

const envDir = "HELM_TODO_STANDIN_DIR"

// Rig is a directory of stand-ins and their state.
type Rig struct {
	Dir string // state and call log
	Bin string // put first on PATH
}

// Install links the stand-ins for programs (all of Programs when none are
// named) into a fresh directory and puts it alone on PATH, so a real
// docker on the machine can never be reached by accident.
func Install(t testing.TB, programs ...string) *Rig {
	t.Helper()
	if len(programs) == 0 {
		programs = Programs
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	r := &Rig{Dir: t.TempDir()}
	r.Bin = filepath.Join(r.Dir, "bin")
	if err := os.Mkdir(r.Bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range programs {
		if err := os.Symlink(exe, filepath.Join(r.Bin, p)); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", r.Bin)
	t.Setenv(envDir, r.Dir)
	return r
}

// Calls returns every recorded call, program name first.
func (r *Rig) Calls() [][]string {
	f, err := os.Open(filepath.Join(r.Dir, "calls.log"))
	if err != nil {
		return nil
	}
	defer f.Close()
	var calls [][]string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var argv []string
		if json.Unmarshal(sc.Bytes(), &argv) == nil {
			calls = append(calls, argv)
		}
	}
	return calls
}

// Lines returns the calls as space-joined lines, easy to compare.
func (r *Rig) Lines() []string {
	var lines []string
	for _, c := range r.Calls() {
		lines = append(lines, strings.Join(c, " "))
	}
	return lines
}

// ResetCalls forgets the calls so far, keeping the state.
func (r *Rig) ResetCalls() { os.Remove(filepath.Join(r.Dir, "calls.log")) }

// DockerDown makes docker behave as a CLI whose daemon is not running.
func (r *Rig) DockerDown() { r.write("docker-down", "") }

// FailBuild makes the next builds fail, printing stderr.
func (r *Rig) FailBuild(stderr string) { r.write("fail-build", stderr) }

// Images lists what a builder ("docker", "podman", "buildah"), the
// cluster ("cluster") or the registry ("registry") has.
func (r *Rig) Images(store string) []string { return readLines(filepath.Join(r.Dir, "store-"+store)) }

// AddImage puts ref into a store, as if it had been built or loaded before.
func (r *Rig) AddImage(store, ref string) { addLine(filepath.Join(r.Dir, "store-"+store), ref) }

func (r *Rig) write(name, content string) {
	if err := os.WriteFile(filepath.Join(r.Dir, name), []byte(content), 0o644); err != nil {
		panic(err)
	}
}

// Main runs the stand-in when the test binary was started as one of
// Programs; otherwise it returns and the tests run.
func Main() {
	dir := os.Getenv(envDir)
	name := filepath.Base(os.Args[0])
	if dir == "" || !slices.Contains(Programs, name) {
		return
	}
	p := &proc{dir: dir, name: name, args: os.Args[1:]}
	p.record()
	os.Exit(p.run())
}

func readLines(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func addLine(path, line string) {
	if slices.Contains(readLines(path), line) {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	fmt.Fprintln(f, line)
}
