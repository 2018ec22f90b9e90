package image

import (
	"net"
	"strings"
)

// Qualified returns name with its registry and namespace spelled out, the
// way a container runtime resolves it: "todo-backend" is
// "docker.io/library/todo-backend".
//
// podman and buildah name a short-named build "localhost/todo-backend",
// which a pod's "todo-backend" never resolves to once the image is in the
// cluster. Building under the qualified name keeps the chart's short name
// working on every builder.
func Qualified(name string) string {
	first, _, hasSlash := strings.Cut(name, "/")
	if hasSlash && (strings.ContainsAny(first, ".:") || first == "localhost") {
		return name
	}
	if !hasSlash {
		return "docker.io/library/" + name
	}
	return "docker.io/" + name
}

// SameRef reports whether two image references name the same image,
// whichever of them is spelled short.
func SameRef(a, b string) bool {
	return qualifiedRef(a) == qualifiedRef(b)
}

func qualifiedRef(ref string) string {
	name, tag := splitTag(ref)
	if tag == "" {
		tag = "latest"
	}
	return Qualified(name) + ":" + tag
}

// splitTag splits "host:5000/app:tag" into "host:5000/app" and "tag".
func splitTag(ref string) (name, tag string) {
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		return ref[:i], ref[i+1:]
	}
	return ref, ""
}

// LoopbackRegistry reports whether ref's registry host is this machine:
// localhost or a loopback IP, with or without a port.
func LoopbackRegistry(ref string) bool {
	first, _, hasSlash := strings.Cut(ref, "/")
	if !hasSlash {
		return false
	}
	host := first
	if h, _, err := net.SplitHostPort(first); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
