# shellcheck shell=bash
# Stand-in base images for the image test, sourced by run.sh.
#
# The real python:3.11-slim and node:20-alpine cannot be pulled here, so the
# test makes Debian bookworm stand-ins with debootstrap and stores them in
# buildah under exactly those names; the shipped Dockerfiles' FROM lines then
# resolve without a pull. Root filesystems are cached as tarballs under
# $IMAGES_CACHE (.tools/images): debootstrap and apt take minutes, importing
# a tarball takes seconds.
#
# Needs: IMAGES_CACHE, WORK, HERE and buildah's environment (run.sh sets them).

MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
NPM_VERSION=10.9.9

# minbase_tar makes (once) the bookworm root filesystem both stand-ins start
# from and sets MINBASE_TAR to it.
minbase_tar() {
  local tar="$IMAGES_CACHE/bookworm-minbase.tar"
  MINBASE_TAR=$tar
  if [[ ! -s "$tar" ]]; then
    log "debootstrap bookworm (cached afterwards in $tar)"
    local t0=$SECONDS root="$WORK/minbase"
    debootstrap --variant=minbase --include=ca-certificates bookworm "$root" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
      fail "debootstrap failed, see the end of $WORK/debootstrap.log: $(tail -1 "$WORK/debootstrap.log")"
    tar --numeric-owner -C "$root" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
    rm -rf "$root"
    timing "debootstrap bookworm" $((SECONDS - t0))
  fi
}

# standin_rootfs NAME RECIPE [PREPARE] makes (once) NAME's root filesystem,
# the minbase plus RECIPE run inside it, and sets STANDIN_TAR to it.
# PREPARE, a function, runs only when the cache misses and prints SRC:DEST
# pairs to copy in before the recipe.
# The cache key hashes the recipe and the files shared by both, so editing
# a recipe rebuilds its stand-in only.
standin_rootfs() {
  local name=$1 recipe=$2 prepare=${3:-}
  local key
  key=$({ cat "$recipe" "$HERE/standin/sources.list" "$HERE/standin/docker-entrypoint.sh"; echo "$NPM_VERSION"; } | sha256sum | cut -c1-12)
  local tar="$IMAGES_CACHE/$name-$key.tar"
  STANDIN_TAR=$tar
  [[ -s "$tar" ]] && return
  local t0=$SECONDS
  minbase_tar
  log "making the $name stand-in root filesystem (cached afterwards in $tar)"
  local ctr pair pairs=()
  if [[ -n "$prepare" ]]; then
    "$prepare" >"$WORK/$name.inputs" || exit 1
    mapfile -t pairs <"$WORK/$name.inputs"
  fi
  ctr=$(buildah from --quiet scratch)
  buildah add --quiet "$ctr" "$MINBASE_TAR" / >/dev/null
  buildah copy --quiet "$ctr" "$HERE/standin/sources.list" /etc/apt/sources.list >/dev/null
  buildah copy --quiet "$ctr" "$recipe" /tmp/recipe.sh >/dev/null
  for pair in "${pairs[@]}"; do
    buildah copy --quiet "$ctr" "${pair%%:*}" "${pair#*:}" >/dev/null
  done
  buildah run "$ctr" -- sh /tmp/recipe.sh >"$WORK/$name-recipe.log" 2>&1 ||
    fail "the $name stand-in recipe failed, see $WORK/$name-recipe.log: $(tail -1 "$WORK/$name-recipe.log")"
  buildah run "$ctr" -- rm -f /tmp/recipe.sh
  # The machine's CA bundle, so RUN steps in builds on this stand-in reach
  # the package registries through whatever TLS the machine's network uses.
  # Stand-in only: the shipped Dockerfiles never carry a CA bundle.
  buildah copy --quiet "$ctr" /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt >/dev/null
  local mnt
  mnt=$(buildah mount "$ctr")
  tar --numeric-owner -C "$mnt" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
  buildah umount "$ctr" >/dev/null
  buildah rm "$ctr" >/dev/null
  # An edited recipe leaves its old tarball behind; keep only this one.
  find "$IMAGES_CACHE" -maxdepth 1 -name "$name-*.tar" ! -name "$(basename "$tar")" -delete
  timing "stand-in rootfs $name" $((SECONDS - t0))
}

# node_inputs fetches npm from the npm registry for the node stand-in.
node_inputs() {
  (cd "$WORK" && npm pack --silent "npm@$NPM_VERSION" >/dev/null) ||
    fail "npm pack npm@$NPM_VERSION failed: the node stand-in needs the npm registry"
  echo "$WORK/npm-$NPM_VERSION.tgz:/tmp/npm.tgz"
  echo "$HERE/standin/docker-entrypoint.sh:/usr/local/bin/docker-entrypoint.sh"
}

# standin_image REF TAR [buildah config args...] commits TAR as image REF.
standin_image() {
  local ref=$1 tar=$2
  shift 2
  local ctr
  ctr=$(buildah from --quiet scratch)
  buildah add --quiet "$ctr" "$tar" / >/dev/null
  buildah config "$@" "$ctr"
  buildah commit --quiet "$ctr" "$ref" >/dev/null
  buildah rm "$ctr" >/dev/null
}

# make_standins puts docker.io/library/python:3.11-slim and
# docker.io/library/node:20-alpine into buildah's store.
make_standins() {
  local path=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  local py node t0
  standin_rootfs python-3.11-slim "$HERE/standin/python.sh"
  py=$STANDIN_TAR
  standin_rootfs node-20-alpine "$HERE/standin/node.sh" node_inputs
  node=$STANDIN_TAR
  t0=$SECONDS
  standin_image docker.io/library/python:3.11-slim "$py" \
    --env "$path" --env LANG=C.UTF-8 --cmd '["python3"]' \
    --label org.helm-todo.standin=debian-bookworm
  standin_image docker.io/library/node:20-alpine "$node" \
    --env "$path" --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    --entrypoint '["docker-entrypoint.sh"]' --cmd '["node"]' \
    --label org.helm-todo.standin=debian-bookworm
  timing "stand-in images imported" $((SECONDS - t0))
}
