package rollout

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

// progress is the report half of the watcher: it keeps what was seen
// across snapshots, behind one lock, and turns each snapshot into the
// lines to print. It makes no API call.
type progress struct {
	// release is the release's name: its objects are named <release>-*.
	release string

	mu       sync.Mutex
	last     map[string]Workload // by Ref
	notReady map[string]string   // pod ref -> why
	seenEvt  map[string]bool     // Warning events printed, by UID
	since    time.Time           // events before this are history
	observed []corev1.Event      // the Warning events printed, for causes
	claims   map[string][]string // pod name -> the claims it mounts
}

func newProgress(release string, since time.Time) *progress {
	return &progress{release: release, last: map[string]Workload{}, notReady: map[string]string{}, seenEvt: map[string]bool{},
		since: since, claims: map[string][]string{}}
}

// update records s and returns what to print: the workloads whose status
// changed, hook Jobs helm removed once done, new Warning events about the
// release's objects, then the failure with its evidence.
func (p *progress) update(s Snapshot) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var changes []string
	for ref, wl := range s.Workloads {
		if prev, ok := p.last[ref]; !ok || prev.Status != wl.Status || prev.Message != wl.Message {
			changes = append(changes, wl.String())
		}
	}
	for ref, prev := range p.last {
		if _, ok := s.Workloads[ref]; !ok && strings.HasPrefix(ref, "job/") {
			if prev.Status == status.CurrentStatus {
				// A hook Job with hook-succeeded vanishes once done.
				changes = append(changes, ref+": done and removed by helm")
			}
			// Not pending, and not reported twice.
			delete(p.last, ref)
		}
	}
	for ref, wl := range s.Workloads {
		p.last[ref] = wl
	}
	// Kept across a rollback too: the claims name what an event calls
	// only "unbound".
	for pod, c := range s.Claims {
		p.claims[pod] = c
	}
	// A rollback deletes everything; keep the last picture of what was not
	// ready, since that is what explains the failure.
	if len(s.Workloads) > 0 || len(s.NotReady) > 0 {
		p.notReady = s.NotReady
	}
	sort.Strings(changes)
	lines := make([]string, 0, len(changes))
	for _, c := range changes {
		lines = append(lines, "   "+c)
	}
	for _, e := range p.newWarnings(s.Warnings) {
		lines = append(lines, "   warning: "+e)
	}
	if f := s.Failure; f != nil {
		lines = append(lines, "   !! "+f.Error())
		for _, d := range f.Details() {
			lines = append(lines, "      "+d)
		}
	}
	return lines
}

// newWarnings are the Warning events about the release's objects not
// printed yet, kept for causes. Objects are matched by name (ofRelease):
// events carry no labels. The caller holds mu.
func (p *progress) newWarnings(events []corev1.Event) []string {
	var out []string
	for _, e := range events {
		if !ofRelease(e.InvolvedObject, p.release) || p.seenEvt[string(e.UID)] || eventTime(&e).Before(p.since) {
			continue
		}
		p.seenEvt[string(e.UID)] = true
		p.observed = append(p.observed, e)
		out = append(out, fmt.Sprintf("%s/%s: %s: %s", strings.ToLower(e.InvolvedObject.Kind), e.InvolvedObject.Name, e.Reason, oneLine(e.Message)))
	}
	return out
}

// pending lists the workloads last seen not Current, with the reasons of
// their pods that are running but not ready.
func (p *progress) pending() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, wl := range p.last {
		if wl.Status != status.CurrentStatus {
			out = append(out, wl.String())
		}
	}
	for pod, why := range p.notReady {
		out = append(out, pod+": "+why)
	}
	sort.Strings(out)
	return out
}

// causes explains what is still pending from the Warning events seen so
// far. Its pending names are the workloads' and pods' bare names (what
// Causes matches event objects by), not pending's lines.
func (p *progress) causes() []Cause {
	p.mu.Lock()
	defer p.mu.Unlock()
	var names []string
	for ref, wl := range p.last {
		if wl.Status != status.CurrentStatus {
			names = append(names, ref[strings.Index(ref, "/")+1:])
		}
	}
	for ref := range p.notReady {
		names = append(names, strings.TrimPrefix(ref, "pod/"))
	}
	sort.Strings(names)
	return Causes(p.observed, names, p.claims)
}

func (p *progress) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.last)
}

func eventTime(e *corev1.Event) time.Time {
	switch {
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	}
	return e.CreationTimestamp.Time
}
