// Command helm-todo-postrender is the post-renderer Helm runs: Helm 4's
// helm-todo plugin and Helm 3's `helm-todo` on PATH both point at it. It is
// `helm-todo post-render` without the rest of helm-todo, so that it links
// only the post-renderer and stays within its memory budget (see
// internal/postrendercli).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/postrendercli"
	"github.com/helm-todo/helm-todo/internal/version"
)

// memoryLimit is the Go runtime's soft limit (heap, stacks, runtime
// structures; not the binary's own pages, about 11 MB resident).
const memoryLimit = 18 << 20

func main() {
	// The pass keeps little alive (one document, the spooled output's
	// marks, the moved secrets' keys), so it collects against a fixed
	// heap instead of a multiple of the live one: no GC target, an
	// 18 MiB memory limit. Resident size then sits at the same level for
	// 10,000 documents as for 100,000 (measured: 29.4 and 30.8 MB), and
	// with far fewer collections than GOGC 20 the pass is faster. A
	// stream that keeps more alive than the limit still works: the limit
	// is soft, and the runtime caps the GC's share of the CPU.
	// GOGC or GOMEMLIMIT in the environment still win.
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetGCPercent(-1)
		debug.SetMemoryLimit(memoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	name := strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe")
	err := newRootCmd(name, os.Stdin, os.Stdout, os.Stderr).ExecuteContext(ctx)
	clierr.Print(os.Stderr, err)
	stop()
	os.Exit(clierr.ExitCode(err))
}

// newRootCmd is named after the file it runs as: Helm 3 users meet it as
// helm-todo, a link on PATH.
func newRootCmd(name string, in io.Reader, out, errOut io.Writer) *cobra.Command {
	var o postrendercli.Options
	root := &cobra.Command{
		Use:   name,
		Short: "The helm-todo post-renderer: harden a manifest stream from stdin to stdout",
		Long:  postrendercli.Long + "\n\nThis binary is only the post-renderer; the rest of helm-todo is `helm todo`.",
		Example: fmt.Sprintf(`  helm install web ./chart --post-renderer helm-todo
  helm template web ./chart | %[1]s
  helm template web ./chart | %[1]s --config policy.yaml`, name),
		Version:       version.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		// Helm 3 runs it with no arguments; Helm 4's plugin passes
		// post-render, so both spellings work. Anything else is a
		// helm-todo command typed at the wrong binary.
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return clierr.Usagef(fmt.Sprintf("run `helm todo %s`: %s is only the post-renderer", args[0], name), "unknown command %q", args[0])
			}
			return nil
		},
		RunE: postrendercli.RunOrHelp(&o, in, out, errOut),
	}
	root.SetIn(in)
	root.SetOut(out)
	root.SetErr(errOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return clierr.Usage("bad flag", "see --help for the flags", err)
	})
	root.SetVersionTemplate("{{.Version}}\n")
	// Helm runs it; nobody types it often enough to want completion.
	root.CompletionOptions.DisableDefaultCmd = true
	o.AddFlags(root.Flags())
	root.AddCommand(postrendercli.NewCommand(in, out, errOut), newVersionCmd(name, out))
	return root
}

func newVersionCmd(name string, out io.Writer) *cobra.Command {
	return &cobra.Command{
		Use: "version", Short: "Print the version (also --version)", Args: cobra.NoArgs,
		Example: "  " + name + " version",
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(out, version.Version)
			return err
		},
	}
}
