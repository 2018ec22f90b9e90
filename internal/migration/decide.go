package migration

import (
	"errors"
	"fmt"

	"helm.sh/helm/v3/pkg/storage/driver"
	"k8s.io/client-go/kubernetes"
)

// Chart values up sets. inputsHash is recorded in every release up makes;
// skipForTag leaves the Job out of the render while the backend runs that
// tag, and defaults to empty, so any other upgrade migrates.
const (
	HashValue = "migration.inputsHash"
	SkipValue = "migration.skipForTag"
)

// Recorded is what the deployed release says about the migration.
type Recorded struct {
	Found    bool // a release is deployed
	Revision int
	Hash     string // its migration.inputsHash; "" when not set
	// Enabled is its effective migration.enabled: a release that never
	// ran the Job vouches for nothing.
	Enabled bool
}

// Decision is whether this up runs the migration Job, and why.
type Decision struct {
	Run    bool
	Reason string
}

// Line is the step output line: "migration: skipped (inputs unchanged
// since revision 4)".
func (d Decision) Line() string {
	if d.Run {
		return "migration: runs (" + d.Reason + ")"
	}
	return "migration: skipped (" + d.Reason + ")"
}

// Decide skips the Job only when the deployed release recorded the same
// inputs hash with the migration enabled: that release's migration (or
// the one before it that it vouched for) ran on these very inputs. Every
// other case runs it, the chart's default.
func Decide(prev Recorded, in Inputs) Decision {
	hash := in.Hash
	switch {
	case hash == "":
		return Decision{Run: true, Reason: in.Unknown}
	case !prev.Found:
		return Decision{Run: true, Reason: "first install"}
	case !prev.Enabled:
		return Decision{Run: true, Reason: fmt.Sprintf("revision %d had the migration disabled", prev.Revision)}
	case prev.Hash == "":
		return Decision{Run: true, Reason: fmt.Sprintf("revision %d recorded no migration inputs (deployed without helm todo up)", prev.Revision)}
	case prev.Hash != hash:
		return Decision{Run: true, Reason: fmt.Sprintf("inputs changed since revision %d", prev.Revision)}
	}
	return Decision{Reason: fmt.Sprintf("inputs unchanged since revision %d", prev.Revision)}
}

// Read reads the deployed release's record through Helm's own storage
// driver (the Secret or ConfigMap one): one API call, no helm process.
// Another storage (sql, memory) is an error, and up then migrates.
func Read(cs kubernetes.Interface, storage, namespace, release string) (Recorded, error) {
	var d driver.Driver
	switch storage {
	case "", "secret", "secrets":
		d = driver.NewSecrets(cs.CoreV1().Secrets(namespace))
	case "configmap", "configmaps":
		d = driver.NewConfigMaps(cs.CoreV1().ConfigMaps(namespace))
	default:
		return Recorded{}, fmt.Errorf("release storage %q (HELM_DRIVER) is not read", storage)
	}
	rels, err := d.Query(map[string]string{"name": release, "owner": "helm", "status": "deployed"})
	if errors.Is(err, driver.ErrReleaseNotFound) {
		return Recorded{}, nil
	}
	if err != nil {
		return Recorded{}, err
	}
	rec := Recorded{}
	for _, r := range rels {
		if r.Version <= rec.Revision {
			continue
		}
		rec = Recorded{Found: true, Revision: r.Version, Enabled: true}
		var defaults map[string]any
		if r.Chart != nil {
			defaults = r.Chart.Values
		}
		if v, ok := lookup(r.Config, "enabled"); ok {
			rec.Enabled = v == true
		} else if v, ok := lookup(defaults, "enabled"); ok {
			rec.Enabled = v == true
		}
		if v, ok := lookup(r.Config, "inputsHash"); ok {
			rec.Hash, _ = v.(string)
		}
	}
	return rec, nil
}

func lookup(values map[string]any, key string) (any, bool) {
	m, ok := values["migration"].(map[string]any)
	if !ok {
		return nil, false
	}
	v, ok := m[key]
	return v, ok
}
