// Package command runs external programs (docker, minikube, helm, ...).
//
// Every external call goes through a Runner so that --dry-run prints the
// exact command line it would run, and tests can put recording stand-ins on
// PATH while exercising the very same code path as production.
package command

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/helm-todo/helm-todo/internal/interrupt"
)

// Cmd is one external command.
type Cmd struct {
	Name  string   // program, looked up on PATH
	Args  []string // arguments
	Dir   string   // working directory, empty for the current one
	Env   []string // extra KEY=VALUE pairs on top of the process environment
	Stdin io.Reader
	// Stdout and Stderr, when set, receive the output live (progress);
	// the output is captured into Result either way.
	Stdout, Stderr io.Writer
	// Grace, when set, makes cancellation send SIGTERM and wait this long
	// before killing: helm rolls a release back on SIGTERM but leaves it
	// pending forever when killed.
	Grace time.Duration
	// OwnGroup shields the program from the terminal's Ctrl-C: only the
	// cancellation of ctx (SIGTERM with Grace) stops it.
	OwnGroup bool
}

// String renders the command line with shell quoting, for plans and logs.
// Env values are never shown: they may carry secrets.
func (c Cmd) String() string {
	parts := make([]string, 0, len(c.Args)+1)
	parts = append(parts, Quote(c.Name))
	for _, a := range c.Args {
		parts = append(parts, Quote(a))
	}
	return strings.Join(parts, " ")
}

// ShellLine is String with c.Env in front, as a shell would take it: the
// line to print for a command whose environment matters and holds no
// secret (String never shows Env).
func ShellLine(c Cmd) string {
	parts := make([]string, 0, len(c.Env)+1)
	for _, kv := range c.Env {
		k, v, _ := strings.Cut(kv, "=")
		parts = append(parts, k+"="+Quote(v))
	}
	return strings.Join(append(parts, c.String()), " ")
}

// Quote quotes s for a POSIX shell when it needs it.
func Quote(s string) string {
	if s == "" {
		return "''"
	}
	if strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@,+%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Result is what a finished command produced.
type Result struct {
	Stdout, Stderr []byte
}

// Runner runs commands.
type Runner interface {
	Run(ctx context.Context, c Cmd) (Result, error)
}

// Exec runs commands for real.
type Exec struct{}

// Run runs c and returns its output. A non-zero exit becomes an *ExitError
// carrying the last line of stderr, which is usually the real cause.
func (Exec) Run(ctx context.Context, c Cmd) (Result, error) {
	cmd := exec.CommandContext(ctx, c.Name, c.Args...)
	cmd.Dir = c.Dir
	if len(c.Env) > 0 {
		cmd.Env = append(os.Environ(), c.Env...)
	}
	cmd.Stdin = c.Stdin
	if c.Grace > 0 {
		cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
		cmd.WaitDelay = c.Grace
	}
	if c.OwnGroup {
		ownGroup(cmd)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = tee(&out, c.Stdout), tee(&errb, c.Stderr)
	err := cmd.Start()
	if err == nil {
		if c.OwnGroup {
			// out of reach of the terminal's Ctrl-C, and alive after
			// helm-todo exits: a second Ctrl-C kills it here
			defer interrupt.From(ctx).Kill(func() { killGroup(cmd) })()
		}
		err = cmd.Wait()
	}
	res := Result{Stdout: out.Bytes(), Stderr: errb.Bytes()}
	if err == nil {
		return res, nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return res, &ExitError{Cmd: c.String(), Code: ee.ExitCode(), Stderr: errb.String()}
	}
	if errors.Is(err, exec.ErrNotFound) {
		return res, &NotFoundError{Name: c.Name}
	}
	return res, fmt.Errorf("run %s: %w", c.Name, err)
}

func tee(buf *bytes.Buffer, w io.Writer) io.Writer {
	if w == nil {
		return buf
	}
	return io.MultiWriter(buf, w)
}

// ExitError is a command that ran and exited non-zero.
type ExitError struct {
	Cmd    string
	Code   int
	Stderr string
}

func (e *ExitError) Error() string {
	msg := fmt.Sprintf("%s exited with code %d", firstWord(e.Cmd), e.Code)
	if last := LastLine(e.Stderr); last != "" {
		msg += ": " + last
	}
	return msg
}

// NotFoundError is a program that is not on PATH.
type NotFoundError struct{ Name string }

func (e *NotFoundError) Error() string { return e.Name + " not found on PATH" }

// LastLine returns the last non-empty line of s, trimmed.
func LastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return l
		}
	}
	return ""
}

func firstWord(s string) string {
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i]
	}
	return s
}

// DryRun prints each command instead of running it, and answers as if it
// had succeeded with empty output.
type DryRun struct{ Out io.Writer }

func (d DryRun) Run(_ context.Context, c Cmd) (Result, error) {
	fmt.Fprintln(d.Out, c.String())
	return Result{}, nil
}
