//go:build !windows

package command

import (
	"os/exec"
	"syscall"
)

// ownGroup starts cmd in a process group of its own: a terminal's Ctrl-C
// goes to the whole foreground group, and must not reach a program whose
// interruption helm-todo manages (helm mid-deploy, which would otherwise
// start its rollback behind helm-todo's back).
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killGroup kills the process group ownGroup made, helm and any child.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
