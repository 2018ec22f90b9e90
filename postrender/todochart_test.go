package postrender

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/chart"
	"github.com/helm-todo/helm-todo/internal/testsupport/psa"
	"github.com/helm-todo/helm-todo/postrender/policy"
)

// kubeScoreIgnored are the only kube-score checks the todo chart may fail,
// because they contradict the app's own choices (docs/post-renderer.md):
//   - container-image-pull-policy wants Always, but images are loaded into
//     the cluster with `minikube image load` and never pulled;
//   - container-security-context-user-group-id wants a UID above 10000,
//     but the images run as UID 1000.
var kubeScoreIgnored = []string{"container-image-pull-policy", "container-security-context-user-group-id"}

// renderTodo renders charts/todo-app with the Helm SDK, hooks included (as
// Helm 4 passes them to a post-renderer).
func renderTodo(t *testing.T, set ...string) []byte {
	t.Helper()
	r, err := chart.Render(chart.Options{ChartDir: filepath.Join("..", "charts", "todo-app"), Set: set})
	if err != nil {
		t.Fatal(err)
	}
	return []byte(r.Stream())
}

func TestTodoChartIsHardened(t *testing.T) {
	kubeScore := os.Getenv("KUBE_SCORE")
	if kubeScore == "" {
		kubeScore = filepath.Join("..", ".tools", "kube-score", "kube-score")
	}
	if _, err := os.Stat(kubeScore); err != nil {
		t.Fatalf("kube-score not found at %s: run `make kube-score` (or set KUBE_SCORE)", kubeScore)
	}
	// The chart defaults to an external database; the in-cluster variant
	// is the one that renders the PostgreSQL StatefulSet.
	variants := map[string]struct {
		set         []string
		statefulSet bool
	}{
		"defaults":                       {},
		"existing secret (helm todo up)": {set: []string{"secrets.existingSecret=todo-secrets"}},
		"in-cluster database": {set: []string{"database.external=false", "secrets.existingSecret=todo-secrets"},
			statefulSet: true},
	}
	p := policy.Default()
	for name, v := range variants {
		t.Run(name, func(t *testing.T) {
			in := renderTodo(t, v.set...)
			if got := bytes.Contains(in, []byte("\nkind: StatefulSet\n")); got != v.statefulSet {
				t.Fatalf("rendered a StatefulSet: %v, want %v (the variant does not render what it claims)", got, v.statefulSet)
			}
			var out, notices bytes.Buffer
			if err := Run(bytes.NewReader(in), &out, p, &notices); err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, p, in, out.Bytes())
			results, err := psa.CheckStream(out.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if len(results) < 3 {
				t.Fatalf("PSA evaluated %d pod specs, want the backend, frontend and migration at least", len(results))
			}
			if f := psa.Failures(results); len(f) > 0 {
				t.Errorf("PSA restricted refuses:\n%s", strings.Join(f, "\n"))
			}
			args := []string{"score", "--output-format", "ci"}
			for _, ig := range kubeScoreIgnored {
				args = append(args, "--ignore-test", ig)
			}
			cmd := exec.Command(kubeScore, append(args, "-")...)
			cmd.Stdin = bytes.NewReader(out.Bytes())
			report, err := cmd.CombinedOutput()
			var critical []string
			for _, line := range strings.Split(string(report), "\n") {
				if strings.HasPrefix(line, "[CRITICAL]") {
					critical = append(critical, line)
				}
			}
			if len(critical) > 0 {
				t.Errorf("kube-score reports CRITICAL:\n%s", strings.Join(critical, "\n"))
			}
			if err != nil && len(critical) == 0 {
				t.Errorf("kube-score failed without a CRITICAL line: %v\n%s", err, report)
			}
			if !strings.Contains(string(report), "[OK]") {
				t.Errorf("kube-score checked nothing:\n%s", report)
			}
		})
	}
}
