// Package starter is `helm todo init`: it writes a commented helm-todo.yaml
// for the repository and keeps the env file out of git. Reading the file
// back is internal/project's.
package starter

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/helm-todo/helm-todo/internal/cluster"
	"github.com/helm-todo/helm-todo/internal/project"
	"github.com/helm-todo/helm-todo/internal/textwrap"
)

// starter is the commented helm-todo.yaml `helm todo init` writes. Every
// field is listed; the ones left commented keep their defaults.
const starter = `# helm-todo.yaml: how ` + "`helm todo`" + ` builds and deploys this repository.
# Every field is optional; a commented field keeps the default shown.
# Paths are relative to this file. Flags override what is set here.

# Helm release name and namespace.
# release: todo
# namespace: todo-app

backend:
  # Build context of the FastAPI app (holds requirements.txt, src/, migrations/).
  # Default: phase-3/backend, else backend/.
  {{backend}}
  # Image repository; the tag is always a hash of the build inputs.
  # image: todo-backend

frontend:
  # Build context of the Next.js app (holds package.json; needs output: "standalone").
  # Default: phase-3/frontend, else frontend/.
  {{frontend}}
  # image: todo-frontend

# Public build args baked into the frontend's browser code. Never put a
# secret here: anyone who loads the page can read them.
buildArgs:
  # NEXT_PUBLIC_API_URL: http://localhost:7860
  # NEXT_PUBLIC_AUTH_URL: http://localhost:3000
  # NEXT_PUBLIC_VAPID_PUBLIC_KEY: ""
  # NEXT_PUBLIC_OPENAI_DOMAIN_KEY: ""

# Extra Helm values files, applied in order after the chart's defaults.
# valuesFiles:
#   - values-local.yaml

# Secrets (DATABASE_URL, OPENROUTER_API_KEY, BETTER_AUTH_SECRET, VAPID_*) are
# read from this file into the <release>-secrets Secret, never into values.
# envFile: .env

build:
  # docker | podman | buildah | auto (docker when its daemon answers,
  # else podman, else buildah).
  # builder: auto
  # Push here when the cluster is not {{kinds}}, e.g. registry.example.com/me.
  # registry: ""
`

// Text returns the starter file for the repository at root, with the
// build contexts that exist there filled in.
func Text(root string) string {
	fill := func(candidates []string) string {
		for _, c := range candidates {
			if fi, err := os.Stat(filepath.Join(root, c)); err == nil && fi.IsDir() {
				return "context: " + c
			}
		}
		return "# context: " + candidates[0]
	}
	return strings.NewReplacer(
		"{{backend}}", fill(project.BackendCandidates),
		"{{frontend}}", fill(project.FrontendCandidates),
		"{{kinds}}", textwrap.Fill(cluster.Choices(), len("  # Push here when the cluster is not "), 74, "  # "),
	).Replace(starter)
}

// Write writes the starter into dir, refusing to replace an
// existing file unless overwrite is set. It returns the path written.
func Write(dir string, overwrite bool) (string, error) {
	path := filepath.Join(dir, project.FileName)
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if overwrite {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return path, err
	}
	if _, err := f.WriteString(Text(dir)); err != nil {
		f.Close()
		return path, err
	}
	return path, f.Close()
}
