package postrendersetup

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

// ReleaseSourceFile is the file `make dist` packs into the released todo
// plugin: the URL the release is published at. It is the default source of
// the post-renderer plugin, so that an archive install of todo gets the
// post-renderer from the same release, verified, and never from a local
// directory. A checkout has no such file and keeps the nested directory.
const ReleaseSourceFile = "release-source"

// Source is what `helm plugin install` gets for the post-renderer plugin.
type Source struct {
	Ref string // a plugin directory, an archive URL or an oci:// reference
	// Local is a directory: Helm symlinks it ("local dev") and verifies nothing.
	Local bool
	OCI   bool
	// Origin says where Ref came from, for the progress line.
	Origin string
}

// ResolveSource turns --from (empty: the todo plugin's release-source file,
// else the nested directory) into the post-renderer plugin of version:
//
//	oci://host/path              -> oci://host/path/helm-todo:<version>
//	oci://host/path/helm-todo:v  -> as given
//	https://host/dir             -> https://host/dir/helm-todo-<version>.tgz (its .prov beside it)
//	https://host/x.tgz           -> as given
//	a directory                  -> as given, unverified (development)
func ResolveSource(from, pluginDir, version string) (Source, error) {
	origin := "--from"
	if from == "" {
		b, err := os.ReadFile(filepath.Join(pluginDir, ReleaseSourceFile))
		switch {
		case err == nil && strings.TrimSpace(string(b)) != "":
			from, origin = strings.TrimSpace(string(b)), "the release the todo plugin came from ("+filepath.Join(pluginDir, ReleaseSourceFile)+")"
		case err != nil && !os.IsNotExist(err):
			return Source{}, clierr.New("read "+filepath.Join(pluginDir, ReleaseSourceFile), "pass --from with the release URL or oci:// repository", err)
		default:
			dir := filepath.Join(pluginDir, "plugins", PluginSubdir)
			if _, err := os.Stat(filepath.Join(dir, "plugin.yaml")); err != nil {
				return Source{}, clierr.New("find the post-renderer plugin at "+dir, "pass --from with the release URL (https://…/v"+version+") or oci:// repository, or reinstall the todo plugin from a complete release or checkout", err)
			}
			return Source{Ref: dir, Local: true, Origin: "the todo plugin's checkout"}, nil
		}
	}
	switch {
	case strings.HasPrefix(from, "oci://"):
		last := from[strings.LastIndex(from, "/")+1:]
		if strings.ContainsAny(last, ":@") {
			return Source{Ref: from, OCI: true, Origin: origin}, nil
		}
		return Source{Ref: strings.TrimRight(from, "/") + "/" + PluginName + ":" + version, OCI: true, Origin: origin}, nil
	case strings.HasPrefix(from, "https://") || strings.HasPrefix(from, "http://"):
		if strings.HasSuffix(from, ".tgz") || strings.HasSuffix(from, ".tar.gz") {
			return Source{Ref: from, Origin: origin}, nil
		}
		return Source{Ref: strings.TrimRight(from, "/") + "/" + PluginName + "-" + version + ".tgz", Origin: origin}, nil
	}
	if fi, err := os.Stat(filepath.Join(from, "plugin.yaml")); err == nil && fi.Mode().IsRegular() {
		return Source{Ref: from, Local: true, Origin: origin}, nil
	}
	return Source{}, clierr.Usage(fmt.Sprintf("--from %q (from %s) is not an http(s) URL, an oci:// reference or a plugin directory", from, origin),
		"pass --from https://github.com/helm-todo/helm-todo/releases/download/v"+version+", --from oci://<registry>/<path>, or a directory holding plugin.yaml", nil)
}

var versionLine = regexp.MustCompile(`(?m)^version:\s*"?([^"\s]+)"?\s*$`)

// PluginVersion is the version in the todo plugin's plugin.yaml: the
// post-renderer plugin installed beside it must be the same release.
func PluginVersion(pluginDir string) (string, error) {
	p := filepath.Join(pluginDir, "plugin.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		return "", clierr.New("read the todo plugin's version from "+p, "reinstall the todo plugin", err)
	}
	m := versionLine.FindSubmatch(b)
	if m == nil {
		return "", clierr.New(p+" has no version", "reinstall the todo plugin", nil)
	}
	return string(m[1]), nil
}
