#!/usr/bin/env sh
# install-binary.sh puts bin/helm-todo and bin/helm-todo-postrender (the small
# binary Helm runs as the post-renderer) into the plugin directory: the one
# this script is in. Helm runs it as the plugin's install and update hook.
# In the released helm-todo post-renderer plugin (plugin.yaml name
# helm-todo) it installs bin/helm-todo-postrender only.
#
#   1. Both binaries already report plugin.yaml's version: nothing to do.
#   2. Download the release archive for this OS/arch and version, check its
#      sha256 against the checksums file (the one packed into a released
#      plugin archive, covered by its signature; else the release's), and
#      unpack the binaries.
#   3. If the download is impossible (offline, no release), build from the
#      plugin's own source with `go build`, injecting the version as
#      `make build` does.
#   4. Otherwise fail, saying what to do.
#
# A checksum mismatch is never "impossible download": it stops the install.
#
# Environment:
#   HELM_TODO_DOWNLOAD_URL  release base URL; the archive is fetched from
#                           $HELM_TODO_DOWNLOAD_URL/v<version>/<archive>
#                           (default: the GitHub releases of helm-todo; file://
#                           works with curl)
#   HELM_TODO_FORCE_BUILD   set to 1 to skip the download and build from source
set -eu

name=helm-todo
module=github.com/helm-todo/helm-todo
base_url=${HELM_TODO_DOWNLOAD_URL:-https://github.com/helm-todo/helm-todo/releases/download}

say() { printf '%s\n' "$name: $*" >&2; }
die() {
  printf '%s\n' "error: $1" >&2
  [ -n "${2:-}" ] && printf '%s\n' "fix: $2" >&2
  exit 1
}

# The script's own directory, not HELM_PLUGIN_DIR: the post-renderer plugin
# nested in a checkout runs this script two levels up, for the root plugin.
# -P: that path is <symlink>/../.., which must climb from the link's target.
plugin_dir=$(cd -P "$(dirname "$0")" && pwd -P) || die "cannot enter the directory of $0" "reinstall the plugin with helm plugin install"
cd "$plugin_dir" || die "cannot enter the plugin directory $plugin_dir" "reinstall the plugin with helm plugin install"

version=$(sed -n 's/^version: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' plugin.yaml | head -n 1)
[ -n "$version" ] || die "no version in $plugin_dir/plugin.yaml" "restore plugin.yaml from the release"

os=$(uname -s | tr '[:upper:]' '[:lower:]')
ext=
case "$os" in
  linux | darwin) ;;
  mingw* | msys* | cygwin*) os=windows ext=.exe ;;
  *) os=unsupported ;;
esac
arch=$(uname -m)
case "$arch" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) arch=unsupported-$arch ;;
esac
# The binaries, each built from ./cmd/<name>. The skip below checks all, so
# an install interrupted between them is redone.
exes="helm-todo-postrender$ext helm-todo$ext"
target=bin/helm-todo$ext
pr_target=bin/helm-todo-postrender$ext
if [ "$(sed -n 's/^name: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' plugin.yaml | head -n 1)" = helm-todo ]; then
  exes="helm-todo-postrender$ext"
  target=$pr_target
fi

# current FILE ARG...: FILE is executable and `FILE ARG...` prints plugin.yaml's version.
current() {
  f=$1
  shift
  [ -x "$f" ] && [ "$("./$f" "$@" 2>/dev/null || true)" = "$version" ]
}

# 1. Already there at the right version.
if { [ "$target" = "$pr_target" ] || current "$target" version; } && current "$pr_target" --version; then
  say "$(echo "$exes" | sed 's#\([^ ]*\)#bin/\1#g; s/ / and /') $version already installed"
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/helm-todo-install.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# fetch URL FILE: 0 on success, 1 when the URL can't be fetched.
fetch() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --connect-timeout 10 --retry 1 -o "$2" "$1" 2>"$work/fetch.err"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -T 10 -O "$2" "$1" 2>"$work/fetch.err"
  else
    echo "neither curl nor wget is installed" >"$work/fetch.err"
    return 1
  fi
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
  else
    die "no sha256sum or shasum to verify the download" "install coreutils (sha256sum), or build from source: make -C $plugin_dir build"
  fi
}

