package chart_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/testsupport/needtool"
	"github.com/helm-todo/helm-todo/internal/testsupport/psa"
)

// helmBinaries are the real helm builds from `make tools`. The Makefile
// exports HELM3/HELM4; a plain `go test` finds them in .tools/.
func helmBinaries(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, v := range []struct{ env, dir, want string }{
		{"HELM3", "helm3", "v3.22.0"},
		{"HELM4", "helm4", "v4.3.1"},
	} {
		bin := os.Getenv(v.env)
		if bin == "" {
			bin = filepath.Join("..", "..", ".tools", v.dir, "helm")
		}
		abs, err := filepath.Abs(bin)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(abs); err != nil {
			needtool.Missing(t, "no %s binary at %s: run `make tools` (or `make test`, which builds it first)", v.want, abs)
		}
		out[v.want] = abs
	}
	return out
}

// helm runs a helm binary with its state confined to a temp dir.
func helm(t *testing.T, bin string, args ...string) (string, string, error) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(),
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"),
		"KUBECONFIG="+filepath.Join(home, "kubeconfig"),
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

var cliCases = []struct {
	name string
	args []string
}{
	{"defaults", nil},
	{"values-dev", []string{"-f", devValues}},
	{"dev probes", []string{"-f", devProbeValues}},
	{"in-cluster database", []string{"--set", "database.external=false"}},
	{"existingSecret, scaled", []string{"--set", "secrets.existingSecret=todo-secrets,backend.replicaCount=2,frontend.replicaCount=2"}},
}

func TestHelmLintStrict(t *testing.T) {
	for version, bin := range helmBinaries(t) {
		// `go install` builds carry no ldflags, so helm reports only
		// major.minor (v3.22); the tools stamp records the full version.
		out, _, _ := helm(t, bin, "version", "--template", "{{.Version}}")
		if out == "" || !strings.HasPrefix(version, out) {
			t.Fatalf("%s reports version %q, want %s", bin, out, version)
		}
		if stamp, err := os.ReadFile(filepath.Join(filepath.Dir(bin), ".version")); err == nil && !strings.HasSuffix(strings.TrimSpace(string(stamp)), "@"+version) {
			t.Fatalf("%s was built as %s, want %s", bin, stamp, version)
		}
		for _, tc := range cliCases {
			t.Run(version+"/"+tc.name, func(t *testing.T) {
				stdout, stderr, err := helm(t, bin, append([]string{"lint", "--strict", chartDir}, tc.args...)...)
				if err != nil {
					t.Fatalf("helm lint --strict: %v\n%s%s", err, stdout, stderr)
				}
				if !strings.Contains(stdout, "1 chart(s) linted, 0 chart(s) failed") {
					t.Errorf("unexpected lint output:\n%s", stdout)
				}
				if strings.Contains(stdout, "[WARNING]") || strings.Contains(stdout, "[ERROR]") {
					t.Errorf("lint findings:\n%s", stdout)
				}
			})
		}
	}
}

// TestHelmTemplate renders with both real binaries and checks that they
// agree with the SDK rendering the other tests assert on, and that what they
// print passes Pod Security restricted too.
func TestHelmTemplate(t *testing.T) {
	for version, bin := range helmBinaries(t) {
		for _, tc := range cliCases {
			t.Run(version+"/"+tc.name, func(t *testing.T) {
				args := append([]string{"template", release, chartDir, "-n", releaseNS}, tc.args...)
				stdout, stderr, err := helm(t, bin, args...)
				if err != nil {
					t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), err, stderr)
				}
				cli := kindNames(splitDocs(t, stdout, false))

				var files, set []string
				for i := 0; i < len(tc.args); i += 2 {
					if tc.args[i] == "-f" {
						files = append(files, tc.args[i+1])
					} else {
						set = append(set, strings.Split(tc.args[i+1], ",")...)
					}
				}
				sdk := kindNames(render(t, files, set...).docs)
				if strings.Join(cli, " ") != strings.Join(sdk, " ") {
					t.Errorf("helm %s renders\n  %v\nthe SDK renders\n  %v", version, cli, sdk)
				}

				res, err := psa.CheckStream([]byte(stdout))
				if err != nil {
					t.Fatal(err)
				}
				if len(res) < 3 {
					t.Errorf("only %d pod specs in helm's output", len(res))
				}
				if f := psa.Failures(res); len(f) > 0 {
					t.Errorf("restricted:latest refuses:\n  %s", strings.Join(f, "\n  "))
				}
			})
		}
	}
}

func kindNames(docs []doc) []string {
	var s []string
	for _, d := range docs {
		s = append(s, d.Kind+"/"+d.Metadata.Name)
	}
	sort.Strings(s)
	return s
}

// TestHelmSchemaErrors: bad values fail the real `helm template` and
// `helm lint` with Helm's own schema error, naming the value.
func TestHelmSchemaErrors(t *testing.T) {
	for version, bin := range helmBinaries(t) {
		for _, tc := range badValues {
			t.Run(version+"/"+tc.name, func(t *testing.T) {
				stdout, stderr, err := helm(t, bin, "template", release, chartDir, "--set", tc.set)
				if err == nil {
					t.Fatalf("helm template --set %s succeeded; want a schema error", tc.set)
				}
				if stdout != "" {
					t.Errorf("helm template wrote output although the values are bad:\n%.200s", stdout)
				}
				if !strings.Contains(stderr, "values don't meet the specifications of the schema") || !strings.Contains(stderr, tc.path) {
					t.Errorf("stderr does not name %s in a schema error:\n%s", tc.path, stderr)
				}
			})
		}
		t.Run(version+"/lint", func(t *testing.T) {
			stdout, stderr, err := helm(t, bin, "lint", "--strict", chartDir, "--set", "backend.replicaCount=-1")
			if err == nil || !strings.Contains(stdout+stderr, "/backend/replicaCount") {
				t.Errorf("helm lint accepted negative replicas or did not name them (err %v):\n%s%s", err, stdout, stderr)
			}
		})
	}
}
