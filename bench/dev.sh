#!/usr/bin/env bash
# bench/dev.sh (make bench-dev): `helm todo dev` on the real node rig,
# timed, printed and not asserted. Every figure is the median of BENCH_N
# cycles (default 5), printed with the load average beside it:
#
#   1. dev starts (a cold up when the registry lacks the tags);
#   2. live update: a one-line backend code edit, from the save to the new
#      code answering through dev's port-forward (no build);
#   3. backend rebuild: the code line plus a file outside src/ in one save
#      (live update cannot carry it), save to serving, split into detect
#      (save → dev's "changed" line), plan (→ the first build step), build
#      (buildah, the backend), skip (the frontend's tag exists), push (the
#      load steps), prep (namespace, lease, secrets), helm (helm upgrade
#      --wait), wait (the kstatus wait and report), ready (until dev's
#      port-forward serves the new code); and the backend pods' own
#      timeline from a watch: the new pod created, its server started, it
#      Ready; the old one terminating and gone;
#   4. frontend rebuild: one line of the home page, save to the page served
#      with it through dev's frontend port-forward;
#   5. Ctrl-C, with dev's final build;
#   6. by hand: the same edit as in 3, `helm todo up`, `kubectl
#      port-forward`, poll.
#
# Then the medians again, in seconds and as ratios to the by-hand up.
#
# Needs the rig up (make node-up) and root. Env: HELM (default helm4),
# BENCH_N (cycles per figure, default 5), BENCH_FRONTEND_N (frontend rebuilds,
# default BENCH_N: each is a next build), BENCH_PORT and BENCH_FRONTEND_PORT
# (default 18290 and 18291, local ports for the forwards).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
helm=${HELM:-$repo/.tools/helm4/helm}
n=${BENCH_N:-5}
fn=${BENCH_FRONTEND_N:-$n}
port=${BENCH_PORT:-18290}
fport=${BENCH_FRONTEND_PORT:-18291}
ns=dev-bench-$(date +%s)
work=$(mktemp -d "${TMPDIR:-/tmp}/helm-todo-bench-dev.XXXXXX")
kubeconfig=$repo/.tools/node-rig/kubeconfig
devpid= watchpid=

