#!/usr/bin/env bash
# build-tools.sh OUTDIR [NAME...]: build the node rig's tools into OUTDIR
# (test/node/node.sh), or only the NAMEs given:
#
#   kubelet, kube-proxy   from the control plane's module (test/cluster/tools),
#                         at its Kubernetes version and with its ldflags
#   containerd            containerd, containerd-shim-runc-v2 and ctr, go install
#   coredns               the custom CoreDNS build of module coredns/
#   kube-router           kube-router, go install; the rig runs only its
#                         NetworkPolicy controller
#   pause.tar             the pod sandbox image (images/pause), a docker-archive
#
# Each has a stamp OUTDIR/.NAME.version; one whose stamp already names the
# wanted version is skipped, so a warm run costs seconds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
shift
want_names=("$@")

KUBE_VERSION=v1.37.2 # the control plane's, test/cluster/build-tools.sh
KUBE_MINOR=37
CONTAINERD_VERSION=v2.4.2
# The only version the Go module proxy serves here (v2.2.0 and later are
# refused). Its advisories are in modes the rig switches off: the service
# proxy (GHSA-phqm-jgc3-qf8g) and the BGP router (GHSA-v5mh-h5hx-7v92).
KUBE_ROUTER_VERSION=v2.1.0
COREDNS_VERSION=$(cd "$here/coredns" && go list -m -f '{{.Version}}' github.com/coredns/coredns)
# The sandbox image's name, pinned in containerd's config (node.sh).
PAUSE_REF=registry.k8s.io/pause:helm-todo

export GOFLAGS="$(go env GOFLAGS) -p=2" # 2 cores, shared; as test/cluster/build-tools.sh
kube_ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$KUBE_MINOR -X k8s.io/component-base/version.gitTreeState=clean"

selected() { # selected NAME: true when NAME is to be built this run
  ((${#want_names[@]} == 0)) && return 0
  local n
  for n in "${want_names[@]}"; do [[ $n == "$1" ]] && return 0; done
  return 1
}
fresh() { # fresh NAME WANT: true when OUTDIR/NAME is built at WANT
  [[ -e "$out/$1" && -f "$out/.$1.version" && "$(cat "$out/.$1.version")" == "$2" ]]
}
timed() { # timed NAME WANT CMD...: run CMD unless fresh, then stamp
  local name=$1 want=$2; shift 2
  selected "$name" || return 0
  if fresh "$name" "$want"; then
    echo "node-tools: $name $want up to date"
    return
  fi
  echo "node-tools: building $name $want"
  local start=$SECONDS
  "$@"
  echo "$want" > "$out/.$name.version"
  echo "$((SECONDS - start))" > "$out/.$name.seconds"
  echo "node-tools: built $name in $((SECONDS - start))s"
}

total=$SECONDS
for c in kubelet kube-proxy; do
  timed "$c" "k8s.io/kubernetes@$KUBE_VERSION" \
    bash -c 'cd "$1/test/cluster/tools" && go build -trimpath -ldflags "$2" -o "$3/$4" "k8s.io/kubernetes/cmd/$4"' _ "$repo" "$kube_ldflags" "$out" "$c"
done
# containerd 2.x: Debian's 1.6 is older than kubelet 1.36+ accepts. The tags
# leave out snapshotters this machine has no use for (and their cgo).
timed containerd "github.com/containerd/containerd/v2@$CONTAINERD_VERSION" \
  env GOBIN="$out" go install -trimpath -tags "no_btrfs no_devmapper no_zfs" \
  -ldflags "-s -w -X github.com/containerd/containerd/v2/version.Version=$CONTAINERD_VERSION" \
  "github.com/containerd/containerd/v2/cmd/containerd@$CONTAINERD_VERSION" \
  "github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2@$CONTAINERD_VERSION" \
  "github.com/containerd/containerd/v2/cmd/ctr@$CONTAINERD_VERSION"
timed kube-router "github.com/cloudnativelabs/kube-router/v2@$KUBE_ROUTER_VERSION" \
  env GOBIN="$out" go install -trimpath \
  -ldflags "-s -w -X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$KUBE_ROUTER_VERSION" \
  "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router@$KUBE_ROUTER_VERSION"
timed coredns "github.com/coredns/coredns@$COREDNS_VERSION" \
  bash -c 'cd "$1/coredns" && go build -trimpath -ldflags "-s -w" -o "$2/coredns" .' _ "$here" "$out"
# The stamp is the source's hash: a changed pause program is rebuilt.
pause_sum=$(cat "$here/images/pause/main.go" "$here/image.sh" | sha256sum | cut -c1-16)
timed pause.tar "$PAUSE_REF@$pause_sum" \
  bash -c 'cd "$1" && rm -f "$2/pause.tar" && ./image.sh ./images/pause 65535:65535 "docker-archive:$2/pause.tar:$3"' _ "$here" "$out" "$PAUSE_REF"
echo "node-tools: done in $((SECONDS - total))s"
