package main

import (
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/helm-todo/helm-todo/internal/helmbin"
	"github.com/helm-todo/helm-todo/internal/settings"
	"github.com/helm-todo/helm-todo/internal/up"
)

const upLong = `Build, load, deploy and wait: the app from source to running.

  build     the backend and frontend images, tagged by a hash of their inputs
            (skipped when the builder has the tag already)
  load      into the cluster of the kube-context (skipped when it has the tag)
  namespace created with Pod Security "restricted" enforced
  lease     one up at a time per namespace: a second one waits; a release an
            interrupted up left pending-* is rolled back first (the lease
            records the revision each up starts). A release another client
            left pending-* (a plain helm upgrade still running) is waited
            for, at most --timeout, and never rolled back; if that helm
            crashed, --take-over-pending rolls it back
  secrets   the Secret <release>-secrets, from --env-file and the environment
  deploy    $HELM_BIN upgrade --install of the plugin's chart through the
            helm-todo post-renderer, --wait, --atomic (Helm 3) or
            --rollback-on-failure (Helm 4)
  wait      every workload the upgrade changed Current (one it left
            unchanged is not waited on); a crash loop, an image that cannot
            be pulled or a failed migration stops the deploy early with the
            cause
  report    the frontend URL

Secrets: the env file (default .env beside helm-todo.yaml) wins; the
environment fills in the keys it lacks (DATABASE_URL, OPENROUTER_API_KEY,
BETTER_AUTH_SECRET, VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY). All but DATABASE_URL
are required; without DATABASE_URL the chart's in-cluster PostgreSQL is used.
No secret value is passed to helm, so none lands in the release history, and
none is ever printed, --debug included.

--skip-build deploys without building or loading: the tags are
--backend-tag/--frontend-tag when given, else the content hashes a build
would produce. --dry-run prints every command and object, and does nothing.
Ctrl-C stops cleanly: helm rolls back, up says what state the release is
in, and exits 130; a second Ctrl-C stops at once and says what it leaves. Names are checked before anything is touched: the release
as a DNS-1035 label of at most 53 characters, the namespace as a DNS-1123
label, the Secret at most 1 MiB.`

func newUpCmd(s *settings.Settings, out io.Writer) *cobra.Command {
	var img imageOptions
	var a up.Action
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Build, load, deploy and wait: the app from source to running",
		Long:  upLong,
		Example: `  helm todo up                          # build, load, deploy, wait, print the URL
  helm todo up --env-file ../secrets.env -n todo-dev
  helm todo up --dry-run                # every command and object, secrets redacted
  helm todo up --skip-build --backend-tag 1a2b3c4d5e6f
  helm todo up -f values-dev.yaml --timeout 10m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := bindUp(cmd, s, out, &img, &a); err != nil {
				return err
			}
			_, err := a.Run(cmd.Context())
			return err
		},
	}
	addUpFlags(cmd, &img, &a)
	return cmd
}

// bindUp completes up's options from what only the CLI knows; dev binds
// through it too, so every flag means the same in both.
func bindUp(cmd *cobra.Command, s *settings.Settings, out io.Writer, img *imageOptions, a *up.Action) error {
	var err error
	if a.Images, err = img.bind(s, out); err != nil {
		return err
	}
	a.EnvFileSet = cmd.Flags().Changed("env-file")
	a.NamespaceSet = cmd.Flags().Changed("namespace")
	a.KnownMajor = helmbin.FromBuildInfo
	return nil
}

// addUpFlags adds up's flags, which dev shares.
func addUpFlags(cmd *cobra.Command, img *imageOptions, a *up.Action) {
	f := cmd.Flags()
	img.addBuildFlags(f)
	img.addLoadFlags(f)
	f.StringVar(&a.EnvFile, "env-file", "", "secrets file in dotenv format (default: .env beside helm-todo.yaml)")
	f.StringVar(&a.Release, "release", "", "release name (default from helm-todo.yaml, else todo)")
	f.BoolVar(&a.SkipBuild, "skip-build", false, "deploy without building or loading images")
	f.StringVar(&a.BackendTag, "backend-tag", "", "backend image tag to deploy with --skip-build")
	f.StringVar(&a.FrontendTag, "frontend-tag", "", "frontend image tag to deploy with --skip-build")
	f.DurationVar(&a.Timeout, "timeout", 5*time.Minute, "how long helm waits for the rollout")
	f.StringArrayVarP(&a.ValuesFiles, "values", "f", nil, "extra chart values file, after helm-todo.yaml's (repeatable)")
	f.StringArrayVar(&a.Set, "set", nil, "extra chart value key=value (repeatable; never put secrets here, use --env-file)")
	f.StringArrayVar(&a.SetString, "set-string", nil, "extra chart STRING value key=value (repeatable)")
	f.BoolVar(&a.TakeOverPending, "take-over-pending", false, "roll back a release a crashed plain helm left pending-* (default: wait for it, never roll it back)")
}
