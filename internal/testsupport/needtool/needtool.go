// Package needtool is how a test asks for a program the Debian packages of
// .ci/apt-packages provide (gpg, docker-registry, buildah, ...). On a
// developer's machine a missing one skips the test, with the package to
// install; under CI=true, where .ci/run has installed them, it fails it, so
// a skip can never hide a regression there.
package needtool

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Path returns the path of program, or skips (fails under CI=true) with the
// Debian package that provides it.
func Path(t testing.TB, program, debianPackage string) string {
	t.Helper()
	p, err := exec.LookPath(program)
	if err != nil {
		Missing(t, "%s not installed (apt-get install %s, or make deps)", program, debianPackage)
	}
	return p
}

// Missing skips the test with the reason, or fails it under CI=true.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s: CI=true, where .ci/run installs every package of .ci/apt-packages, so this is a failure, not a skip", msg)
	}
	t.Skip(msg)
}

// Built returns the absolute path of a tool that `make tools` builds into
// .tools/ (rel is relative to the test's directory), and fails the test
// with the command to run when it is not there.
func Built(t testing.TB, rel string) string {
	t.Helper()
	abs, err := filepath.Abs(rel)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(abs); err != nil {
		t.Fatalf("%s is not built: run `make tools` (make test runs it first)", abs)
	}
	return abs
}
