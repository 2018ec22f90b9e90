// Package docker holds the Dockerfiles helm-todo builds the todo images
// with. It has no Go code of its own: its tests check the shipped
// files with BuildKit's own Dockerfile parser and linter.
package docker
