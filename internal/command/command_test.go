package command

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestString(t *testing.T) {
	tests := map[string]struct {
		cmd  Cmd
		want string
	}{
		"plain":      {Cmd{Name: "docker", Args: []string{"build", "-t", "todo-backend:abc123", "."}}, "docker build -t todo-backend:abc123 ."},
		"spaces":     {Cmd{Name: "helm", Args: []string{"--set", "a=b c", ""}}, "helm --set 'a=b c' ''"},
		"quote":      {Cmd{Name: "sh", Args: []string{"-c", "echo 'hi'"}}, `sh -c 'echo '\''hi'\'''`},
		"env hidden": {Cmd{Name: "kubectl", Env: []string{"TOKEN=s3cr3t"}}, "kubectl"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tc.cmd.String(); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestExec(t *testing.T) {
	ctx := context.Background()
	res, err := Exec{}.Run(ctx, Cmd{Name: "sh", Args: []string{"-c", "echo out; echo err >&2"}})
	if err != nil || string(res.Stdout) != "out\n" || string(res.Stderr) != "err\n" {
		t.Fatalf("got %q %q %v", res.Stdout, res.Stderr, err)
	}
	_, err = Exec{}.Run(ctx, Cmd{Name: "sh", Args: []string{"-c", "echo first >&2; echo 'the cause' >&2; exit 3"}})
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 3 || !strings.HasSuffix(err.Error(), ": the cause") {
		t.Fatalf("got %v", err)
	}
	_, err = Exec{}.Run(ctx, Cmd{Name: "no-such-program-helm-todo"})
	var nf *NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("got %v, want NotFoundError", err)
	}
}

func TestDryRunRunsNothing(t *testing.T) {
	var out bytes.Buffer
	_, err := DryRun{Out: &out}.Run(context.Background(), Cmd{Name: "sh", Args: []string{"-c", "exit 1"}})
	if err != nil || out.String() != "sh -c 'exit 1'\n" {
		t.Fatalf("got %q %v", out.String(), err)
	}
}

// signalWriter closes ready on the first write: the child is running and
// has installed its trap.
type signalWriter struct {
	ready chan struct{}
	once  bool
}

func (w *signalWriter) Write(p []byte) (int, error) {
	if !w.once {
		w.once = true
		close(w.ready)
	}
	return len(p), nil
}

func TestGraceSendsSIGTERM(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	w := &signalWriter{ready: make(chan struct{})}
	go func() { <-w.ready; cancel() }()
	res, err := Exec{}.Run(ctx, Cmd{
		Name:   "sh",
		Args:   []string{"-c", `trap 'echo cleaned-up; exit 7' TERM; echo ready; while :; do sleep 0.05; done`},
		Stdout: w,
		Grace:  time.Minute,
	})
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 7 || !strings.Contains(string(res.Stdout), "cleaned-up") {
		t.Fatalf("child did not get to clean up: %q %v", res.Stdout, err)
	}
}
