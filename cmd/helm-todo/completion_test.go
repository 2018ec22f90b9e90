package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/settings"
)

// `helm todo completion bash` loads Helm's completion (which completes
// plugins through plugin.complete), not a script for a helm-todo command
// nobody types. Sourcing it in bash registers completion for "helm", from
// the helm binary that ran the plugin, even under a path with a space.
func TestCompletionLoadsHelms(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my helm")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// A stand-in for `helm completion bash`: what matters here is that the
	// script runs the helm of HELM_BIN with these arguments.
	helm := filepath.Join(dir, "helm")
	stub := "#!/bin/sh\n[ \"$1 $2\" = 'completion bash' ] && echo 'complete -F __start_helm helm'\n"
	if err := os.WriteFile(helm, []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		env := map[string]string{"HELM_BIN": helm}
		cmd := newRootCmd(settings.FromEnv(func(k string) string { return env[k] }), strings.NewReader(""), &out, &out)
		cmd.SetArgs(args)
		err := cmd.Execute()
		return out.String(), err
	}
	script, err := run("completion", "bash")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(script, "helm-todo") {
		t.Errorf("the script completes the helm-todo binary:\n%s", script)
	}
	sh := exec.Command("bash", "-c", script+"\ncomplete -p helm")
	got, err := sh.CombinedOutput()
	if err != nil || !strings.Contains(string(got), "__start_helm helm") {
		t.Errorf("sourcing the script did not register helm's completion: %v\n%s\nscript:\n%s", err, got, script)
	}
	for _, shell := range []string{"zsh", "fish", "powershell"} {
		if s, err := run("completion", shell); err != nil || !strings.Contains(s, "completion "+shell) {
			t.Errorf("%s: %v\n%s", shell, err, s)
		}
	}
	if _, err := run("completion", "tcsh"); clierr.ExitCode(err) != clierr.ExitUsage || !strings.Contains(clierr.FixOf(err), "bash, zsh, fish or powershell") {
		t.Errorf("tcsh: exit %d, fix %q", clierr.ExitCode(err), clierr.FixOf(err))
	}
}
