#!/usr/bin/env bash
# run.sh HELM...: start the test cluster, run the e2e Go tests under test/e2e
# once per Helm binary given, tear the cluster down (always), and print the
# wall times: cold tool build, warm cluster start, each scenario.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
tools=${CLUSTER_TOOLS:-$repo/.tools/cluster}
logs=${E2E_LOG_DIR:-$repo/.tools/e2e}
cluster=$repo/test/cluster/cluster.sh
(($#)) || { echo "usage: run.sh HELM_BINARY..." >&2; exit 2; }

# A cluster of its own, so a run never meets one started by `make
# cluster-up` or by another run.
export E2E_DIR
E2E_DIR=$(mktemp -d "${TMPDIR:-/tmp}/helm-todo-e2e.XXXXXX")
state=$E2E_DIR
mkdir -p "$logs"
total=$SECONDS
trap '"$cluster" down >/dev/null 2>&1 || true; rm -rf "$E2E_DIR"' EXIT
# A signal stops the tests and becomes an ordinary exit, so the EXIT trap
# above tears down. (bash runs traps only between commands, hence the tests
# run in the background with `wait`, which a signal interrupts.)
child=
stop_tests() {
  if [[ -n "$child" ]]; then
    pkill -TERM -P "$child" 2>/dev/null || true # the test binary
    kill -TERM "$child" 2>/dev/null || true     # go test itself
  fi
  exit 130
}
trap stop_tests INT TERM
"$cluster" up
start_seconds=$(cat "$state/start-seconds")

rc=0
summary=()
for helm in "$@"; do
  version=$("$helm" version --template '{{.Version}}') ||
    { echo "e2e: $helm version failed; run: make tools" >&2; exit 1; }
  major=${version:1:1}
  log=$logs/go-test-helm$major.log
  echo "e2e: helm $version ($helm); log: $log"
  start=$SECONDS
  # -p 1: one test binary at a time; the tests inside run in parallel.
  HELM_TODO_E2E_KUBECONFIG=$state/kubeconfig HELM_TODO_E2E_HELM=$helm \
    go test -C "$repo" -count=1 -p 1 -timeout 20m -v ./test/e2e/... >"$log" 2>&1 &
  child=$!
  if wait "$child"; then
    result=ok
  else
    result=FAIL rc=1
    cat "$log"
  fi
  # The go test verdict lines, so the log's outcome shows here either way.
  grep -E '^(--- |ok |FAIL|PASS$)' "$log" || true
  summary+=("helm$major: $result in $((SECONDS - start))s")
  while read -r line; do summary+=("  $line"); done < <(grep -oE 'E2E-TIME .*' "$log" | sed 's/^E2E-TIME //' | sort)
done

"$cluster" down
echo
echo "== e2e timings =="
if compgen -G "$tools/.*.seconds" >/dev/null; then
  cold=0 parts=()
  for f in "$tools"/.*.seconds; do
    n=$(basename "$f" .seconds); n=${n#.}
    s=$(cat "$f"); cold=$((cold + s)); parts+=("$n ${s}s")
  done
  # Recorded when .tools/cluster was filled: cold only if Go's build cache
  # was cold then too (measured so: 1415s on 2 cores; warm cache: ~80s).
  echo "cluster tool build, when last built: ${cold}s (${parts[*]})"
fi
echo "warm cluster start: ${start_seconds}s"
printf '%s\n' "${summary[@]}"
echo "e2e total (cluster up, all scenarios, teardown): $((SECONDS - total))s"
exit $rc
