//go:build !windows

package command

import (
	"context"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// A program run with OwnGroup leads a process group of its own, so a
// terminal's Ctrl-C to helm-todo's group does not reach it.
func TestOwnGroup(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	for _, own := range []bool{false, true} {
		res, err := Exec{}.Run(context.Background(), Cmd{Name: "sh", Args: []string{"-c", `echo $$ $(cut -d' ' -f5 /proc/$$/stat)`}, OwnGroup: own})
		if err != nil {
			t.Fatal(err)
		}
		f := strings.Fields(string(res.Stdout))
		pid, pgid := f[0], f[1]
		if got := pid == pgid; got != own {
			t.Errorf("OwnGroup=%v: pid %s pgid %s (own group leader: %v)", own, pid, pgid, got)
		}
		if own && pgid == strconv.Itoa(syscall.Getpgrp()) {
			t.Errorf("OwnGroup=true: child shares the test's process group %s", pgid)
		}
	}
}
