#!/usr/bin/env bash
# go-tool.sh DIR BIN PKG VERSION: `go install PKG@VERSION` into DIR, unless
# DIR/BIN was already built at VERSION (recorded in DIR/.version).
set -euo pipefail
dir=$1 bin=$2 pkg=$3 version=$4
stamp="$dir/.version"
if [[ -x "$dir/$bin" && -f "$stamp" && "$(cat "$stamp")" == "$pkg@$version" ]]; then
  exit 0
fi
echo "building $pkg@$version into $dir" >&2
mkdir -p "$dir"
start=$SECONDS
GOBIN="$dir" go install "$pkg@$version"
echo "$pkg@$version" > "$stamp"
echo "built $bin $version in $((SECONDS - start))s" >&2
