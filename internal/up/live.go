package up

import (
	"fmt"
	"os"

	"github.com/helm-todo/helm-todo/internal/delivery"
	"github.com/helm-todo/helm-todo/internal/live"
)

// LivePath is where the chart's live-update mode puts the backend's code
// (its backend.liveUpdate.path default).
const LivePath = "/app/src"

// LiveValue turns the chart's live-update mode on.
const LiveValue = "backend.liveUpdate.enabled=true"

// Live is what a LiveUpdate run found: the rule when the backend can take
// code without a build, else why not.
type Live struct {
	Rule *live.Rule
	Off  string
}

// liveRule decides live update for this run: on only when asked
// (helm todo dev), when the backend is built from the tree, and when its
// Dockerfile copies the code verbatim to LivePath.
func (a *Action) liveRule(d *delivery.Planned) Live {
	if !a.LiveUpdate {
		return Live{Off: "not asked for"}
	}
	if a.SkipBuild || a.BackendTag != "" {
		return Live{Off: "the backend image is not built from the tree (--skip-build or --backend-tag)"}
	}
	for _, b := range d.Builds {
		if b.Spec.Component != "backend" {
			continue
		}
		df, err := os.ReadFile(b.Spec.Dockerfile)
		if err != nil {
			return Live{Off: err.Error()}
		}
		r, err := live.FromDockerfile(df, b.Spec.Context, LivePath)
		if err != nil {
			return Live{Off: fmt.Sprintf("%s: %v", b.Spec.Dockerfile, err)}
		}
		return Live{Rule: &r}
	}
	return Live{Off: "no backend build"}
}
