#!/usr/bin/env bash
# node-image.sh: make (once) the root filesystem of the minikube rig's node
# image, kicbase's stand-in, and print the tarball's path. rig.sh imports it
# into its private dockerd (docker import with kicbase's config).
#
# kicbase itself cannot be pulled or built here (its Dockerfile downloads
# docker-ce, cri-dockerd, crictl and the CNI plugins). So, like the image
# test's stand-ins (test/images/standins.sh, whose functions make it), it is
# Debian bookworm from debootstrap plus node/recipe.sh, with kicbase's
# entrypoint and containerd.toml from the minikube module, the node rig's
# containerd build (make node-tools) and crictl (make minikube-tools).
#
# Cached as $MINIKUBE_TOOLS/images/minikube-node-KEY.tar, KEY hashing the
# recipe, the files copied in and the versions of the binaries. The
# bookworm minbase is the image test's when that is already made.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
mk_tools=${MINIKUBE_TOOLS:-$repo/.tools/minikube}
node_tools=${NODE_TOOLS:-$repo/.tools/node}
MINIKUBE_VERSION=v1.38.1 # build-tools.sh's: kicbase's files come from this module

log() { printf 'minikube-node: %s\n' "$*" >&2; }
fail() {
  printf 'minikube-node: FAIL: %s\n' "$*" >&2
  exit 1
}
timing() { log "$1 took ${2}s"; }

[[ $(id -u) == 0 ]] || fail "run as root: buildah's store and chroot isolation need it"
for f in "$node_tools/containerd" "$node_tools/containerd-shim-runc-v2" "$node_tools/ctr"; do
  [[ -x $f ]] || fail "$f is missing; run make node-tools"
done
[[ -x $mk_tools/bin/crictl ]] || fail "$mk_tools/bin/crictl is missing; run make minikube-tools"
kicbase=$(cd / && GOFLAGS=-mod=mod go mod download -json "k8s.io/minikube@$MINIKUBE_VERSION" | jq -r .Dir)/deploy/kicbase
[[ -f $kicbase/entrypoint ]] || fail "no kicbase entrypoint in the minikube module ($kicbase)"

HERE=$repo/test/images
IMAGES_CACHE=$mk_tools/images
ENGINES=$repo/.tools/engines
mkdir -p "$IMAGES_CACHE"
WORK=$(mktemp -d)
# shellcheck source=../images/standins.sh
. "$HERE/standins.sh"
use_buildah_store
trap 'rm_own_containers; rm -rf "$WORK"' EXIT
# The image test's minbase, when made, saves a debootstrap (minutes).
if [[ ! -s $IMAGES_CACHE/bookworm-minbase.tar && -s $repo/.tools/images/bookworm-minbase.tar ]]; then
  ln "$repo/.tools/images/bookworm-minbase.tar" "$IMAGES_CACHE/bookworm-minbase.tar" 2>/dev/null ||
    cp "$repo/.tools/images/bookworm-minbase.tar" "$IMAGES_CACHE/bookworm-minbase.tar"
fi

node_inputs() {
  echo "$kicbase/entrypoint:/usr/local/bin/entrypoint"
  echo "$kicbase/containerd.toml:/etc/containerd/config.toml"
  echo "$here/node/containerd.service:/usr/lib/systemd/system/containerd.service"
  echo "$here/node/containerd-restrict-oom:/usr/local/sbin/containerd-restrict-oom"
  echo "$node_tools/containerd:/usr/bin/containerd"
  echo "$node_tools/containerd-shim-runc-v2:/usr/bin/containerd-shim-runc-v2"
  echo "$node_tools/ctr:/usr/bin/ctr"
  echo "$mk_tools/bin/crictl:/usr/local/bin/crictl"
}
standin_rootfs minikube-node "$here/node/recipe.sh" node_inputs \
  "$kicbase/entrypoint" "$kicbase/containerd.toml" "$here/node/containerd.service" \
  "$here/node/containerd-restrict-oom" "$node_tools/.containerd.version" "$mk_tools/bin/.crictl.version"
echo "$STANDIN_TAR"
