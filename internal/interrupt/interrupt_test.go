package interrupt_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/interrupt"
)

// The child: what main does, around a program that ignores SIGTERM as helm
// does for the length of its rollback.
func TestMain(m *testing.M) {
	if os.Getenv("INTERRUPT_TEST_CHILD") == "1" {
		ctx, stop := interrupt.NotifyContext(context.Background(), os.Stdout)
		defer stop()
		defer interrupt.From(ctx).Note(func(context.Context) string { return "release todo left pending-upgrade at revision 2" })()
		cmd := command.Cmd{Name: "sh", Args: []string{"-c", `trap "" TERM; echo "grandchild $$"; exec sleep 300`},
			Stdout: os.Stdout, Grace: time.Hour, OwnGroup: true}
		_, err := command.Exec{}.Run(ctx, cmd)
		fmt.Println("helm ended:", err)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// A second Ctrl-C during a long grace exits at once with 130, kills the
// process group that would outlive helm-todo, and prints the state left.
func TestSecondInterruptExitsNow(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard only
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "INTERRUPT_TEST_CHILD=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	var grandchild int
	for lines.Scan() {
		if f, ok := strings.CutPrefix(lines.Text(), "grandchild "); ok {
			grandchild, _ = strconv.Atoi(f)
			break
		}
	}
	if grandchild == 0 {
		t.Fatal("the child never started its program")
	}
	var rest strings.Builder
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for lines.Scan() { // the first press is handled before the second comes
		rest.WriteString(lines.Text() + "\n")
		if strings.Contains(lines.Text(), "Ctrl-C again") {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for lines.Scan() {
		rest.WriteString(lines.Text() + "\n")
	}
	err = cmd.Wait()
	if ctx.Err() != nil {
		t.Fatalf("still running after a second Ctrl-C; output:\n%s", rest.String())
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Errorf("exit %v, want 130", err)
	}
	if !strings.Contains(rest.String(), "release todo left pending-upgrade at revision 2") {
		t.Errorf("the state left is not printed:\n%s", rest.String())
	}
	// SIGKILL lands asynchronously: give it the guard's time, not forever
	for alive(grandchild) && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	if alive(grandchild) {
		_ = syscall.Kill(-grandchild, syscall.SIGKILL)
		st, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", grandchild))
		t.Errorf("the program in its own process group outlived helm-todo: %s\n%s", st, rest.String())
	}
}

// A nil Stop (a context not from NotifyContext) does nothing.
func TestNilStop(t *testing.T) {
	s := interrupt.From(context.Background())
	s.Note(func(context.Context) string { return "" })()
	s.Kill(func() {})()
}

// alive says whether pid runs: a zombie waiting for init to reap it does not.
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}
