#!/usr/bin/env bash
# stages.sh STAGE...: run each stage of make test-all in order, stop at the
# first that fails, and print every stage's wall time as a table at the end
# (the failed one included). A stage is a make target, NAME=TARGETS for a
# stage made of several, or A+B for stages run at the same time: ones that
# wait on a cluster or a daemon far more than they compute, so that two
# cores serve both (each keeps its own row; their output is printed stage
# by stage when they end, so it is never interleaved).
set -uo pipefail
cd "$(dirname "$0")/.."
rows=() rc=0 total=$SECONDS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/helm-todo-stages.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# run_stage NAME=TARGETS: make the targets; print "NAME SECONDS RESULT".
run_stage() {
  local name=${1%%=*} targets=${1#*=} start=$SECONDS result=ok
  # shellcheck disable=SC2086 # several targets
  make --no-print-directory $targets >&2 || result=FAILED
  echo "$name $((SECONDS - start)) $result"
}

for stage in "$@"; do
  if [[ $stage != *+* ]]; then
    echo "== stage ${stage%%=*}: make ${stage#*=}"
    run_stage "$stage" >"$tmp/row"
    rows+=("$(cat "$tmp/row")")
  else
    IFS=+ read -ra group <<<"$stage"
    echo "== stages ${group[*]}, at the same time: make ${group[*]}"
    pids=()
    for s in "${group[@]}"; do
      run_stage "$s" >"$tmp/${s%%=*}.row" 2>"$tmp/${s%%=*}.log" &
      pids+=($!)
    done
    for i in "${!group[@]}"; do
      wait "${pids[$i]}"
      s=${group[$i]}
      echo "== stage ${s%%=*} (run at the same time as the others of ${group[*]%%=*}):"
      cat "$tmp/${s%%=*}.log"
      rows+=("$(cat "$tmp/${s%%=*}.row") (parallel)")
      [[ ${rows[-1]} == *FAILED* ]] && rc=2
    done
  fi
  [[ ${rows[-1]} == *FAILED* ]] && rc=2
  ((rc == 0)) || break
done
echo
echo "stage        seconds  result"
for row in "${rows[@]}"; do
  read -r name secs result extra <<<"$row"
  printf '%-12s %7d  %s %s\n' "$name" "$secs" "$result" "${extra:-}"
done
printf '%-12s %7d  (wall)\n' total "$((SECONDS - total))"
exit "$rc"
