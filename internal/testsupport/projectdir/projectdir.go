// Package projectdir writes a minimal app and plugin tree for tests of the
// actions: a helm-todo.yaml, the build contexts and the Dockerfiles.
package projectdir

import (
	"os"
	"path/filepath"
	"testing"
)

// Write creates the app under root and the plugin's Dockerfiles under
// plugin; config is helm-todo.yaml's text.
func Write(t *testing.T, root, plugin, config string) {
	t.Helper()
	files := map[string]string{
		filepath.Join(root, "helm-todo.yaml"):               config,
		filepath.Join(root, "backend/requirements.txt"):     "fastapi\n",
		filepath.Join(root, "frontend/package.json"):        "{}\n",
		filepath.Join(root, "frontend/next.config.mjs"):     "export default { output: \"standalone\" }\n",
		filepath.Join(plugin, "docker/backend.Dockerfile"):  "FROM python:3.11-slim\n",
		filepath.Join(plugin, "docker/frontend.Dockerfile"): "FROM node:20-alpine\n",
	}
	for p, c := range files {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
