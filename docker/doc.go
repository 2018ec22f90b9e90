// Package docker holds the Dockerfiles helm-todo builds the todo images with
// (design R1, R2). It has no Go code of its own: its tests check the shipped
// files with BuildKit's own Dockerfile parser and linter.
package docker
