#!/usr/bin/env bash
# stages.sh STAGE...: run each stage of make test-all in order, stop at the
# first that fails, and print every stage's wall time as a table at the end
# (the failed one included). A stage is a make target, or NAME=TARGETS for a
# stage made of several.
set -uo pipefail
cd "$(dirname "$0")/.."
rows=() rc=0 total=$SECONDS
for stage in "$@"; do
  name=${stage%%=*} targets=${stage#*=}
  start=$SECONDS
  echo "== stage $name: make $targets"
  # shellcheck disable=SC2086 # several targets
  if make --no-print-directory $targets; then
    rows+=("$name $((SECONDS - start)) ok")
  else
    rc=$?
    rows+=("$name $((SECONDS - start)) FAILED")
    break
  fi
done
echo
echo "stage        seconds  result"
for row in "${rows[@]}"; do
  read -r name secs result <<<"$row"
  printf '%-12s %7d  %s\n' "$name" "$secs" "$result"
done
printf '%-12s %7d\n' total "$((SECONDS - total))"
exit "$rc"