cleanup() {
  local rc=$?
  set +e # every step, whatever the one before it returned
  if [[ -n "$devpid" ]]; then
    kill -INT "$devpid" 2>/dev/null
    wait "$devpid" 2>/dev/null
  fi
  [[ -n "$watchpid" ]] && kill "$watchpid" 2>/dev/null
  KUBECONFIG=$kubeconfig kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1 || true
  KUBECONFIG=$kubeconfig kubectl delete pv "$ns" --wait=false >/dev/null 2>&1 || true
  # The wheelhouse index serve started (or an earlier one: it is the rig's).
  test/node/apps.sh stop || true
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

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
# A Helm home of the bench's own: the post-renderer plugin Helm 4's deploy
# installs is this checkout's, never a link another checkout left in the
# shared one (to a directory that may be gone).
export HELM_CACHE_HOME=$work/helm/cache HELM_CONFIG_HOME=$work/helm/config HELM_DATA_HOME=$work/helm/data HELM_PLUGINS=$work/helm/data/plugins
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
page=$app/todo-frontend/app/page.js
log=$work/dev.log
pods=$work/pods.log
# at A B: B - A in seconds, never below 0 (stamps of two processes).
at() { awk -v a="$1" -v b="$2" 'BEGIN { d = b - a; if (d < 0) d = 0; printf "%.1f", d }'; }
# first LOG PATTERN [AFTER]: the stamp of the first line matching PATTERN after AFTER.
first() { awk -v p="$2" -v after="${3:-0}" '$1 > after && $0 ~ p { print $1; exit }' "$1"; }
serves() { curl -fsS -m 2 "http://127.0.0.1:$port/health" 2>/dev/null | grep -q "$1"; }
page_serves() { curl -fsS -m 5 "http://127.0.0.1:$fport/" 2>/dev/null | grep -qF "[$1]"; }
stamp() { while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
health() { sed -i -E "s/return \{\"status\": \"ok\"[^}]*\}/return {\"status\": \"ok\", \"rev\": \"$1\"}/" "$src"; }
outside() { echo "# $1" >>"$app/todo-backend/bench-rebuild.txt"; } # in the context, not under src/
home_line() { sed -i -E "s/The example app( \[[^]]*\])? deployed/The example app [$1] deployed/" "$page"; }
# cycle_done T0: dev has said a cycle ended since T0.
cycle_done() { awk -v t0="$1" '$1 > t0 && /dev: cycle [0-9]+ done/ { f = 1 } END { exit !f }' "$log"; }
# until_ok WHAT CMD...: run CMD until it succeeds, at most 15 minutes (a
# frontend build on two loaded cores takes minutes).
until_ok() {
  local what=$1 deadline=$((SECONDS + 900))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || { echo "bench-dev: $what: not served after 15 minutes; dev's log ends:" >&2; tail -30 "$log" >&2; exit 1; }
    sleep 0.05
  done
}

# 1. dev starts.
t0=$EPOCHREALTIME
cd "$app"
"$repo/bin/helm-todo" dev --pull never -n "$ns" --no-logs --frontend-port "$fport" --backend-port "$port" > >(stamp >"$log") 2>&1 9>&- &
devpid=$!
cd "$repo"
until grep -q 'dev: watching' "$log" 2>/dev/null; do
  grep -q 'Error:\|error:' "$log" 2>/dev/null && { cat "$log"; exit 1; }
  sleep 0.2
done
grep -q 'cycle 1 done' "$log" || { echo "bench-dev: the first up failed:" >&2; cat "$log" >&2; exit 1; }
echo "1. dev started (first up) in $(at "$t0" "$(first "$log" 'dev: watching')")s   (load $(load))"

# The backend pods, every change stamped: the rebuild's pod timeline.
kubectl get pods -n "$ns" -l app.kubernetes.io/component=backend -w --output-watch-events -o json 2>/dev/null 9>&- > >(
  exec 9>&-
  jq --unbuffered -r '[.type, .object.metadata.name, (.object.metadata.deletionTimestamp != null),
    ((.object.status.conditions // []) | map(select(.type == "Ready")) | .[0].status // "-"),
    ((.object.status.containerStatuses // []) | map(.state | keys[0]) | join(",") | if . == "" then "-" else . end)] | @tsv' 2>/dev/null |
    stamp >"$pods"
) &
watchpid=$!

# 2. live updates.
live=()
for ((i = 1; i <= n; i++)); do
  health "live$i-$ns"
  t0=$EPOCHREALTIME
  until_ok "live update $i" serves "live$i-$ns"
  live+=("$(at "$t0" "$EPOCHREALTIME")")
done
grep -q 'dev: live update done' "$log" || { echo "bench-dev: no live update happened:" >&2; tail -20 "$log" >&2; exit 1; }
echo "2. live update (one backend code line, no build), save to serving: median $(median "${live[@]}")s of $n (${live[*]})   (load $(load))"

# podline T0: the backend pods' timeline after T0, from the watch: the new
# pod added, running, Ready; the old one terminating, deleted.
podline() {
  awk -v t0="$1" -F'\t' '
    { split($1, a, " "); t = a[1]; type = a[2] }
    t <= t0 { next }
    new == "" && type == "ADDED" { new = $2; added = t }
    $2 == new && $5 ~ /running/ && !run { run = t }
    $2 == new && $4 == "True" && !ready { ready = t }
    new != "" && $2 != new && $3 == "true" && !term { term = t }
    new != "" && $2 != new && type == "DELETED" && !gone { gone = t }
    function d(x) { return x ? sprintf("%.1f", x - t0) : "-" }
    END { printf "pod: new added +%s, running +%s, Ready +%s; old terminating +%s, gone +%s", d(added), d(run), d(ready), d(term), d(gone) }' "$pods"
}

# 3. backend rebuilds.
rebuild=()
for ((i = 1; i <= n; i++)); do
  health "build$i-$ns"
  outside "build$i"
  t0=$EPOCHREALTIME
  until_ok "backend rebuild $i" serves "build$i-$ns"
  t9=$EPOCHREALTIME
  rebuild+=("$(at "$t0" "$t9")")
  # The new code can answer before helm returns (the old pod still going):
  # the split waits for the cycle's end.
  until_ok "backend rebuild $i's cycle" cycle_done "$t0"
  t1=$(first "$log" 'dev: backend .* changed' "$t0")
  tb=$(first "$log" '==> \[[0-9]+/[0-9]+\] build backend' "$t0")
  tf=$(first "$log" '==> \[[0-9]+/[0-9]+\] build frontend' "$t0")
  tl=$(first "$log" '==> \[[0-9]+/[0-9]+\] load backend' "$t0")
  tn=$(first "$log" '==> \[[0-9]+/[0-9]+\] namespace' "$t0")
  td=$(first "$log" '==> \[[0-9]+/[0-9]+\] deploy' "$t0")
  tw=$(first "$log" '==> \[[0-9]+/[0-9]+\] wait' "$t0")
  tc=$(first "$log" 'dev: cycle [0-9]+ done' "$t0")
  sleep 1 # the old pod's deletion, for the timeline
  echo "   rebuild $i: $(at "$t0" "$t9")s = detect $(at "$t0" "$t1"), plan $(at "$t1" "$tb"), build $(at "$tb" "$tf"), skip $(at "$tf" "$tl"), push $(at "$tl" "$tn"), prep $(at "$tn" "$td"), helm $(at "$td" "$tw"), wait $(at "$tw" "$tc"), ready $(at "$tc" "$t9"); $(podline "$t0")   (load $(load))"
done
echo "3. backend rebuild (a code line and a file outside src/), save to serving: median $(median "${rebuild[@]}")s of $n (${rebuild[*]})   (load $(load))"

# 4. frontend rebuilds.
front=()
for ((i = 1; i <= fn; i++)); do
  home_line "front$i-$ns"
  t0=$EPOCHREALTIME
  until_ok "frontend rebuild $i" page_serves "front$i-$ns"
  t9=$EPOCHREALTIME
  front+=("$(at "$t0" "$t9")")
  tf=$(first "$log" '==> \[[0-9]+/[0-9]+\] build frontend' "$t0")
  tl=$(first "$log" '==> \[[0-9]+/[0-9]+\] load backend' "$t0")
  echo "   frontend rebuild $i: $(at "$t0" "$t9")s (build frontend $(at "$tf" "$tl"))   (load $(load))"
done
echo "4. frontend rebuild (one line of the home page), save to serving: median $(median "${front[@]}")s of $fn (${front[*]})   (load $(load))"

# 5. Ctrl-C, with the final build.
t0=$EPOCHREALTIME
kill -INT "$devpid"
wait "$devpid" 2>/dev/null || true
devpid=
echo "5. Ctrl-C to exit, with the final build (the image of the tree, deployed as up would): $(at "$t0" "$EPOCHREALTIME")s   (load $(load))"

# 6. by hand: the same edit as in 3, helm todo up, a port-forward, poll.
hand=()
for ((i = 1; i <= n; i++)); do
  health "hand$i-$ns"
  outside "hand$i"
  t0=$EPOCHREALTIME
  (cd "$app" && "$repo/bin/helm-todo" up --pull never -n "$ns" >"$work/up.log" 2>&1) || { tail -20 "$work/up.log"; exit 1; }
  kubectl port-forward -n "$ns" svc/todo-backend "$port:7860" >/dev/null 2>&1 9>&- &
  pf=$!
  until_ok "up by hand $i" serves "hand$i-$ns"
  hand+=("$(at "$t0" "$EPOCHREALTIME")")
  kill "$pf"
  wait "$pf" 2>/dev/null || true
done
echo "6. by hand (the edit of 3, helm todo up, kubectl port-forward, poll): median $(median "${hand[@]}")s of $n (${hand[*]})   (load $(load))"

ref=$(median "${hand[@]}")
ratio() { awk -v a="$1" -v b="$ref" 'BEGIN { printf "%.2fx", a / b }'; }
echo
echo "medians of $n, save to serving, against up by hand (load $(load)):"
printf '  %-22s %6ss  %s\n' "live update (backend)" "$(median "${live[@]}")" "$(ratio "$(median "${live[@]}")")"
printf '  %-22s %6ss  %s\n' "backend rebuild" "$(median "${rebuild[@]}")" "$(ratio "$(median "${rebuild[@]}")")"
printf '  %-22s %6ss  %s%s\n' "frontend rebuild" "$(median "${front[@]}")" "$(ratio "$(median "${front[@]}")")" "$( ((fn == n)) || echo "  (of $fn)")"
printf '  %-22s %6ss  %s\n' "up by hand" "$ref" "1.00x"
