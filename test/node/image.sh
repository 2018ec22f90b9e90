#!/usr/bin/env bash
# image.sh PKG USER DEST: build the Go package PKG as a static binary and push
# a FROM scratch image holding only it (entrypoint /NAME, running as USER) to
# DEST, a containers-transport reference:
#
#   docker-archive:FILE:REF      a tarball for `ctr images import` (the pause image)
#   docker://HOST/REPO:TAG       a registry (the rig's, plain http on loopback)
#
# buildah runs with a private vfs store in a temp dir that is removed after,
# so nothing is left in the machine's image store.
set -euo pipefail
[[ $# -eq 3 ]] || { echo "usage: image.sh PKG USER DEST" >&2; exit 2; }
pkg=$1 user=$2 dest=$3
name=$(basename "$pkg")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/helm-todo-image.XXXXXX")
b=(buildah --root "$tmp/root" --runroot "$tmp/run" --storage-driver vfs)
trap '"${b[@]}" rm --all >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT

CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/$name" "$pkg"
c=$("${b[@]}" from scratch)
"${b[@]}" copy "$c" "$tmp/$name" "/$name" >/dev/null
"${b[@]}" config --entrypoint "[\"/$name\"]" --cmd '' --user "$user" "$c"
# Committed by ID only, so a docker-archive carries no name but DEST's.
id=$("${b[@]}" commit -q "$c")
"${b[@]}" push -q --tls-verify=false "$id" "$dest"
