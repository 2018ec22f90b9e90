#!/usr/bin/env bash
# run.sh HELM...: start the test cluster, run the e2e Go tests under test/e2e
# for every Helm binary given (all at once), tear the cluster down (always),
# and print the wall times: cold tool build, warm cluster start, each
# scenario. E2E_RUN=PATTERN runs only the scenarios it matches.
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
children=()
stop_tests() {
  # The test binaries are ours by path: $bin is under this run's E2E_DIR.
  pkill -TERM -f -- "^$bin " 2>/dev/null || true
  exit 130
}
trap stop_tests INT TERM
"$cluster" up
start_seconds=$(cat "$state/start-seconds")

# One test binary serves every Helm. E2E_RUN (a -run pattern) narrows the
# scenarios, e.g. E2E_RUN=TestInstall test/e2e/run.sh ...
bin=$E2E_DIR/e2e.test
go test -C "$repo" -c -o "$bin" ./test/e2e
run_pattern=${E2E_RUN:-.}
bench='^TestUpNoChangeOverhead$'

# e2etest MAJOR HELM LOG ARGS...: the scenarios in test/e2e against HELM, as
# go test would run them (in the package directory).
e2etest() {
  local helm=$1 log=$2
  shift 2
  (cd "$repo/test/e2e" && HELM_TODO_E2E_KUBECONFIG=$state/kubeconfig HELM_TODO_E2E_HELM=$helm \
    "$bin" -test.count=1 -test.timeout 20m -test.v "$@") >>"$log" 2>&1
}

# The Helms run at once: the scenarios wait on the control plane far more
# than they compute, and every namespace a scenario makes names its Helm
# major, so the two never meet. The no-change bench runs afterwards, alone,
# so that nothing shares the CPU with its timed runs.
rc=0
summary=()
majors=() helms=() logfiles=() started=$SECONDS
for helm in "$@"; do
  version=$("$helm" version --template '{{.Version}}') ||
    { echo "e2e: $helm version failed; run: make tools" >&2; exit 1; }
  major=${version:1:1}
  log=$logs/go-test-helm$major.log
  : >"$log"
  echo "e2e: helm $version ($helm); log: $log"
  e2etest "$helm" "$log" -test.run "$run_pattern" -test.skip "$bench" &
  children+=($!) majors+=("$major") helms+=("$helm") logfiles+=("$log")
done
results=()
for i in "${!children[@]}"; do
  if wait "${children[$i]}"; then results[i]=ok; else results[i]=FAIL rc=1; fi
done
parallel_seconds=$((SECONDS - started))
# The bench runs when E2E_RUN is unset or matches its name (E2E_RUN is a Go
# regexp; bash's =~ reads the simple ones the same way).
if [[ -z ${E2E_RUN:-} || TestUpNoChangeOverhead =~ $E2E_RUN ]]; then
  for i in "${!helms[@]}"; do
    e2etest "${helms[$i]}" "${logfiles[$i]}" -test.run "$bench" || results[i]=FAIL rc=1
  done
fi
for i in "${!helms[@]}"; do
  log=${logfiles[$i]}
  [[ ${results[$i]} == ok ]] || cat "$log"
  # The go test verdict lines, so the log's outcome shows here either way.
  grep -E '^(--- |ok |FAIL|PASS$)' "$log" || true
  summary+=("helm${majors[$i]}: ${results[$i]}")
  while read -r line; do summary+=("  $line"); done < <(grep -oE 'E2E-TIME .*' "$log" | sed 's/^E2E-TIME //' | sort)
done
summary+=("all Helms at once: ${parallel_seconds}s; then the no-change bench alone: $((SECONDS - started - parallel_seconds))s")

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
