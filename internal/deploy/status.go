package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/helm-todo/helm-todo/internal/command"
)

// Release is what `helm status` says about a release.
type Release struct {
	Found    bool
	Status   string // deployed, failed, pending-upgrade, ...
	Revision int
	Hooks    []Hook
	// Notes is the chart's NOTES.txt as rendered; no secret goes into it
	// (up passes secrets by existingSecret), and it is shown only with
	// --debug, where helm's own output used to show it.
	Notes string
}

// Hook is a hook's last run.
type Hook struct {
	Name, Kind, Phase string
}

// String is one line for a user: "deployed (revision 3)".
func (r Release) String() string {
	if !r.Found {
		return "not installed"
	}
	return fmt.Sprintf("%s (revision %d)", r.Status, r.Revision)
}

// Status runs `helm status -o json`. A release that does not exist is
// Found=false with no error.
func Status(ctx context.Context, r command.Runner, o Options) (Release, error) {
	args := append([]string{"status", o.Release, "--namespace", o.Namespace, "--output", "json"}, o.connArgs()...)
	res, err := r.Run(ctx, command.Cmd{Name: o.HelmBin, Args: args})
	if err != nil {
		if IsNotFound(err) {
			return Release{}, nil
		}
		return Release{}, err
	}
	return ParseStatus(res.Stdout)
}

// IsNotFound tells helm's "release: not found" from other failures.
func IsNotFound(err error) bool {
	var missingHelm *command.NotFoundError
	var exit *command.ExitError
	return errors.As(err, &exit) && !errors.As(err, &missingHelm) && strings.Contains(exit.Stderr, "not found")
}

// ParseStatus reads `helm status -o json` (and `helm upgrade -o json`,
// which prints the same document). Only the fields needed are
// decoded: the document also holds the release's values and manifest, which
// are never printed.
func ParseStatus(data []byte) (Release, error) {
	var doc struct {
		Info struct {
			Status string `json:"status"`
			Notes  string `json:"notes"`
		} `json:"info"`
		Version int `json:"version"`
		Hooks   []struct {
			Name    string `json:"name"`
			Kind    string `json:"kind"`
			LastRun struct {
				Phase string `json:"phase"`
			} `json:"last_run"`
		} `json:"hooks"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return Release{}, fmt.Errorf("read helm status output: %w", err)
	}
	rel := Release{Found: true, Status: doc.Info.Status, Revision: doc.Version, Notes: doc.Info.Notes}
	for _, h := range doc.Hooks {
		rel.Hooks = append(rel.Hooks, Hook{Name: h.Name, Kind: h.Kind, Phase: h.LastRun.Phase})
	}
	return rel, nil
}
