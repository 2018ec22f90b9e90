#!/usr/bin/env bash
# bench/dev.sh (make bench-dev): `helm todo dev` on the real node rig, timed,
# printed and not asserted:
#
#   1. dev starts (a cold up when the registry lacks the tags);
#   2. a one-line backend code edit, five times: the live update (no build)
#      from the save to the new code answering through dev's port-forward,
#      the median of 5 printed;
#   3. a backend edit that needs a build (the code line plus a file outside
#      src/ in one save), from the save to the new code answering through
#      dev's port-forward, split into detect (save → dev's "changed" line),
#      build, push (the load step), upgrade (helm upgrade --wait, the
#      migration hook included), ready (the kstatus wait and report, then
#      until the port-forward serves the new code); then Ctrl-C and dev's
#      final build;
#   4. the same edit done by hand: save, `helm todo up`, poll the app.
#
# Needs the rig up (make node-up) and root. Env: HELM (default helm4),
# BENCH_PORT (default 18290, a local port for the backend forward).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
helm=${HELM:-$repo/.tools/helm4/helm}
port=${BENCH_PORT:-18290}
ns=dev-bench-$(date +%s)
work=$(mktemp -d "${TMPDIR:-/tmp}/helm-todo-bench-dev.XXXXXX")
kubeconfig=$repo/.tools/node-rig/kubeconfig
devpid=

cleanup() {
  local rc=$?
  [[ -n "$devpid" ]] && kill -INT "$devpid" 2>/dev/null && wait "$devpid" 2>/dev/null
  KUBECONFIG=$kubeconfig kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1 || true
  KUBECONFIG=$kubeconfig kubectl delete pv "$ns" --wait=false >/dev/null 2>&1 || true
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT

# One rig per machine: not while node-test or the demo uses it.
# shellcheck source=../test/node/lock.sh
. test/node/lock.sh
rig_lock bench-dev
test/node/node.sh status >/dev/null 2>&1 || { echo "bench-dev: the node rig is down; run: make node-up" >&2; exit 1; }
make -s build >/dev/null
eval "$(test/node/apps.sh env 2>/dev/null)"
test/node/apps.sh serve

app=$work/app
test/node/apps.sh project "$app"
export KUBECONFIG=$kubeconfig HELM_BIN=$helm HELM_PLUGIN_DIR=$repo
# buildah keeps no layer cache unless told; the goal is with the dependency
# layers cached (the first run after this fills the cache).
export BUILDAH_LAYERS=true
# The rig's few static volumes are shared; PostgreSQL gets one of its own.
mkdir -m 777 "$work/pv"
kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: PersistentVolume
metadata: {name: $ns}
spec:
  accessModes: [ReadWriteOnce]
  capacity: {storage: 1Gi}
  claimRef: {namespace: $ns, name: data-todo-postgres-0}
  hostPath: {path: $work/pv, type: Directory}
  persistentVolumeReclaimPolicy: Retain
YAML
src=$app/todo-backend/src/main.py
# at A B: B - A in seconds, never below 0 (stamps of two processes).
at() { awk -v a="$1" -v b="$2" 'BEGIN { d = b - a; if (d < 0) d = 0; printf "%.1f", d }'; }
# first LOG PATTERN [AFTER]: the stamp of the first line matching PATTERN after AFTER.
first() { awk -v p="$2" -v after="${3:-0}" '$1 > after && $0 ~ p { print $1; exit }' "$1"; }
serves() { curl -fsS -m 2 "http://127.0.0.1:$port/health" 2>/dev/null | grep -q "$1"; }

# 1. dev starts.
t0=$EPOCHREALTIME
stamp() { while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }
cd "$app"
"$repo/bin/helm-todo" dev --pull never -n "$ns" --no-logs --frontend-port 0 --backend-port "$port" > >(stamp >"$work/dev.log") 2>&1 9>&- &
devpid=$!
cd "$repo"
until grep -q 'dev: watching' "$work/dev.log" 2>/dev/null; do
  grep -q 'Error:' "$work/dev.log" 2>/dev/null && { cat "$work/dev.log"; exit 1; }
  sleep 0.2
done
echo "1. dev started (first up) in $(at "$t0" "$(first "$work/dev.log" 'dev: watching')")s"

# 2. one backend line, saved, five times: live updates.
health() { sed -i "s/return {\"status\": \"ok\"[^}]*}/return {\"status\": \"ok\", \"rev\": \"$1\"}/" "$src"; }
times=()
for i in 1 2 3 4 5; do
  health "live$i-$ns"
  t0=$EPOCHREALTIME
  until serves "live$i-$ns"; do sleep 0.05; done
  times+=("$(at "$t0" "$EPOCHREALTIME")")
done
grep -q 'dev: live update done' "$work/dev.log" || { echo "bench-dev: no live update happened:" >&2; tail -20 "$work/dev.log" >&2; exit 1; }
echo "2. dev: live update (one backend code line, no build), save to serving: median $(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)s of 5 (${times[*]})"

# 3. one backend line and a file outside src/, one save: a build.
health dev1
echo "# $ns" >>"$app/todo-backend/bench-rebuild.txt"
t0=$EPOCHREALTIME
until serves dev1; do sleep 0.1; done
t5=$EPOCHREALTIME
log=$work/dev.log
t1=$(first "$log" 'dev: backend .* changed' "$t0")
t2=$(first "$log" '==> \[[0-9]+/[0-9]+\] load backend' "$t0")
t3=$(first "$log" '==> \[[0-9]+/[0-9]+\] namespace' "$t0")
t4=$(first "$log" '==> \[[0-9]+/[0-9]+\] deploy' "$t0")
t4b=$(first "$log" '==> \[[0-9]+/[0-9]+\] wait' "$t0")
echo "3. dev: a backend edit that needs a build, save to serving: $(at "$t0" "$t5")s"
echo "    detect   $(at "$t0" "$t1")s   (save → dev's \"changed\" line; --debounce 300ms included)"
echo "    build    $(at "$t1" "$t2")s   (hash, buildah build of the backend, frontend skipped)"
echo "    push     $(at "$t2" "$t3")s   (load backend: push to the registry the cluster advertises)"
echo "    upgrade  $(at "$t4" "$t4b")s   (helm upgrade --wait: migration hook, rolling backend pods)"
echo "    ready    $(at "$t4b" "$t5")s   (kstatus wait, report, until the port-forward serves the new code)"
echo "    (namespace, lease, secrets: $(at "$t3" "$t4")s)"
grep -E 'dev: cycle [0-9]+ done' "$log" | tail -1 | cut -d' ' -f2-
t0=$EPOCHREALTIME
kill -INT "$devpid"; wait "$devpid" 2>/dev/null || true; devpid=
echo "   Ctrl-C to exit, with the final build (the image of the tree, deployed as up would): $(at "$t0" "$EPOCHREALTIME")s"

# 4. by hand: save, helm todo up, poll.
sed -i "s/\"rev\": \"dev1\"/\"rev\": \"hand1\"/" "$src"
t0=$EPOCHREALTIME
(cd "$app" && "$repo/bin/helm-todo" up --pull never -n "$ns" >"$work/up.log" 2>&1) || { tail -20 "$work/up.log"; exit 1; }
kubectl port-forward -n "$ns" svc/todo-backend "$port:7860" >/dev/null 2>&1 9>&- &
pf=$!
until serves hand1; do sleep 0.1; done
t1=$EPOCHREALTIME
kill "$pf"; wait "$pf" 2>/dev/null || true
echo "4. by hand (save, helm todo up, kubectl port-forward, poll): $(at "$t0" "$t1")s"
