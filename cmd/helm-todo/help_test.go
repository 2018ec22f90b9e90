package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/settings"
)

// TestEveryCommandHasExamples: --help of every command a user types shows
// how to call it, and the examples call commands that exist.
func TestEveryCommandHasExamples(t *testing.T) {
	root := newRootCmd(settings.FromEnv(func(string) string { return "" }), strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	checked := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Name() == "help" || sub.Name() == "completion" {
				continue
			}
			checked[sub.Name()] = true
			t.Run(sub.CommandPath(), func(t *testing.T) {
				if strings.TrimSpace(sub.Example) == "" {
					t.Fatalf("%s has no Example", sub.CommandPath())
				}
				for _, line := range strings.Split(sub.Example, "\n") {
					line = strings.TrimSpace(line)
					if rest, ok := strings.CutPrefix(line, "helm todo "); ok && !strings.HasPrefix(rest, sub.Name()) {
						t.Errorf("example %q of %s calls another command", line, sub.Name())
					}
				}
			})
			walk(sub)
		}
	}
	walk(root)
	// An empty or truncated tree must not pass for a checked one.
	for _, name := range []string{"version", "init", "build", "load", "up", "down", "render", "doctor", "install-postrenderer"} {
		if !checked[name] {
			t.Errorf("command %q was not checked: is it still in the tree?", name)
		}
	}
}
