#!/usr/bin/env bash
# build-tools.sh OUTDIR: build the e2e control plane into OUTDIR:
# kube-apiserver, kube-controller-manager, kube-scheduler (module tools/),
# etcd (module tools/etcd/), kwok and kwokctl (go install).
# Each binary has a stamp OUTDIR/.NAME.version; a binary whose stamp already
# names the wanted version is skipped, so a warm run costs seconds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)

KUBE_VERSION=v1.37.2
KUBE_MINOR=37
ETCD_VERSION=$(cd "$here/tools/etcd" && go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3)
KWOK_VERSION=v0.8.0

# One build at a time: kube-apiserver alone needs several GiB to link, and
# the machine has 2 cores; -p 2 keeps the compile parallel but bounded.
export GOFLAGS="$(go env GOFLAGS) -p=2" # keeps what go env sets (e.g. -buildvcs=false)
# Without these the servers report v0.0.0-master+$Format:%H$, which clients
# (helm, kubectl) fail to parse.
kube_ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$KUBE_MINOR -X k8s.io/component-base/version.gitTreeState=clean"

fresh() { # fresh NAME WANT: true when OUTDIR/NAME is built at WANT
  [[ -x "$out/$1" && -f "$out/.$1.version" && "$(cat "$out/.$1.version")" == "$2" ]]
}
timed() { # timed NAME WANT CMD...: run CMD unless fresh, then stamp
  local name=$1 want=$2; shift 2
  if fresh "$name" "$want"; then
    echo "cluster-tools: $name $want up to date"
    return
  fi
  echo "cluster-tools: building $name $want"
  local start=$SECONDS
  "$@"
  echo "$want" > "$out/.$name.version"
  # Kept for the e2e summary, which reports the cold build time.
  echo "$((SECONDS - start))" > "$out/.$name.seconds"
  echo "cluster-tools: built $name in $((SECONDS - start))s"
}

total=$SECONDS
for c in kube-apiserver kube-controller-manager kube-scheduler; do
  timed "$c" "k8s.io/kubernetes@$KUBE_VERSION" \
    bash -c 'cd "$1/tools" && go build -trimpath -ldflags "$2" -o "$3/$4" "k8s.io/kubernetes/cmd/$4"' _ "$here" "$kube_ldflags" "$out" "$c"
done
timed etcd "go.etcd.io/etcd/server/v3@$ETCD_VERSION" \
  bash -c 'cd "$1/tools/etcd" && go build -trimpath -ldflags "-s -w" -o "$2/etcd" .' _ "$here" "$out"
for c in kwok kwokctl; do
  timed "$c" "sigs.k8s.io/kwok@$KWOK_VERSION" \
    env GOBIN="$out" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/$c@$KWOK_VERSION"
done
echo "cluster-tools: done in $((SECONDS - total))s"