# install_files DIR: put each of DIR/<exe> at bin/<exe>, each in one rename,
# so an interrupted install never leaves a half-written binary. The caller
# has checked that DIR holds all of them.
install_files() {
  for e in $exes; do
    { mkdir -p bin && cp "$1/$e" "bin/.$e.new" && chmod 0755 "bin/.$e.new" && mv -f "bin/.$e.new" "bin/$e"; } ||
      die "cannot write $plugin_dir/bin/$e" "check that the plugin directory is writable"
  done
}

# 2. Download and verify.
download() {
  if [ "$os" = unsupported ] || [ "${arch#unsupported}" != "$arch" ]; then
    echo "no release archive for $(uname -s)/$(uname -m)" >"$work/fetch.err"
    return 1
  fi
  archive="${name}_${version}_${os}_${arch}.tar.gz"
  sums="${name}_${version}_checksums.txt"
  url="$base_url/v$version"
  say "downloading $url/$archive"
  fetch "$url/$archive" "$work/$archive" || return 1
  if [ -f "$sums" ]; then
    cp "$sums" "$work/$sums" # signed with the plugin archive: a mirror cannot swap it
    url="$url (checksums from $plugin_dir/$sums)"
  else
    fetch "$url/$sums" "$work/$sums" || return 1
  fi

  want=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$work/$sums")
  [ -n "$want" ] || die "$sums from $url has no entry for $archive" "report it to the helm-todo maintainers, or build from source: HELM_TODO_FORCE_BUILD=1 $plugin_dir/install-binary.sh"
  got=$(sha256 "$work/$archive")
  [ "$got" = "$want" ] || die "checksum mismatch for $archive from $url: got sha256 $got, the release lists $want; nothing was installed" "retry the install; if it persists the download is corrupt or tampered with, so report it"

  mkdir "$work/x"
  tar -xzf "$work/$archive" -C "$work/x" || die "cannot unpack $archive" "retry the install"
  for e in $exes; do
    [ -f "$work/x/bin/$e" ] || die "$archive has no bin/$e; nothing was installed" "report it to the helm-todo maintainers, or build from source: HELM_TODO_FORCE_BUILD=1 $plugin_dir/install-binary.sh"
  done
  install_files "$work/x/bin"
  say "installed $(echo "$exes" | sed 's#\([^ ]*\)#bin/\1#g; s/ / and /') $version (sha256 verified)"
}

# 3. Build from source.
build() {
  command -v go >/dev/null 2>&1 || die "cannot download helm-todo $version ($(tail -n 1 "$work/fetch.err" 2>/dev/null)) and Go is not installed to build it from source" \
    "connect to the internet and run 'sh $plugin_dir/install-binary.sh' again; or install Go 1.26+ (https://go.dev/dl) and run it again; or unpack $base_url/v$version/${name}_${version}_${os}_${arch}.tar.gz into $plugin_dir by hand"
  if [ ! -f go.mod ] || [ ! -d cmd/helm-todo ] || [ ! -d cmd/helm-todo-postrender ]; then
    die "cannot download helm-todo $version and $plugin_dir holds no source to build" \
      "connect to the internet and run 'sh $plugin_dir/install-binary.sh' again, or install the plugin from a source checkout"
  fi
  say "building $target and $pr_target $version from source with $(go version | cut -d ' ' -f 3)"
  for e in $exes; do
    go build -trimpath -ldflags "-s -w -X $module/internal/version.Version=$version" -o "$work/$e" "./cmd/${e%.exe}" ||
      die "go build of ${e%.exe} $version failed (output above); nothing was installed" "fix the build error, or connect to the internet and run 'sh $plugin_dir/install-binary.sh' again to download the release"
  done
  install_files "$work"
  say "installed $target and $pr_target $version (built from source)"
}

if [ "${HELM_TODO_FORCE_BUILD:-}" = 1 ]; then
  echo "HELM_TODO_FORCE_BUILD=1" >"$work/fetch.err"
  build
elif ! download; then
  say "download failed: $(tail -n 1 "$work/fetch.err" 2>/dev/null); building from source instead"
  build
fi
