#!/usr/bin/env bash
# run.sh: `make node-test`. Check that the rig refuses to start beside another
# cluster (foreign.sh), then start the node rig, run its Go test against it,
# stop it, and fail if anything of it is left on the machine. The rig is torn
# down however this ends (test failure, Ctrl-C, kill).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."
node=$here/node.sh
state=${NODE_DIR:-$here/../../.tools/node-rig}

# One rig per machine: a second node-test, make node-up or make demo waits for
# this one to end (lock.sh).
# shellcheck source=lock.sh
. "$here/lock.sh"
rig_lock node-test
# A rig already up is someone's: never start over it (up would refuse, and
# the teardown below would stop it).
if [[ -f $state/up ]] && kubectl --kubeconfig "$state/kubeconfig" get --raw /readyz >/dev/null 2>&1; then
  echo "node-test: FAIL: the node rig is already up ($state/up); it may be in use. Stop it first (make node-down), or run the tests against it: HELM_TODO_NODE_KUBECONFIG=$state/kubeconfig go test -count=1 -timeout 60m ./test/node/..." >&2
  exit 1
fi

kwok_workdir= chains_before=
teardown() {
  local rc=$?
  trap - EXIT INT TERM
  "$node" down >/dev/null 2>&1 || "$node" down || rc=1
  rm -f "$chains_before"
  exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT TERM

# containerd's shims put their sockets in a fixed directory shared with any
# other containerd; what is new there after down is ours.
sockets() { { ls /run/containerd/s 2>/dev/null || true; } | sort; } # none yet is fine (pipefail)
sockets_before=$(sockets)
# The kernel settings the rig (the kubelet, the bridge) changes; down puts them back.
sysctls() {
  local k
  for k in net/ipv4/ip_forward net/bridge/bridge-nf-call-iptables vm/overcommit_memory vm/panic_on_oom \
      kernel/panic kernel/panic_on_oops kernel/keys/root_maxkeys kernel/keys/root_maxbytes; do
    echo "$k=$(cat "/proc/sys/$k")"
  done
}
sysctls_before=$(sysctls)
# podman's CNI plugins use the rig's CNI chain names; those already here are theirs.
chains_before=$(mktemp "${TMPDIR:-/tmp}/helm-todo-node-chains.XXXXXX")
"$node" chains > "$chains_before"

# The rig leaves another cluster alone: a stand-in one, before the real up.
"$here/foreign.sh"

start=$SECONDS
"$node" up
up_s=$((SECONDS - start))
# The rig's daemons must not hold the lock: after this script it would stay
# taken with nobody to release it.
held=$(rig_lock_holders)
if [[ $held != "nobody now" ]]; then
  echo "node-test: FAIL: the rig lock $rig_lock_file is held open by the rig's processes (started without 9>&-): $held" >&2
  exit 1
fi
kwok_workdir=$(cat "$state/cluster/workdir")

start=$SECONDS
# test/node/app runs the real `helm todo up` many times: far past go test's
# default 10 minutes; one package at a time (two cores, one node).
HELM_TODO_NODE_KUBECONFIG=$state/kubeconfig go test -count=1 -p 1 -timeout 60m -v ./test/node/... 2>&1 | sed 's/^/  /'
test_s=$((SECONDS - start))

trap - EXIT INT TERM
start=$SECONDS
"$node" down
down_s=$((SECONDS - start))
KWOK_WORKDIR=$kwok_workdir NODE_CHAINS_BEFORE=$chains_before "$node" leftovers || { rm -f "$chains_before"; exit 1; }
rm -f "$chains_before"
new_sockets=$(comm -13 <(echo "$sockets_before") <(sockets))
if [[ -n $new_sockets ]]; then
  echo "node-test: FAIL: shim sockets left in /run/containerd/s: $new_sockets" >&2
  exit 1
fi
changed=$(diff <(echo "$sysctls_before") <(sysctls) | grep '^[<>]') || true
if [[ -n $changed ]]; then
  echo "node-test: FAIL: kernel settings not put back (< before, > after):" >&2
  echo "$changed" >&2
  exit 1
fi
echo "node-test: PASS (up ${up_s}s, test ${test_s}s, down ${down_s}s)"
