#!/usr/bin/env bash
# cluster.sh up|down|status: the e2e control plane.
#
#   up     start etcd, kube-apiserver, kube-controller-manager, kube-scheduler
#          and kwok on 127.0.0.1 with kwokctl's binary runtime, add one fake
#          node, and write a kubeconfig to $E2E_DIR/kubeconfig.
#   down   delete the cluster and its work directory; safe to run twice.
#
# Environment: CLUSTER_TOOLS (default <repo>/.tools/cluster, filled by
# `make cluster-tools`), E2E_DIR (default <repo>/.tools/e2e),
# CLUSTER_CONFIG (default kwokctl.yaml beside this script; the node rig passes
# a copy with its API server flags), CLUSTER_FAKE_NODES (default 1; the node
# rig passes 0: a fake node would take the pods meant for the real one).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
tools=${CLUSTER_TOOLS:-$repo/.tools/cluster}
state=${E2E_DIR:-$repo/.tools/e2e}
name=helm-todo-e2e
kubeconfig=$state/kubeconfig
config=${CLUSTER_CONFIG:-$here/kwokctl.yaml}
fake_nodes=${CLUSTER_FAKE_NODES:-1}

die() { echo "cluster: $*" >&2; exit 1; }

# kwokctl keeps each cluster under $KWOK_WORKDIR; a private temp dir per run
# means nothing from a crashed run can be picked up, and `down` removes it.
workdir() { [[ -f "$state/workdir" ]] && cat "$state/workdir"; }

down() {
  local wd
  wd=$(workdir) || return 0
  if [[ -d "$wd" ]]; then
    KWOK_WORKDIR=$wd "$tools/kwokctl" --name "$name" delete cluster --kubeconfig "$kubeconfig" >/dev/null 2>&1 ||
      echo "cluster: kwokctl delete failed; removing $wd anyway" >&2
    rm -rf "$wd"
  fi
  rm -f "$state/workdir" "$kubeconfig"
}

up() {
  for b in etcd kube-apiserver kube-controller-manager kube-scheduler kwok kwokctl; do
    [[ -x "$tools/$b" ]] || die "$tools/$b is missing; run: make cluster-tools"
  done
  mkdir -p "$state"
  # Never take over a cluster that still answers: someone is using it.
  if [[ -n "$(workdir)" && -f "$kubeconfig" ]] &&
      kubectl --kubeconfig "$kubeconfig" get --raw /readyz >/dev/null 2>&1; then
    die "a cluster is already up with KUBECONFIG=$kubeconfig; use it, or stop it first: make cluster-down"
  fi
  down # a cluster left over from an interrupted run
  local wd start=$SECONDS
  wd=$(mktemp -d "${TMPDIR:-/tmp}/helm-todo-kwok.XXXXXX")
  echo "$wd" > "$state/workdir"
  # kwokctl picks component flags by version; tell it the versions built
  # (from the stamps build-tools.sh wrote) instead of its own defaults.
  local kube_version etcd_version
  kube_version=$(sed 's/.*@//' "$tools/.kube-apiserver.version")
  etcd_version=$(sed 's/.*@//' "$tools/.etcd.version")
  # On failure the components would keep running: tear down before exiting.
  if ! KWOK_WORKDIR=$wd KWOK_KUBE_VERSION=$kube_version KWOK_ETCD_VERSION=$etcd_version \
      "$tools/kwokctl" --name "$name" create cluster \
      --config "$config" \
      --runtime binary \
      --etcd-binary "$tools/etcd" \
      --kube-apiserver-binary "$tools/kube-apiserver" \
      --kube-controller-manager-binary "$tools/kube-controller-manager" \
      --kube-scheduler-binary "$tools/kube-scheduler" \
      --kwok-controller-binary "$tools/kwok" \
      --kubeconfig "$kubeconfig" \
      --wait 2m >"$state/create.log" 2>&1; then
    cat "$state/create.log" >&2
    down
    die "kwokctl create cluster failed (log above); the components' logs were under $wd"
  fi
  if ((fake_nodes > 0)); then
    if ! KWOK_WORKDIR=$wd "$tools/kwokctl" --name "$name" scale node --replicas "$fake_nodes" >>"$state/create.log" 2>&1; then
      cat "$state/create.log" >&2
      down
      die "kwokctl scale node failed (log above)"
    fi
    # The scheduler places nothing on a node that kwok has not marked Ready.
    if ! kubectl --kubeconfig "$kubeconfig" wait --for=condition=Ready node --all --timeout=60s >>"$state/create.log" 2>&1; then
      cat "$state/create.log" >&2
      down
      die "the fake node never became Ready (log above)"
    fi
    # kwokctl's node template declares no ephemeral-storage, and the chart
    # requests some (as a real kubelet's node reports it); kwok's node stage
    # keeps whatever status the node has, so set it once here.
    local node
    node=$(kubectl --kubeconfig "$kubeconfig" get nodes -o name 2>>"$state/create.log" | head -n 1)
    if ! kubectl --kubeconfig "$kubeconfig" patch "$node" --subresource=status --type=merge \
        -p '{"status":{"capacity":{"ephemeral-storage":"1Ti"},"allocatable":{"ephemeral-storage":"1Ti"}}}' >>"$state/create.log" 2>&1; then
      cat "$state/create.log" >&2
      down
      die "setting the fake node's ephemeral-storage failed (log above)"
    fi
    if ! kubectl --kubeconfig "$kubeconfig" apply -f "$here/volumes.yaml" >>"$state/create.log" 2>&1; then
      cat "$state/create.log" >&2
      down
      die "creating the static volumes failed (log above)"
    fi
  fi
  echo "cluster: up in $((SECONDS - start))s; KUBECONFIG=$kubeconfig"
  echo "$((SECONDS - start))" > "$state/start-seconds"
}

case "${1:-}" in
  up) up ;;
  down) down; echo "cluster: down" ;;
  status) [[ -n "$(workdir)" ]] && echo "cluster: up, KUBECONFIG=$kubeconfig" || echo "cluster: down" ;;
  *) die "usage: cluster.sh up|down|status" ;;
esac
