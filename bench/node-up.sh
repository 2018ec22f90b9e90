#!/usr/bin/env bash
# bench/node-up.sh (make bench-node): `helm todo up` on the real node rig,
# timed, printed and not asserted:
#
#   1. a cold up with cached stand-ins: a fresh buildah store holding only
#      the stand-in bases (imported before the clock starts), new content
#      (a marker file) so both images build and push from nothing, a new
#      namespace; the time of each step, from the `==> [i/n]` lines;
#   2. a one-file-changed up: one backend source file edited, from the edit
#      to the frontend URL answering a request served by the new backend;
#   3. a no-change up beside a bare `helm upgrade --reuse-values --wait` of
#      the same release (medians of 3, alternating), as a ratio: the
#      reference runs in the same process, so the machine's load cancels.
#
# Starts the rig when it is down (and leaves it as found). Needs root.
# Env: HELM (default .tools/helm4/helm).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
helm=${HELM:-$repo/.tools/helm4/helm}
ns=bench-$(date +%s)
work=$(mktemp -d "${TMPDIR:-/tmp}/helm-todo-bench.XXXXXX")
started_rig=0
kubeconfig=$repo/.tools/node-rig/kubeconfig

cleanup() {
  local rc=$?
  KUBECONFIG=$kubeconfig kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1 || true
  test/node/apps.sh stop || true
  buildah rm --all >/dev/null 2>&1 || true
  rm -rf "$work"
  ((started_rig)) && test/node/node.sh down >/dev/null 2>&1
  exit "$rc"
}
trap cleanup EXIT
# One rig per machine: not while node-test or the demo uses it.
# shellcheck source=../test/node/lock.sh
. test/node/lock.sh
rig_lock bench-node

make -s build tools node-tools cluster-tools >/dev/null
if ! test/node/node.sh status >/dev/null 2>&1; then
  test/node/node.sh up >/dev/null
  started_rig=1
fi
eval "$(test/node/apps.sh env 2>/dev/null)"
test/node/apps.sh serve

app=$work/app
test/node/apps.sh project "$app"
# New content, so the registry has neither tag.
echo "$ns" >"$app/todo-backend/bench-marker.txt"
echo "$ns" >"$app/todo-frontend/public/bench-marker.txt"

export KUBECONFIG=$kubeconfig HELM_BIN=$helm HELM_PLUGIN_DIR=$repo

# up LOG: run helm todo up, each output line stamped with the time.
up() {
  (cd "$app" && "$repo/bin/helm-todo" up --pull never -n "$ns" 2>&1) |
    while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done >"$1"
  return "${PIPESTATUS[0]}"
}

# steps LOG START END: each step's time, from one `==> [i/n]` line to the next.
steps() {
  awk -v start="$2" -v end="$3" '
    / ==> \[[0-9]+\/[0-9]+\] / { if (name != "") printf "    %-44s %6.1fs\n", name, $1 - t; t = $1; name = substr($0, index($0, "==> ") + 4) }
    END { if (name != "") printf "    %-44s %6.1fs\n", name, end - t }' "$1"
}

median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }

# 1. cold, on a fresh store holding only the stand-ins.
cold_store=$work/store
mkdir -p "$cold_store"
printf '[storage]\ndriver = "overlay"\ngraphroot = "%s/root"\nrunroot = "%s/run"\n' "$cold_store" "$cold_store" >"$cold_store/storage.conf"
warm_conf=$CONTAINERS_STORAGE_CONF
for ref in docker.io/library/python:3.11-slim docker.io/library/node:20-alpine; do
  f=$(ls .tools/images/archives/"$(basename "${ref/:/-}")"-*.docker.tar)
  CONTAINERS_STORAGE_CONF=$cold_store/storage.conf buildah pull --quiet "docker-archive:$f" >/dev/null
done
export CONTAINERS_STORAGE_CONF=$cold_store/storage.conf
t0=$EPOCHREALTIME
up "$work/cold.log" || { tail -20 "$work/cold.log"; exit 1; }
t1=$EPOCHREALTIME
url=$(sed -n 's/^[0-9.]* frontend URL: //p' "$work/cold.log" | tail -1)
echo "1. cold up (stand-ins cached, nothing else): $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')s, to $url"
steps "$work/cold.log" "$t0" "$t1"

# 2. one backend file changed: edit to the new code answering.
src=$app/todo-backend/src/main.py
t0=$EPOCHREALTIME
printf '\n# bench edit %s\n' "$t0" >>"$src"
up "$work/edit.log" || { tail -20 "$work/edit.log"; exit 1; }
until curl -fsS -m 2 -o /dev/null "$url/api/todos"; do sleep 0.2; done
t1=$EPOCHREALTIME
echo "2. one backend file changed, edit to serving: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')s"
steps "$work/edit.log" "$t0" "$t1"

# 3. no change vs a bare helm upgrade, medians of 3.
export CONTAINERS_STORAGE_CONF=$warm_conf
pr=helm-todo
[[ $("$helm" version --template '{{.Version}}') == v3.* ]] && pr=$repo/bin/helm-todo-postrender
ups=() bares=()
for i in 1 2 3; do
  t0=$EPOCHREALTIME
  CONTAINERS_STORAGE_CONF=$cold_store/storage.conf up "$work/nochange.log" || { tail -20 "$work/nochange.log"; exit 1; }
  t1=$EPOCHREALTIME
  ups+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
  t0=$EPOCHREALTIME
  "$helm" upgrade todo charts/todo-app -n "$ns" --wait --timeout 5m --reuse-values --post-renderer "$pr" >/dev/null
  t1=$EPOCHREALTIME
  bares+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
done
u=$(median "${ups[@]}") b=$(median "${bares[@]}")
echo "3. no-change up $(printf '%.1f' "$u")s vs bare helm upgrade $(printf '%.1f' "$b")s (medians of 3): $(awk -v u="$u" -v b="$b" 'BEGIN { printf "%.2f", u / b }')x"
grep -c ' build skipped' "$work/nochange.log" | sed 's/^/   builds skipped in the last no-change up: /'
