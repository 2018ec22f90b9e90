// Package clierr is helm-todo's one error type for things a user must act on.
//
// Library packages return a *clierr.Error when they know what the user should
// do about a failure; main prints it as "error: <what>: <cause>" plus a
// "fix: ..." line and exits with its code. Only main prints and exits.
package clierr

import (
	"errors"
	"fmt"
	"io"
)

// Exit codes main maps errors to.
const (
	ExitFailure = 1 // the command ran and failed
	ExitUsage   = 2 // bad flags, config or input
)

// Error is a failure with a one-line cause and what to do about it.
type Error struct {
	What string // what failed, lowercase: "build backend image"
	Err  error  // the cause, may be nil
	Fix  string // what to do, may be empty
	Code int    // exit code, ExitFailure when zero
}

func (e *Error) Error() string {
	switch {
	case e.Err == nil:
		return e.What
	case e.What == "":
		return e.Err.Error()
	default:
		return e.What + ": " + e.Err.Error()
	}
}

func (e *Error) Unwrap() error { return e.Err }

// New returns a failure with a fix.
func New(what, fix string, err error) *Error { return &Error{What: what, Err: err, Fix: fix} }

// Usage returns a bad-input failure (exit code 2).
func Usage(what, fix string, err error) *Error {
	return &Error{What: what, Err: err, Fix: fix, Code: ExitUsage}
}

// Usagef is Usage with a formatted message and no cause.
func Usagef(fix, format string, args ...any) *Error {
	return &Error{What: fmt.Sprintf(format, args...), Fix: fix, Code: ExitUsage}
}

// ErrInterrupted ends a command that stopped on Ctrl-C after saying what
// it left: main prints nothing more and exits 130.
var ErrInterrupted = &Error{What: "interrupted", Code: 130}

// ExitCode is the code main exits with for err.
func ExitCode(err error) int {
	if err == nil {
		return 0
	}
	var e *Error
	if errors.As(err, &e) && e.Code != 0 {
		return e.Code
	}
	return ExitFailure
}

// FixOf returns the first fix found along err's chain.
func FixOf(err error) string {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return ""
		}
		if e.Fix != "" {
			return e.Fix
		}
		err = e.Err
	}
	return ""
}

// Print writes err as main shows it: "error: <what>: <cause>" and, when
// there is one, "fix: <fix>". Every binary's main uses it.
func Print(w io.Writer, err error) {
	if err == nil || err == error(ErrInterrupted) {
		return
	}
	fmt.Fprintln(w, "error:", err)
	if fix := FixOf(err); fix != "" {
		fmt.Fprintln(w, "fix:", fix)
	}
}
