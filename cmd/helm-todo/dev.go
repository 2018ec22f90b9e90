package main

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/helm-todo/helm-todo/internal/dev"
	"github.com/helm-todo/helm-todo/internal/settings"
)

const devLong = `Run "helm todo up", then keep the app in step with your edits until Ctrl-C:

  watch     the backend and frontend build contexts (minus what their
            dockerignore excludes: an ignored file never triggers anything),
            their Dockerfiles, the env file, the values files and
            helm-todo.yaml; a burst of saves (an editor, a git checkout)
            is one change once no file moved for --debounce
  live      an edit only to the backend code its image copies verbatim
            (src/) goes into the running backend pods, no image build: the
            chart's live-update mode seeds the code on an emptyDir and runs
            the server under a reloader, the pods stay Pod Security
            "restricted" (non-root, read-only root); code that does not
            compile is refused and the pods keep the last good code
  rebuild   anything else (requirements, migrations, the Dockerfile, the
            frontend): only the component whose content tag changed, then
            load or push it; the redeploy is a helm upgrade of the same
            release, so "helm history" stays the truth; dev says which file
            forced a backend build
  probes    every probe of the backend and frontend polls each second
            (the chart's values-dev-probes.yaml, before your values files),
            so a new pod is seen ready sooner; up keeps the chart's periods
  env file  the Secret is updated and what reads it is restarted
  values    a values file or helm-todo.yaml changed: an upgrade, no build
  logs      backend, frontend and migration pods, one line each with a
            component prefix (coloured on a terminal unless NO_COLOR is
            set), new pods followed after every rollout
  forward   the frontend on 127.0.0.1:--frontend-port (and the backend on
            --backend-port), to whichever pod is ready: the forward
            survives rollouts and pod restarts

A failed build or rollout is reported as up reports it (a crash loop with
its log lines, then helm's rollback), the last good release keeps
running, and dev waits for the next change. Ctrl-C stops watching, builds
the backend from the code as it is now and deploys it as "helm todo up"
would (unless --no-final-build), leaves the app deployed (--cleanup runs "helm todo down" instead; a second
Ctrl-C stops that at once) and exits 130.
Every flag of "helm todo up" works the same here. --dry-run prints the
first up's plan and what would be watched, and does nothing.`

func newDevCmd(s *settings.Settings, out io.Writer) *cobra.Command {
	var img imageOptions
	var a dev.Action
	var cleanup bool
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Up, then rebuild and redeploy what you edit, with logs and a port-forward",
		Long:  devLong,
		Example: `  helm todo dev                          # up, watch, logs, frontend on http://127.0.0.1:3000
  helm todo dev --backend-port 7860      # forward the backend too
  helm todo dev --frontend-port 18080 --no-logs
  helm todo dev --cleanup                # helm todo down on Ctrl-C
  helm todo dev --dry-run                # the first plan and what is watched
  helm todo dev --env-file ../secrets.env -n todo-dev -f values-dev.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := bindUp(cmd, s, out, &img, &a.Up); err != nil {
				return err
			}
			a.Up.Dev = true // short probe periods: the cycle sees new pods ready sooner
			a.Colour = !s.NoColor && isTerminal(out)
			if cleanup {
				a.Cleanup = devCleanup(s, a.Up.Release, a.Up.Timeout, cmd.Flags().Changed("namespace"))
			}
			_, err := a.Run(cmd.Context())
			return err
		},
	}
	addUpFlags(cmd, &img, &a.Up)
	f := cmd.Flags()
	f.DurationVar(&a.Debounce, "debounce", 300*time.Millisecond, "quiet time that ends a burst of file changes")
	f.IntVar(&a.FrontendPort, "frontend-port", 3000, "local port forwarded to the frontend Service (0: none)")
	f.IntVar(&a.BackendPort, "backend-port", 0, "local port forwarded to the backend Service, e.g. 7860 (0: none)")
	f.StringVar(&a.Address, "address", "127.0.0.1", "local address the port-forwards listen on")
	f.BoolVar(&cleanup, "cleanup", false, `run "helm todo down" when dev stops`)
	f.BoolVar(&a.NoLogs, "no-logs", false, "do not stream the app's logs")
	f.BoolVar(&a.NoLiveUpdate, "no-live-update", false, "build the backend for every edit, never sync code into its pods")
	f.BoolVar(&a.NoFinalBuild, "no-final-build", false, "on exit, leave the backend running the live-synced code instead of building and deploying it")
	return cmd
}

// isTerminal says whether out is a terminal, where colour helps; in a
// file or a pipe it would be noise.
func isTerminal(out io.Writer) bool {
	f, ok := out.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// devCleanup is what --cleanup runs when dev stops: helm todo down of the
// same release and namespace.
func devCleanup(s *settings.Settings, release string, timeout time.Duration, nsFlag bool) func(context.Context, io.Writer) error {
	o := downOptions{release: release, timeout: timeout}
	return func(ctx context.Context, w io.Writer) error {
		return runDown(ctx, s, o, nsFlag, w)
	}
}
