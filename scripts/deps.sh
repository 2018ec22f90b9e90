#!/usr/bin/env bash
# deps.sh: install the Debian packages in .ci/apt-packages that are missing
# (make deps; .ci/run, make image-test and the tests that need them call it).
# As root on Debian it runs apt-get update + install, and only when a
# package is missing; otherwise it prints the one command to run. On a
# machine without dpkg it says so and succeeds: the simulated-cluster flow
# needs none of these packages.
#
# --optional (make demo): a missing package is no failure for a user who
# cannot install it; the line says what to install and the demo goes on to
# the simulated cluster, which needs none of them.
set -euo pipefail
optional=false
[[ ${1:-} == --optional ]] && optional=true
cd "$(dirname "$0")/.."

list=.ci/apt-packages
if ! command -v dpkg >/dev/null || ! command -v apt-get >/dev/null; then
  echo "deps: not a Debian-based system; skipping $list (the real-engine tests need its packages)" >&2
  exit 0
fi
missing=()
for p in $(sed 's/#.*//' "$list"); do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
((${#missing[@]})) || exit 0
if [[ $(id -u) != 0 ]]; then
  line="sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
  if $optional; then
    echo "deps: missing Debian packages, so not the real node: the simulated cluster instead (for the real one: $line, then make demo as root)" >&2
    exit 0
  fi
  echo "deps: missing Debian packages; run: $line" >&2
  exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
