package project

import (
	"path/filepath"
	"testing"
)

func TestReleaseAndNamespace(t *testing.T) {
	p := &Project{Release: "mine", Namespace: "dev"}
	tests := map[string]struct {
		flag, ns        string
		nsFlag          bool
		release, wantNS string
	}{
		"project defaults":             {release: "mine", wantNS: "dev"},
		"flags win":                    {flag: "r2", ns: "other", nsFlag: true, release: "r2", wantNS: "other"},
		"HELM_NAMESPACE=default unset": {ns: "default", release: "mine", wantNS: "dev"},
		"-n default chosen":            {ns: "default", nsFlag: true, release: "mine", wantNS: "default"},
		"HELM_NAMESPACE set":           {ns: "team", release: "mine", wantNS: "team"},
	}
	for name, tc := range tests {
		if r, ns := p.ReleaseOr(tc.flag), p.NamespaceOr(tc.ns, tc.nsFlag); r != tc.release || ns != tc.wantNS {
			t.Errorf("%s: got %s/%s, want %s/%s", name, r, ns, tc.release, tc.wantNS)
		}
	}
}

func TestEnvFileOr(t *testing.T) {
	p := &Project{EnvFile: "/repo/.env"}
	if f, err := p.EnvFileOr(""); err != nil || f != "/repo/.env" {
		t.Errorf("default: %q %v", f, err)
	}
	if f, err := p.EnvFileOr("secrets.env"); err != nil || !filepath.IsAbs(f) || filepath.Base(f) != "secrets.env" {
		t.Errorf("flag: %q %v, want it absolute", f, err)
	}
}
