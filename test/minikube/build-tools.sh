#!/usr/bin/env bash
# build-tools.sh OUTDIR: build the minikube rig's Go tools into OUTDIR/bin
# (make minikube-tools: .tools/minikube/bin): minikube and its
# storage-provisioner (images.sh puts it in the addon's image), crictl, which
# the node image carries, CoreDNS with kubeadm's Corefile plugins (module
# coredns/, for images.sh), and kubeadm and kubectl, which minikube copies into
# the node beside the node rig's kubelet (module tools/, the control plane's
# Kubernetes version and ldflags). Each is skipped when
# OUTDIR/bin/.NAME.version already names its pinned version.
#
# `go install k8s.io/minikube/cmd/minikube@VERSION` fails here: the module
# proxy serves the version but refuses the module's version list, which
# go install reads for deprecations ("loading deprecation"). So each module
# is downloaded and built in its own directory, where its go.mod (with its
# replace directives) is the main module.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "$1/bin" && cd "$1/bin" && pwd)

MINIKUBE_VERSION=v1.38.1
ISO_VERSION=v1.38.0            # minikube's Makefile: ISO_VERSION of that release
STORAGE_PROVISIONER_VERSION=v5 # minikube's Makefile: STORAGE_PROVISIONER_TAG
CRICTL_VERSION=v1.37.0         # cri-tools follows Kubernetes' minor (the rig's v1.37.2)
KUBE_VERSION=v1.37.2           # the control plane's, test/cluster/build-tools.sh
KUBE_MINOR=37

export GOFLAGS="$(go env GOFLAGS) -p=2" # bounded, as cluster-tools: 2 cores

# build NAME MODULE VERSION PKG [go build flags...]: build PKG (relative to
# MODULE's directory) as OUTDIR/bin/NAME unless already built at VERSION
# (the stamp; the module version is VERSION up to a "+"). BUILD_DIR, when
# set, is the module directory to build in instead of the downloaded one.
build() {
  local name=$1 mod=$2 version=$3 pkg=$4 dir start=$SECONDS
  shift 4
  if [[ -x $out/$name && -f $out/.$name.version && $(cat "$out/.$name.version") == "$mod@$version" ]]; then
    echo "minikube-tools: $name $version up to date"
    return
  fi
  echo "minikube-tools: building $name $version"
  # From /, outside any module, so the repository's go.mod is not consulted.
  if [[ -n ${BUILD_DIR:-} ]]; then
    dir=$BUILD_DIR
  elif [[ $mod == k8s.io/kubernetes ]]; then
    dir=$here/tools # with the replace directives k8s.io/kubernetes needs
  elif [[ $mod == github.com/coredns/coredns ]]; then
    dir=$here/coredns # the custom build's main module
  else
    dir=$(cd / && GOFLAGS=-mod=mod go mod download -json "$mod@${version%%+*}" | jq -r .Dir)
  fi
  [[ -n $dir && -f $dir/go.mod ]] || {
    echo "minikube-tools: go mod download $mod@$version gave no module directory" >&2
    exit 1
  }
  (cd "$dir" && go build -trimpath "$@" -o "$out/$name.new" "$pkg")
  mv "$out/$name.new" "$out/$name"
  echo "$mod@$version" >"$out/.$name.version"
  echo "$((SECONDS - start))" >"$out/.$name.seconds"
  echo "minikube-tools: built $name $version in $((SECONDS - start))s"
}

# The -X flags are what minikube's Makefile sets: without them `minikube
# version` prints v0.0.0-unset and the storage-provisioner image has no tag.
# libvirt_dlopen: the kvm2 driver opens libvirt at run time, so no libvirt
# headers are needed (minikube's release build does the same).
v=k8s.io/minikube/pkg/version
build minikube k8s.io/minikube "$MINIKUBE_VERSION" ./cmd/minikube -tags libvirt_dlopen \
  -ldflags "-s -w -X $v.version=$MINIKUBE_VERSION -X $v.isoVersion=$ISO_VERSION -X $v.storageProvisionerVersion=$STORAGE_PROVISIONER_VERSION"
# The storage-provisioner addon's image holds only this binary
# (images.sh), so it is static; minikube's Makefile builds it the same way.
# One change: leader election off. Built from v1.38.1 it exits at once
# ("endpoints lock is removed, migrate to leases"): its provisioner library
# hard-codes the endpoints lock, which the client-go it now builds with has
# dropped (the published v5 image predates that). The addon runs one
# replica, so no election is lost. The module cache is read-only and go
# build -overlay refuses files in it, so the command and its one package
# (pkg/storage imports nothing else of minikube) are built from a copy,
# with the module's go.mod and go.sum.
provisioner_src() {
  local dir src=$out/.storage-provisioner-src
  dir=$(cd / && GOFLAGS=-mod=mod go mod download -json "k8s.io/minikube@$MINIKUBE_VERSION" | jq -r .Dir)
  rm -rf "$src"
  mkdir -p "$src/cmd/storage-provisioner" "$src/pkg/storage"
  cp "$dir/go.mod" "$dir/go.sum" "$src/"
  cp "$dir/cmd/storage-provisioner/main.go" "$src/cmd/storage-provisioner/"
  sed 's/provisionerName, hostPathProvisioner, serverVersion.GitVersion)/provisionerName, hostPathProvisioner, serverVersion.GitVersion, controller.LeaderElection(false))/' \
    "$dir/pkg/storage/storage_provisioner.go" >"$src/pkg/storage/storage_provisioner.go"
  chmod -R u+w "$src"
  grep -q 'controller.LeaderElection(false)' "$src/pkg/storage/storage_provisioner.go" || {
    echo "minikube-tools: the storage-provisioner change no longer applies to $dir/pkg/storage" >&2
    exit 1
  }
  echo "$src"
}
src=$(provisioner_src)
BUILD_DIR=$src CGO_ENABLED=0 build storage-provisioner k8s.io/minikube "$MINIKUBE_VERSION+no-leader-election" ./cmd/storage-provisioner \
  -ldflags "-s -w -X k8s.io/minikube/pkg/storage.version=$STORAGE_PROVISIONER_VERSION"
build crictl sigs.k8s.io/cri-tools "$CRICTL_VERSION" ./cmd/crictl \
  -ldflags "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION"
# As test/cluster/build-tools.sh: without these, version strings are
# v0.0.0-master+$Format:%H$, which kubeadm and minikube fail to parse.
kube_ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$KUBE_MINOR -X k8s.io/component-base/version.gitTreeState=clean"
for c in kubeadm kubectl; do
  build "$c" k8s.io/kubernetes "$KUBE_VERSION" "k8s.io/kubernetes/cmd/$c" -ldflags "$kube_ldflags"
done
# The stamp carries main.go's hash: a changed plugin list is rebuilt.
coredns_version=$(cd "$here/coredns" && go list -m -f '{{.Version}}' github.com/coredns/coredns)
build coredns github.com/coredns/coredns "$coredns_version-$(sha256sum "$here/coredns/main.go" | cut -c1-12)" . -ldflags "-s -w"
