#!/usr/bin/env bash
# dist.sh DIR VERSION LDFLAGS PLATFORM...: build one release archive per
# PLATFORM (os/arch) plus a sha256 checksums file, in the layout
# install-binary.sh downloads:
#   DIR/helm-todo_<version>_<os>_<arch>.tar.gz   holding bin/helm-todo[.exe] and
#                                                bin/helm-todo-postrender[.exe]
#   DIR/helm-todo_<version>_checksums.txt        "<sha256>  <archive>" lines
# The archives are byte-for-byte reproducible (fixed order, owner and mtime;
# gzip without a timestamp), so a rebuild of a tag yields the same checksums.
# Release binaries are static (CGO_ENABLED=0); a caller may set CGO_ENABLED
# to reuse the build cache of ordinary builds, as the plugin tests do.
set -euo pipefail
dir=$1 version=$2 ldflags=$3
shift 3
(($#)) || { echo "error: no platforms given; fix: pass os/arch pairs such as linux/amd64" >&2; exit 2; }

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

archives=()
for platform in "$@"; do
  os=${platform%/*} arch=${platform#*/}
  ext=
  [[ $os == windows ]] && ext=.exe
  name="helm-todo_${version}_${os}_${arch}"
  echo "dist: $name" >&2
  mkdir -p "$stage/$name/bin"
  # One retry: on a build cache shared with concurrent builds, a cold cross
  # build here failed twice with "could not import X (open : no such file or
  # directory)" (golang/go#43645-like eviction) and passed when rerun. A real
  # compile error fails both times.
  for cmd in helm-todo helm-todo-postrender; do
    for attempt in 1 2; do
      if CGO_ENABLED=${CGO_ENABLED:-0} GOOS=$os GOARCH=$arch go build -trimpath -ldflags "$ldflags" -o "$stage/$name/bin/$cmd$ext" "./cmd/$cmd"; then
        break
      fi
      ((attempt == 1)) || exit 1
      echo "dist: retrying the $platform build of $cmd once" >&2
    done
  done
  cp plugin.yaml README.md "$stage/$name/"
  tar -C "$stage/$name" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf - . |
    gzip -n -9 >"$stage/$name.tar.gz"
  mv "$stage/$name.tar.gz" "$dir/"
  archives+=("$name.tar.gz")
done
(cd "$dir" && sha256sum "${archives[@]}" >"helm-todo_${version}_checksums.txt")
echo "dist: wrote ${#archives[@]} archives and helm-todo_${version}_checksums.txt to $dir" >&2
