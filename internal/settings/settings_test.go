package settings

import (
	"reflect"
	"testing"

	"github.com/spf13/pflag"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestFromEnv(t *testing.T) {
	tests := map[string]struct {
		env  map[string]string
		want Settings
	}{
		"empty": {env: map[string]string{}, want: Settings{HelmBin: "helm"}},
		"helm gives everything": {
			env: map[string]string{"HELM_BIN": "/usr/bin/helm4", "HELM_NAMESPACE": "ns", "HELM_KUBECONTEXT": "minikube",
				"KUBECONFIG": "/k", "HELM_DEBUG": "true", "HELM_PLUGIN_DIR": "/p"},
			want: Settings{HelmBin: "/usr/bin/helm4", Namespace: "ns", KubeContext: "minikube", KubeConfig: "/k", Debug: true, PluginDir: "/p"},
		},
		// Any non-empty NO_COLOR turns colour off, "0" and "false" too.
		"no colour":        {env: map[string]string{"NO_COLOR": "1"}, want: Settings{HelmBin: "helm", NoColor: true}},
		"no colour false":  {env: map[string]string{"NO_COLOR": "false"}, want: Settings{HelmBin: "helm", NoColor: true}},
		"debug not a bool": {env: map[string]string{"HELM_DEBUG": "maybe"}, want: Settings{HelmBin: "helm"}},
		"builder settings": {
			env: map[string]string{"HELM_TODO_BUILDER": "buildah", "HELM_TODO_BUILDER_ARGS": " --isolation=chroot  --layers ",
				"HELM_TODO_BUILDER_GLOBAL_ARGS": "--storage-driver=vfs", "KIND_EXPERIMENTAL_PROVIDER": "podman", "PATH": "/bin"},
			want: Settings{HelmBin: "helm", Builder: "buildah", BuilderArgs: []string{"--isolation=chroot", "--layers"},
				BuilderGlobalArgs: []string{"--storage-driver=vfs"}, KindProvider: "podman", Path: "/bin"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := *FromEnv(env(tc.env))
			if got.Getenv == nil || got.Getenv("PATH") != tc.env["PATH"] {
				t.Errorf("Getenv does not read the environment it was given")
			}
			got.Getenv = nil
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestFlagBeatsEnv(t *testing.T) {
	s := FromEnv(env(map[string]string{"HELM_NAMESPACE": "from-env", "HELM_KUBECONTEXT": "ctx-env"}))
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	s.AddFlags(fs)
	if err := fs.Parse([]string{"--namespace", "from-flag"}); err != nil {
		t.Fatal(err)
	}
	if s.Namespace != "from-flag" {
		t.Errorf("namespace = %q, want the flag's value", s.Namespace)
	}
	if s.KubeContext != "ctx-env" {
		t.Errorf("kube-context = %q, want the env value when no flag is given", s.KubeContext)
	}
}
