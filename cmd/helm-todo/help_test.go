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

// load never builds, so its --help lists no build-only flag and refuses
// one; build and up keep them.
func TestLoadHasNoBuildOnlyFlags(t *testing.T) {
	buildOnly := []string{"no-cache", "pull", "builder-arg"}
	root := newRootCmd(settings.FromEnv(func(string) string { return "" }), strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	for _, name := range []string{"load", "build", "up"} {
		c, _, err := root.Find([]string{name})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range buildOnly {
			if got, want := c.Flags().Lookup(f) != nil, name != "load"; got != want {
				t.Errorf("%s has --%s: %v, want %v", name, f, got, want)
			}
		}
		for _, f := range []string{"builder", "builder-global-arg", "force", "dry-run"} {
			if c.Flags().Lookup(f) == nil {
				t.Errorf("%s lacks --%s", name, f)
			}
		}
	}
	var out bytes.Buffer
	root = newRootCmd(settings.FromEnv(func(string) string { return "" }), strings.NewReader(""), &out, &out)
	root.SetArgs([]string{"load", "--help"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, f := range buildOnly {
		if strings.Contains(out.String(), "--"+f+" ") {
			t.Errorf("load --help lists --%s:\n%s", f, out.String())
		}
	}
	if !strings.Contains(out.String(), "--registry") {
		t.Errorf("load --help lacks its own flags:\n%s", out.String())
	}
}
