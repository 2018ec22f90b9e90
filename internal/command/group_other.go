//go:build windows

package command

import "os/exec"

// ownGroup is a no-op on Windows, where a console's Ctrl-C does not travel
// by process group.
func ownGroup(*exec.Cmd) {}

func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}
