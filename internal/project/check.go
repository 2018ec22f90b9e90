package project

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

// nextConfigs are the file names Next.js reads its config from.
var nextConfigs = []string{"next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs"}

// standalone matches `output: "standalone"` in any quoting style.
var standalone = regexp.MustCompile(`output\s*:\s*["'` + "`" + `]standalone["'` + "`" + `]`)

// Check looks for what the shipped Dockerfile of this app needs before a
// build is attempted, so the user gets one clear line instead of a builder
// failing halfway. Problems that only might break the image are warnings.
func (a App) Check() (warnings []string, err error) {
	switch a.Name {
	case "backend":
		if err := needFile(a, "requirements.txt", "the backend image runs `pip install -r requirements.txt`; add the file listing the app's Python dependencies"); err != nil {
			return nil, err
		}
	case "frontend":
		if err := needFile(a, "package.json", "the frontend image runs `npm ci`; add package.json and package-lock.json (run `npm install` in "+a.Context+")"); err != nil {
			return nil, err
		}
		found := false
		for _, name := range nextConfigs {
			data, err := os.ReadFile(filepath.Join(a.Context, name))
			if err != nil {
				continue
			}
			found = true
			if !standalone.Match(data) {
				warnings = append(warnings, fmt.Sprintf("%s has no `output: \"standalone\"`: the frontend image copies .next/standalone and will fail at that step; add `output: \"standalone\"` to the exported config", filepath.Join(a.Context, name)))
			}
			break
		}
		if !found {
			warnings = append(warnings, fmt.Sprintf("no next.config.js/.mjs/.ts in %s: the frontend image needs Next.js `output: \"standalone\"`; create next.config.mjs with `export default { output: \"standalone\" }`", a.Context))
		}
	}
	return warnings, nil
}

func needFile(a App, name, fix string) error {
	p := filepath.Join(a.Context, name)
	if _, err := os.Stat(p); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			err = errors.New("does not exist")
		}
		return clierr.Usage(fmt.Sprintf("%s build context: %s", a.Name, p), fix, err)
	}
	return nil
}
