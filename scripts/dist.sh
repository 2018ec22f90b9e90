#!/usr/bin/env bash
# dist.sh DIR VERSION LDFLAGS PLATFORM...: the release, into DIR.
#
# Binaries, one archive per PLATFORM (os/arch), plus sha256 checksums, in the
# layout install-binary.sh downloads:
#   helm-todo_<version>_<os>_<arch>.tar.gz   bin/helm-todo[.exe], bin/helm-todo-postrender[.exe]
#   helm-todo_<version>_checksums.txt        "<sha256>  <archive>" lines
# These are byte-for-byte reproducible (fixed order, owner and mtime; gzip
# without a timestamp), so a rebuild of a tag yields the same checksums.
#
# Plugin archives, made by Helm 4's `helm plugin package` ($HELM4), each with
# its signed .prov when HELM_TODO_SIGN_KEY is set:
#   todo-<version>.tgz[.prov]        the `helm todo` CLI plugin (Helm 4), with
#                                    the chart, docker/ and examples/ it reads
#   helm-todo-<version>.tgz[.prov]   the helm-todo post-renderer plugin (Helm 4)
#   todo-<version>-helm3.tar.gz      the `helm todo` plugin for Helm 3, whose
#                                    HTTP installer needs plugin.yaml at the
#                                    archive's root (Helm 4's has todo/plugin.yaml)
# A plugin archive holds no binary: its install hook (install-binary.sh)
# downloads the binary archive and checks it against the checksums file
# packed into the (signed) plugin archive itself.
#
# The plugin manifests come from one source each. todo's is plugin.yaml as it
# is: the legacy format, which Helm 3 needs and which Helm 4 packages, signs
# and verifies. helm-todo's is generated from plugins/helm-todo-postrenderer/
# plugin.yaml: in a checkout that directory finds the binary and the hook
# script two levels up, in the archive they sit at its root, so every
# "HELM_PLUGIN_DIR/../../" becomes "HELM_PLUGIN_DIR/" (likewise with
# backslashes), comments go, and nothing else changes (test/plugin checks it).
#
# Signing (the key never lives in the repository):
#   HELM_TODO_SIGN_KEY              name (or part of it) of the signing key's user ID
#   HELM_TODO_SIGN_KEYRING          secret keyring holding it (default ~/.gnupg/secring.gpg;
#                                   gpg 2.1+: gpg --export-secret-keys KEY > FILE)
#   HELM_TODO_SIGN_PASSPHRASE_FILE  file holding the key's passphrase (empty or unset: none)
#   RELEASE_URL                     where the release is published; recorded in the
#                                   todo plugin as the default source of
#                                   `helm todo install-postrenderer`
#
# Release binaries are static (CGO_ENABLED=0); a caller may set CGO_ENABLED
# to reuse the build cache of ordinary builds, as the plugin tests do.
#   HELM_TODO_DIST_BUILD_DIR        where the binaries are linked before being
#                                   archived (default: a temporary directory).
#                                   Kept between runs, go build relinks only
#                                   what changed: the plugin tests run dist
#                                   three times and share one, one run at a time.
set -euo pipefail
dir=$1 version=$2 ldflags=$3
shift 3
die() { printf 'error: %s\nfix: %s\n' "$1" "$2" >&2; exit 2; }
(($#)) || die "no platforms given" "pass os/arch pairs such as linux/amd64"

# Everything is checked before the first build or write.
helm4=${HELM4:-helm}
helm4_version=$("$helm4" version --template '{{.Version}}' 2>/dev/null) || helm4_version=
[[ $helm4_version == v4.* ]] ||
  die "$helm4 is not Helm 4 (it says '${helm4_version:-nothing}'); \`helm plugin package\` makes the plugin archives" "run \`make helm4\`, or set HELM4 to a Helm 4 binary"
pr_src=plugins/helm-todo-postrenderer/plugin.yaml
pr_version=$(sed -n 's/^version: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$pr_src")
[[ $pr_version == "$version" ]] ||
  die "$pr_src has version '$pr_version' but plugin.yaml has '$version'" "set version: \"$version\" in $pr_src"
release_url=${RELEASE_URL:-https://github.com/helm-todo/helm-todo/releases/download/v$version}
sign_args=(--sign=false)
if [[ -n ${HELM_TODO_SIGN_KEY:-} ]]; then
  keyring=${HELM_TODO_SIGN_KEYRING:-$HOME/.gnupg/secring.gpg}
  [[ -r $keyring ]] ||
    die "HELM_TODO_SIGN_KEYRING $keyring cannot be read" "export the secret key: gpg --export-secret-keys '$HELM_TODO_SIGN_KEY' > FILE, and set HELM_TODO_SIGN_KEYRING=FILE"
  sign_args=(--sign --key "$HELM_TODO_SIGN_KEY" --keyring "$keyring")
  if [[ -n ${HELM_TODO_SIGN_PASSPHRASE_FILE:-} ]]; then
    [[ -r $HELM_TODO_SIGN_PASSPHRASE_FILE ]] ||
      die "HELM_TODO_SIGN_PASSPHRASE_FILE $HELM_TODO_SIGN_PASSPHRASE_FILE cannot be read" "point it at the file holding the key's passphrase, or unset it for a key without one"
    sign_args+=(--passphrase-file "$HELM_TODO_SIGN_PASSPHRASE_FILE")
  fi
fi

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
  bins=${HELM_TODO_DIST_BUILD_DIR:-$stage/build}/${os}_${arch}
  mkdir -p "$bins"
  # One retry: on a build cache shared with concurrent builds, a cold cross
  # build here failed twice with "could not import X (open : no such file or
  # directory)" (golang/go#43645-like eviction) and passed when rerun. A real
  # compile error fails both times.
  for cmd in helm-todo helm-todo-postrender; do
    for attempt in 1 2; do
      if CGO_ENABLED=${CGO_ENABLED:-0} GOOS=$os GOARCH=$arch go build -trimpath -ldflags "$ldflags" -o "$bins/$cmd$ext" "./cmd/$cmd"; then
        cp "$bins/$cmd$ext" "$stage/$name/bin/"
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
sums="helm-todo_${version}_checksums.txt"
(cd "$dir" && sha256sum "${archives[@]}" >"$sums")
echo "dist: wrote ${#archives[@]} binary archives and $sums to $dir" >&2

# The plugin directories. Each carries the hook scripts, the checksums of the
# binary archives (covered by the plugin archive's signature) and
# release-source, the default source of `helm todo install-postrenderer`.
plugin_files() { # DEST
  mkdir -p "$1"
  cp install-binary.sh install-binary.ps1 "$dir/$sums" "$1/"
  printf '%s\n' "$release_url" >"$1/release-source"
}
plugin_files "$stage/plugins/todo"
cp plugin.yaml README.md "$stage/plugins/todo/"
# What `helm todo` reads from its plugin directory: the chart it deploys, the
# Dockerfiles it builds with and the example apps it falls back to. A checkout
# install has them; without them an archive install's up and render fail.
git ls-files -z -- charts/todo-app 'docker/*.Dockerfile' 'docker/*.dockerignore' examples | xargs -0 cp --parents -t "$stage/plugins/todo/"
plugin_files "$stage/plugins/helm-todo"
{
  echo "# Generated by scripts/dist.sh from $pr_src (edit that file): what the"
  echo "# checkout's nested directory finds two levels up sits at this plugin's root."
  grep -v '^ *#' "$pr_src" | sed -e 's#HELM_PLUGIN_DIR/\.\./\.\./#HELM_PLUGIN_DIR/#g' \
    -e 's#HELM_PLUGIN_DIR\\\\\.\.\\\\\.\.\\\\#HELM_PLUGIN_DIR\\\\#g'
} >"$stage/plugins/helm-todo/plugin.yaml"
chmod 0755 "$stage"/plugins/*/install-binary.sh
find "$stage/plugins" -exec touch -h -d @0 {} +

if [[ ${sign_args[0]} == --sign=false ]]; then
  echo "dist: HELM_TODO_SIGN_KEY is not set: the plugin archives are UNSIGNED (no .prov); Helm 4 installs them only with --verify=false" >&2
fi
rm -f "$dir"/todo-"$version".tgz* "$dir"/helm-todo-"$version".tgz*
for p in todo helm-todo; do
  "$helm4" plugin package "${sign_args[@]}" -d "$dir" "$stage/plugins/$p" >&2 ||
    die "helm plugin package of the $p plugin failed (message above)" "check HELM_TODO_SIGN_KEY, HELM_TODO_SIGN_KEYRING and HELM_TODO_SIGN_PASSPHRASE_FILE"
done
# Helm 3: plugin.yaml at the root, and no "." entry (Helm 3's extractor
# refuses to make a directory that exists).
(cd "$stage/plugins/todo" && tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf - -- *) |
  gzip -n -9 >"$dir/todo-$version-helm3.tar.gz"
echo "dist: wrote the plugin archives todo-$version.tgz, helm-todo-$version.tgz (Helm 4) and todo-$version-helm3.tar.gz (Helm 3) to $dir" >&2
