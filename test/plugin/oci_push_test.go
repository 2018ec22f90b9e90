package plugin_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

// The OCI layout Helm 4 (4.3.1, pkg/registry/plugin.go) pulls a plugin from:
// artifact type application/vnd.helm.plugin.v1+json, the archive and its
// .prov as layers titled <name>-<version>.tgz[.prov], each of a layer media
// type Helm fetches. It is what docs/releasing.md's `oras push` command makes.
const (
	pluginArtifactType = "application/vnd.helm.plugin.v1+json"
	emptyConfigType    = "application/vnd.oci.empty.v1+json"
	titleAnnotation    = "org.opencontainers.image.title"
)

type ociDescriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int               `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// pushPlugin pushes archive (and archive.prov) to http://reg/repo:tag with
// the distribution API: one upload per blob, then the manifest.
func pushPlugin(t *testing.T, reg, repo, tag, archive string) {
	t.Helper()
	blob := func(data []byte, mediaType, title string) ociDescriptor {
		t.Helper()
		digest := fmt.Sprintf("sha256:%x", sha256.Sum256(data))
		resp, err := http.Post("http://"+reg+"/v2/"+repo+"/blobs/uploads/", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("start upload to %s: %s", repo, resp.Status)
		}
		loc, err := resp.Location()
		if err != nil {
			t.Fatal(err)
		}
		q := loc.Query()
		q.Set("digest", digest)
		loc.RawQuery = q.Encode()
		put(t, loc, "application/octet-stream", data, http.StatusCreated)
		d := ociDescriptor{MediaType: mediaType, Digest: digest, Size: len(data)}
		if title != "" {
			d.Annotations = map[string]string{titleAnnotation: title}
		}
		return d
	}
	read := func(p string) []byte {
		t.Helper()
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	manifest := map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.manifest.v1+json",
		"artifactType":  pluginArtifactType,
		"config":        blob([]byte("{}"), emptyConfigType, ""),
		"layers": []ociDescriptor{
			blob(read(archive), "application/vnd.oci.image.layer.v1.tar+gzip", filepath.Base(archive)),
			blob(read(archive+".prov"), "application/vnd.oci.image.layer.v1.tar", filepath.Base(archive)+".prov"),
		},
	}
	body, err := json.Marshal(manifest)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("http://" + reg + "/v2/" + repo + "/manifests/" + tag)
	put(t, u, "application/vnd.oci.image.manifest.v1+json", body, http.StatusCreated)
}

func put(t *testing.T, u *url.URL, contentType string, body []byte, want int) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, u.String(), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		msg, _ := io.ReadAll(resp.Body)
		t.Fatalf("PUT %s: %s\n%s", u, resp.Status, msg)
	}
}
