package plugin_test

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// loadManifest puts manifest alone into a throwaway HELM_PLUGINS as
// <dir>/plugin.yaml and has the real helm list it. Helm 3 and Helm 4 (for
// apiVersion v1) decode plugin.yaml strictly, so an unknown field fails the
// listing; the error text is returned, "" when it loaded cleanly.
func loadManifest(t *testing.T, major int, dir string, manifest []byte) string {
	t.Helper()
	h := newHelmEnv(t, major)
	p := filepath.Join(h.plugins, dir, "plugin.yaml")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, manifest, 0o644); err != nil {
		t.Fatal(err)
	}
	r := h.run(t, nil, "plugin", "list")
	if r.err != nil || strings.Contains(r.stderr, "failed to load") || strings.Contains(r.stderr, "unknown field") {
		return r.stderr + fmt.Sprint(r.err)
	}
	if !strings.Contains(r.stdout, "\n"+nameOf(t, manifest)) {
		return "helm plugin list does not show it:\n" + r.stdout + r.stderr
	}
	return ""
}

func nameOf(t *testing.T, manifest []byte) string {
	t.Helper()
	var m struct{ Name string }
	if err := yaml.Unmarshal(manifest, &m); err != nil || m.Name == "" {
		t.Fatalf("manifest has no name (%v):\n%s", err, manifest)
	}
	return m.Name
}

// manifests are the repository's plugin.yaml files and the Helm majors that
// load each: the post-renderer plugin is apiVersion v1, which only Helm 4 has.
var manifests = []struct {
	path   string
	majors []int
}{
	{"plugin.yaml", []int{3, 4}},
	{"plugins/helm-todo-postrenderer/plugin.yaml", []int{4}},
}

// Every plugin.yaml loads with no unknown field in the Helms that load it,
// and the check itself fails on an added field, so it cannot pass by
// ignoring one. (Helm 4 reads the legacy format leniently; Helm 3 is the
// strict reader of plugin.yaml.)
func TestPluginManifestsLoadStrictly(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	for _, m := range manifests {
		b, err := os.ReadFile(filepath.Join(root, m.path))
		if err != nil {
			t.Fatal(err)
		}
		for _, major := range m.majors {
			t.Run(m.path+"/helm"+string(rune('0'+major)), func(t *testing.T) {
				checkLoads(t, major, b)
			})
		}
	}
}

func checkLoads(t *testing.T, major int, manifest []byte) {
	t.Helper()
	if msg := loadManifest(t, major, "p", manifest); msg != "" {
		t.Errorf("helm %d does not load it cleanly: %s", major, msg)
	}
	legacy := !strings.Contains(string(manifest), "\napiVersion:")
	if major == 4 && legacy {
		return // Helm 4 decodes the legacy format leniently by design
	}
	if msg := loadManifest(t, major, "p", append(append([]byte{}, manifest...), "\nnoSuchField: 1\n"...)); !strings.Contains(msg, "noSuchField") {
		t.Errorf("helm %d loaded a manifest with an unknown field, so this check proves nothing: %q", major, msg)
	}
}

// archiveManifest returns the plugin.yaml inside a .tgz/.tar.gz.
func archiveManifest(t *testing.T, archive string) []byte {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(h.Name) == "plugin.yaml" {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatalf("%s holds no plugin.yaml", archive)
	return nil
}

// checkDistManifests: todo's archives carry plugin.yaml unchanged; the
// post-renderer archive's manifest is its source with HELM_PLUGIN_DIR/../../
// made HELM_PLUGIN_DIR/ and nothing else changed; each loads strictly.
func checkDistManifests(t *testing.T, rel release) {
	root := repoRoot(t)
	src, err := os.ReadFile(filepath.Join(root, "plugin.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"todo-" + rel.version + ".tgz", "todo-" + rel.version + "-helm3.tar.gz"} {
		if got := archiveManifest(t, filepath.Join(rel.dir, a)); string(got) != string(src) {
			t.Errorf("%s has a plugin.yaml other than the repository's:\n%s", a, got)
		}
	}
	prSrc, err := os.ReadFile(filepath.Join(root, "plugins", "helm-todo-postrenderer", "plugin.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	gen := archiveManifest(t, filepath.Join(rel.dir, "helm-todo-"+rel.version+".tgz"))
	var want, got any
	if err := yaml.Unmarshal(prSrc, &want); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(gen, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(relocate(want), got) {
		t.Errorf("helm-todo-%s.tgz's plugin.yaml drifted from plugins/helm-todo-postrenderer/plugin.yaml beyond the ../../ paths:\n%s", rel.version, gen)
	}
	if strings.Contains(string(gen), "../") || strings.Contains(string(gen), `..\`) {
		t.Errorf("the released post-renderer manifest still climbs out of its directory:\n%s", gen)
	}
	for _, major := range []int{3, 4} {
		checkLoads(t, major, src)
	}
	checkLoads(t, 4, gen)
}

// relocate is the one change dist makes to the post-renderer's manifest,
// applied to every string of a decoded YAML value.
func relocate(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			out[k] = relocate(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = relocate(e)
		}
		return out
	case string:
		return strings.NewReplacer("HELM_PLUGIN_DIR/../../", "HELM_PLUGIN_DIR/", `HELM_PLUGIN_DIR\..\..\`, `HELM_PLUGIN_DIR\`).Replace(v)
	}
	return v
}
