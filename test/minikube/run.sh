#!/usr/bin/env bash
# run.sh: `make minikube-app`. Start the minikube rig (rig.sh up, start),
# run `helm todo up` on it as a user does (app.sh prepare, up: every pod
# Ready, the backend's /health in its pod, the frontend URL from this
# machine), `helm todo down`, then take the rig down and fail if anything of
# it is left: a process, a mount or a network link it made, the wheelhouse
# port, the state directory. The rig is taken down however this ends.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
state=${MINIKUBE_RIG_DIR:-${MINIKUBE_TOOLS:-$repo/.tools/minikube}/rig}
port=${MINIKUBE_WHEELHOUSE_PORT:-3151}

die() { echo "minikube-app: FAIL: $*" >&2; exit 1; }
[[ -e $state ]] && die "the rig is up ($state exists); it may be in use: run make minikube-down first"
[[ -z $(ss -Hltn "sport = :$port") ]] || die "port $port is in use; set MINIKUBE_WHEELHOUSE_PORT to a free port"

links() { ip -o link show | awk -F': ' '{ print $2 }' | sed 's/@.*//' | sort; }
links_before=$(links)

teardown() {
  local rc=$? left
  trap - EXIT INT TERM
  "$here/rig.sh" down || rc=1
  left=$(comm -13 <(echo "$links_before") <(links))
  [[ -z $left ]] || { echo "minikube-app: FAIL: network links left: $left" >&2; rc=1; }
  [[ ! -e $state ]] || { echo "minikube-app: FAIL: $state is left" >&2; rc=1; }
  left=$(awk -v p="$state/" 'index($2, p) == 1 { print $2 }' /proc/self/mounts)
  [[ -z $left ]] || { echo "minikube-app: FAIL: mounts left: $left" >&2; rc=1; }
  left=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d -name kubepods 2>/dev/null)
  [[ -z $left ]] || { echo "minikube-app: FAIL: kubepods cgroups left: $left" >&2; rc=1; }
  left=$(pgrep -af -- "$state" || true)
  [[ -z $left ]] || { echo "minikube-app: FAIL: processes left: $left" >&2; rc=1; }
  [[ -z $(ss -Hltn "sport = :$port") ]] || { echo "minikube-app: FAIL: port $port still listens" >&2; rc=1; }
  ((rc)) || echo "minikube-app: rig down, nothing of it left"
  exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT TERM

t0=$SECONDS
"$here/rig.sh" up
"$here/rig.sh" start
"$here/app.sh" prepare
"$here/app.sh" up
"$here/app.sh" down
echo "minikube-app: PASS in $((SECONDS - t0))s (before down)"
