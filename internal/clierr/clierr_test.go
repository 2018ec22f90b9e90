package clierr

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorAndExitCode(t *testing.T) {
	cause := errors.New("no such file")
	tests := map[string]struct {
		err      error
		wantMsg  string
		wantCode int
		wantFix  string
	}{
		"nil":        {err: nil, wantCode: 0},
		"plain":      {err: cause, wantMsg: "no such file", wantCode: 1},
		"with fix":   {err: New("read env file", "create .env", cause), wantMsg: "read env file: no such file", wantCode: 1, wantFix: "create .env"},
		"usage":      {err: Usagef("pass --registry", "unknown cluster %q", "prod"), wantMsg: `unknown cluster "prod"`, wantCode: 2, wantFix: "pass --registry"},
		"wrapped":    {err: fmt.Errorf("up: %w", Usage("flag --timeout", "use a duration like 5m", cause)), wantMsg: "up: flag --timeout: no such file", wantCode: 2, wantFix: "use a duration like 5m"},
		"nested fix": {err: New("deploy", "", New("wait", "see the events", cause)), wantMsg: "deploy: wait: no such file", wantCode: 1, wantFix: "see the events"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if tc.err != nil && tc.err.Error() != tc.wantMsg {
				t.Errorf("message %q, want %q", tc.err.Error(), tc.wantMsg)
			}
			if got := ExitCode(tc.err); got != tc.wantCode {
				t.Errorf("exit code %d, want %d", got, tc.wantCode)
			}
			if got := FixOf(tc.err); got != tc.wantFix {
				t.Errorf("fix %q, want %q", got, tc.wantFix)
			}
		})
	}
}
