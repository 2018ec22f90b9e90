package up

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/plan"
)

// split records where an up's time goes beyond helm itself, for --debug:
// every process it starts (helm upgrade, helm plugin install when needed,
// builders) and every API request (the lease, the secrets, the watcher's
// lists and watches, the kstatus wait), next to the plan's step times.
type split struct {
	start time.Time
	mu    sync.Mutex
	procs []timed
	api   int
	// apiTime sums request times until the response headers (a watch
	// counts only its opening).
	apiTime time.Duration
}

type timed struct {
	name string
	d    time.Duration
}

func newSplit() *split { return &split{start: time.Now()} }

// runner times each command r runs.
func (s *split) runner(r command.Runner) command.Runner { return splitRunner{r: r, s: s} }

type splitRunner struct {
	r command.Runner
	s *split
}

func (sr splitRunner) Run(ctx context.Context, c command.Cmd) (command.Result, error) {
	start := time.Now()
	res, err := sr.r.Run(ctx, c)
	name := filepath.Base(c.Name)
	if len(c.Args) > 0 {
		name += " " + c.Args[0]
		if c.Args[0] == "plugin" && len(c.Args) > 1 {
			name += " " + c.Args[1]
		}
	}
	sr.s.mu.Lock()
	sr.s.procs = append(sr.s.procs, timed{name, time.Since(start)})
	sr.s.mu.Unlock()
	return res, err
}

// wrap counts and times the API requests of a client.
func (s *split) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		start := time.Now()
		resp, err := rt.RoundTrip(req)
		s.mu.Lock()
		s.api++
		s.apiTime += time.Since(start)
		s.mu.Unlock()
		return resp, err
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// print writes the split: the resolve phase (before the first step), each
// step, the processes, the API requests, and what is left beyond helm
// upgrade itself.
func (s *split) print(out io.Writer, resolved time.Duration, rep plan.Report) {
	s.mu.Lock()
	defer s.mu.Unlock()
	total := time.Since(s.start)
	secs := func(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }
	var steps []string
	for _, st := range rep.Done {
		steps = append(steps, st.Name+" "+secs(st.Duration))
	}
	fmt.Fprintf(out, "debug: time split (total %s)\n", secs(total))
	fmt.Fprintf(out, "   resolve inputs (project, helm major, plugin dirs, tags) %s\n", secs(resolved))
	fmt.Fprintf(out, "   steps: %s\n", strings.Join(steps, ", "))
	var helm time.Duration
	var procTotal time.Duration
	byName := map[string]time.Duration{}
	count := map[string]int{}
	for _, p := range s.procs {
		procTotal += p.d
		byName[p.name] += p.d
		count[p.name]++
		if strings.HasSuffix(p.name, " upgrade") {
			helm += p.d
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return byName[names[i]] > byName[names[j]] })
	var procs []string
	for _, n := range names {
		p := n + " " + secs(byName[n])
		if count[n] > 1 {
			p += fmt.Sprintf(" (%d)", count[n])
		}
		procs = append(procs, p)
	}
	fmt.Fprintf(out, "   processes: %d started, %s: %s\n", len(s.procs), secs(procTotal), strings.Join(procs, ", "))
	fmt.Fprintf(out, "   API: %d requests, %s summed (a watch counts until it opens; they overlap helm)\n", s.api, secs(s.apiTime))
	fmt.Fprintf(out, "   beyond helm upgrade: %s (helm upgrade %s)\n", secs(total-helm), secs(helm))
}
