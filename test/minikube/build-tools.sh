#!/usr/bin/env bash
# build-tools.sh OUTDIR: build the minikube rig's Go tools into OUTDIR/bin
# (make minikube-tools: .tools/minikube/bin): minikube and its
# storage-provisioner (images.sh puts it in the addon's image), crictl, which
# the node image carries, and kubeadm and kubectl, which minikube copies into
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
# MODULE's directory) as OUTDIR/bin/NAME unless already built at VERSION.
build() {
  local name=$1 mod=$2 version=$3 pkg=$4 dir start=$SECONDS
  shift 4
  if [[ -x $out/$name && -f $out/.$name.version && $(cat "$out/.$name.version") == "$mod@$version" ]]; then
    echo "minikube-tools: $name $version up to date"
    return
  fi
  echo "minikube-tools: building $name $version"
  # From /, outside any module, so the repository's go.mod is not consulted.
  if [[ $mod == k8s.io/kubernetes ]]; then
    dir=$here/tools # with the replace directives k8s.io/kubernetes needs
  else
    dir=$(cd / && GOFLAGS=-mod=mod go mod download -json "$mod@$version" | jq -r .Dir)
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
CGO_ENABLED=0 build storage-provisioner k8s.io/minikube "$MINIKUBE_VERSION" ./cmd/storage-provisioner \
  -ldflags "-s -w -X k8s.io/minikube/pkg/storage.version=$STORAGE_PROVISIONER_VERSION"
build crictl sigs.k8s.io/cri-tools "$CRICTL_VERSION" ./cmd/crictl \
  -ldflags "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION"
# As test/cluster/build-tools.sh: without these, version strings are
# v0.0.0-master+$Format:%H$, which kubeadm and minikube fail to parse.
kube_ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$KUBE_MINOR -X k8s.io/component-base/version.gitTreeState=clean"
for c in kubeadm kubectl; do
  build "$c" k8s.io/kubernetes "$KUBE_VERSION" "k8s.io/kubernetes/cmd/$c" -ldflags "$kube_ldflags"
done
