package plan

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

func step(name string, calls *[]string, err error) Step {
	return Func{Label: name, Lines: []string{"do " + name}, Fn: func(context.Context, io.Writer) error {
		*calls = append(*calls, name)
		return err
	}}
}

func TestRun(t *testing.T) {
	boom := errors.New("boom")
	tests := map[string]struct {
		steps      func(*[]string) []Step
		wantCalls  string
		wantFailed string
	}{
		"all succeed": {func(c *[]string) []Step { return []Step{step("a", c, nil), step("b", c, nil)} }, "a,b", ""},
		"stops at first failure": {func(c *[]string) []Step {
			return []Step{step("a", c, nil), step("b", c, boom), step("c", c, nil)}
		}, "a,b", "b"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var calls []string
			p := Plan{Steps: tc.steps(&calls)}
			rep, err := p.Run(context.Background(), io.Discard)
			if got := strings.Join(calls, ","); got != tc.wantCalls {
				t.Errorf("calls %s, want %s", got, tc.wantCalls)
			}
			if rep.Failed != tc.wantFailed {
				t.Errorf("failed %q, want %q", rep.Failed, tc.wantFailed)
			}
			var se *StepError
			if (tc.wantFailed != "") != errors.As(err, &se) {
				t.Errorf("error %v", err)
			}
		})
	}
}

func TestCanceledRunsNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var calls []string
	p := Plan{Steps: []Step{step("a", &calls, nil)}}
	rep, err := p.Run(ctx, io.Discard)
	if len(calls) != 0 || !rep.Canceled || !errors.Is(err, context.Canceled) {
		t.Fatalf("calls %v, report %+v, err %v", calls, rep, err)
	}
}

func TestPrint(t *testing.T) {
	var calls []string
	p := Plan{Title: "up", Steps: []Step{step("build", &calls, nil), step("deploy", &calls, nil)}}
	var out bytes.Buffer
	p.Print(&out)
	want := "plan: up\n1. build\n   do build\n2. deploy\n   do deploy\n"
	if out.String() != want || len(calls) != 0 {
		t.Fatalf("got %q (calls %v)", out.String(), calls)
	}
}
