package cluster

import (
	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/image"
)

// DockerDesktop is Docker Desktop's cluster, which runs on the docker
// daemon's image store.
var DockerDesktop Kind = dockerDesktop{base{"docker-desktop"}}

type dockerDesktop struct{ base }

func (dockerDesktop) DefaultName() string { return "docker-desktop" }

func (dockerDesktop) Help() (string, string) {
	return "context docker-desktop", "nothing: it shares docker's images"
}

func (dockerDesktop) Detect(k Kubeconfig) (string, string, bool) {
	if k.Context == "docker-desktop" || k.Context == "docker-for-desktop" || k.Host == "kubernetes.docker.internal" {
		return "docker-desktop", "context name or server", true
	}
	return "", "", false
}

// Load is nothing for docker's own images; podman's and buildah's go into
// the docker daemon.
func (dockerDesktop) Load(_ Cluster, img Image) []command.Cmd {
	if !DockerDesktop.Archive(img.Builder) {
		return nil
	}
	return []command.Cmd{{Name: "docker", Args: []string{"load", "-i", img.Source}}}
}

func (dockerDesktop) NothingToLoad() string {
	return "nothing to load: docker-desktop's cluster uses the docker daemon's images"
}

func (dockerDesktop) Check(_ Cluster, img Image) []command.Cmd {
	if !DockerDesktop.Archive(img.Builder) {
		return nil
	}
	return []command.Cmd{image.Builder{Kind: image.Docker}.ExistsCmd(img.Qualified)}
}

func (dockerDesktop) Tool(c Cluster, lookPath func(string) (string, error)) ToolCheck {
	return needs("docker", c, lookPath)
}
