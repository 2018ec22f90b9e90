package main

import (
	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/interrupt"
)

// exitInterrupted is what a shell reports for a program stopped by Ctrl-C.
const exitInterrupted = interrupt.ExitCode

// exitCode maps err to the exit code. A run stopped by Ctrl-C exits 130,
// once it has reported what state it left, as shells expect of an
// interrupted command.
func exitCode(err error, interrupted bool) int {
	if err != nil && interrupted {
		return exitInterrupted
	}
	return clierr.ExitCode(err)
}
