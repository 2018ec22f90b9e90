package up

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/plan"
)

type sleepRunner time.Duration

func (d sleepRunner) Run(ctx context.Context, c command.Cmd) (command.Result, error) {
	time.Sleep(time.Duration(d))
	return command.Result{}, nil
}

// The split names each process and counts real HTTP requests; what is
// beyond helm upgrade excludes helm upgrade's own time.
func TestSplit(t *testing.T) {
	sp := newSplit()
	r := sp.runner(sleepRunner(20 * time.Millisecond))
	for _, args := range [][]string{{"version"}, {"plugin", "list"}, {"upgrade", "--install"}} {
		if _, err := r.Run(context.Background(), command.Cmd{Name: "/opt/helm4/helm", Args: args}); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	client := &http.Client{Transport: sp.wrap(http.DefaultTransport)}
	for range 3 {
		resp, err := client.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	var out bytes.Buffer
	sp.print(&out, 5*time.Millisecond, plan.Report{Done: []plan.StepTime{{Name: "lease", Duration: 30 * time.Millisecond}}})
	for _, want := range []string{"debug: time split (total ", "steps: lease 0.03s", "processes: 3 started", "helm plugin list 0.0", "helm upgrade 0.0", "helm version", "API: 3 requests", "beyond helm upgrade: "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("split lacks %q:\n%s", want, out.String())
		}
	}
}
