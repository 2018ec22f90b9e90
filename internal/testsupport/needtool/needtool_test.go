package needtool

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Under CI=true a missing program fails the test; elsewhere it skips it.
// The verdicts come from child runs of this test binary.
func TestMissingFailsUnderCI(t *testing.T) {
	if os.Getenv("NEEDTOOL_CHILD") == "1" {
		Path(t, "no-such-program-helm-todo", "nothing")
		return
	}
	for ci, want := range map[string]string{"true": "--- FAIL", "": "--- SKIP"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMissingFailsUnderCI$", "-test.v")
		cmd.Env = append(os.Environ(), "NEEDTOOL_CHILD=1", "CI="+ci)
		out, _ := cmd.CombinedOutput()
		if !strings.Contains(string(out), want) {
			t.Errorf("CI=%q: want %s, got:\n%s", ci, want, out)
		}
	}
}
