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
# Needs: IMAGES_CACHE, ENGINES, WORK, HERE and buildah's environment
# (use_buildah_store, below).

MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

# use_buildah_store points buildah at helm-todo's one persistent store,
# $ENGINES/buildah-rig (overlay), shared by make image-test and the node
# rig's apps (test/node/apps.sh): the stand-ins are imported once, and a
# layer one of them built is a cache hit for the other.
use_buildah_store() {
  local store=${ENGINES:?}/buildah-rig
  mkdir -p "$store"
  store=$(cd "$store" && pwd -P) # one store, whichever checkout names it
  cat >"$store/storage.conf.$$" <<EOF
[storage]
driver = "overlay"
graphroot = "$store/root"
runroot = "$store/run"
EOF
  mv "$store/storage.conf.$$" "$store/storage.conf"
  export CONTAINERS_STORAGE_CONF=$store/storage.conf BUILDAH_ISOLATION=chroot BUILDAH_FORMAT=docker
}

# The store is shared, so a script removes only the working containers it
# made: own_from names them after this process, rm_own_containers removes
# those.
OWN_CTR_PREFIX=helm-todo-$$-
own_from() { buildah from --quiet --name "$OWN_CTR_PREFIX$RANDOM$RANDOM" "$@"; }
rm_own_containers() {
  buildah containers --format '{{.ContainerName}}' 2>/dev/null | grep "^$OWN_CTR_PREFIX" | xargs -r buildah rm >/dev/null 2>&1 || true
}
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

# standin_rootfs NAME RECIPE [PREPARE [KEYFILE...]] makes (once) NAME's root
# filesystem, the minbase plus RECIPE run inside it, and sets STANDIN_TAR to
# it and STANDIN_KEY to its cache key. PREPARE, a function, runs only when
# the cache misses and prints SRC:DEST pairs to copy in before the recipe.
# The cache key hashes the recipe, the files shared by all and the KEYFILEs
# (what PREPARE copies in), so editing a recipe rebuilds its stand-in only.
standin_rootfs() {
  local name=$1 recipe=$2 prepare=${3:-}
  shift $(($# < 3 ? $# : 3))
  local key
  key=$({ cat "$recipe" "$HERE/standin/sources.list" "$HERE/standin/docker-entrypoint.sh" "$@"; echo "$NPM_VERSION"; } | sha256sum | cut -c1-12)
  STANDIN_KEY=$key
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
  ctr=$(own_from scratch)
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

# postgres_inputs hands the postgres stand-in its entrypoint.
postgres_inputs() {
  echo "$HERE/standin/postgres-entrypoint.sh:/usr/local/bin/docker-entrypoint.sh"
}

# make_wheelhouse makes (once) the local wheelhouse the backend's builder
# stage installs from, Debian's installed modules repacked as wheels
# (standin/wheelhouse.py), and sets WHEELHOUSE to its directory. The
# root filesystem it is made in is thrown away.
make_wheelhouse() {
  local req=$REPO/examples/todo-backend/requirements.txt
  local key
  key=$(cat "$HERE/standin/wheelhouse.sh" "$HERE/standin/wheelhouse.py" "$HERE/standin/sources.list" "$req" | sha256sum | cut -c1-12)
  WHEELHOUSE=$IMAGES_CACHE/wheelhouse-$key
  [[ -s $WHEELHOUSE/simple/index.html ]] && return
  local t0=$SECONDS ctr mnt
  minbase_tar
  log "making the wheelhouse (cached afterwards in $WHEELHOUSE)"
  ctr=$(own_from scratch)
  buildah add --quiet "$ctr" "$MINBASE_TAR" / >/dev/null
  buildah copy --quiet "$ctr" "$HERE/standin/sources.list" /etc/apt/sources.list >/dev/null
  buildah copy --quiet "$ctr" "$HERE/standin/wheelhouse.sh" /tmp/recipe.sh >/dev/null
  buildah copy --quiet "$ctr" "$HERE/standin/wheelhouse.py" /tmp/wheelhouse.py >/dev/null
  buildah copy --quiet "$ctr" "$req" /tmp/requirements.txt >/dev/null
  buildah run "$ctr" -- sh /tmp/recipe.sh >"$WORK/wheelhouse.log" 2>&1 ||
    fail "making the wheelhouse failed, see $WORK/wheelhouse.log: $(tail -1 "$WORK/wheelhouse.log")"
  mnt=$(buildah mount "$ctr")
  rm -rf "$WHEELHOUSE.tmp"
  cp -a "$mnt/wheelhouse" "$WHEELHOUSE.tmp"
  buildah umount "$ctr" >/dev/null
  buildah rm "$ctr" >/dev/null
  rm -rf "$WHEELHOUSE"
  mv "$WHEELHOUSE.tmp" "$WHEELHOUSE"
  # An edited recipe or requirements.txt leaves the old one; keep only this.
  find "$IMAGES_CACHE" -maxdepth 1 -name 'wheelhouse-*' ! -name "$(basename "$WHEELHOUSE")" -exec rm -rf {} +
  timing "wheelhouse (repacked Debian modules)" $((SECONDS - t0))
}

# WHEELHOUSE_PORT is where the python stand-in's /etc/pip.conf looks for
# its index (devpi's port), on loopback: builds run RUN steps on the host
# network (buildah chroot isolation, docker/podman --network=host).
WHEELHOUSE_PORT=3141

# serve_wheelhouse DIR serves DIR (a wheelhouse with its simple/ index) as a
# private index on 127.0.0.1:$WHEELHOUSE_PORT until the script exits;
# serve_wheelhouse "" stops it.
WHEELHOUSE_PID=""
serve_wheelhouse() {
  local dir=$1 i
  if [[ -n $WHEELHOUSE_PID ]]; then
    kill "$WHEELHOUSE_PID" 2>/dev/null || true
    wait "$WHEELHOUSE_PID" 2>/dev/null || true
    WHEELHOUSE_PID=""
  fi
  [[ -n $dir ]] || return 0
  [[ -z $(ss -Hltn "sport = :$WHEELHOUSE_PORT") ]] ||
    fail "port $WHEELHOUSE_PORT is in use; the wheelhouse index serves there, stop whatever listens"
  python3 -m http.server "$WHEELHOUSE_PORT" --bind 127.0.0.1 --directory "$dir" >"$WORK/wheelhouse-http.log" 2>&1 &
  WHEELHOUSE_PID=$!
  SERVERS+=("$WHEELHOUSE_PID")
  for ((i = 0; i < 50; i++)); do
    curl -fsS -o /dev/null "http://127.0.0.1:$WHEELHOUSE_PORT/simple/" 2>/dev/null && return 0
    sleep 0.2
  done
  fail "the wheelhouse index did not answer on 127.0.0.1:$WHEELHOUSE_PORT"
}

# standin_image REF TAR [buildah config args...] commits TAR as image REF.
standin_image() {
  local ref=$1 tar=$2
  shift 2
  local ctr
  ctr=$(own_from scratch)
  buildah add --quiet "$ctr" "$tar" / >/dev/null
  buildah config "$@" "$ctr"
  buildah commit --quiet "$ctr" "$ref" >/dev/null
  buildah rm "$ctr" >/dev/null
}

# The stand-ins: image ref, rootfs name, recipe, prepare function, extra
# key files. STANDIN_REFS lists the refs once make_standins ran.
PYTHON_REF=docker.io/library/python:3.11-slim
NODE_REF=docker.io/library/node:20-alpine
POSTGRES_REF=docker.io/library/postgres:15
STANDIN_REFS=("$PYTHON_REF" "$NODE_REF" "$POSTGRES_REF")
declare -A STANDIN_KEYS=()
STANDIN_ARCHIVE_DIR=$IMAGES_CACHE/archives

# make_standins puts python:3.11-slim, node:20-alpine and postgres:15 into
# buildah's store, each labelled with its cache key.
make_standins() {
  local path=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  local py node pg t0
  standin_rootfs python-3.11-slim "$HERE/standin/python.sh"
  py=$STANDIN_TAR
  STANDIN_KEYS[$PYTHON_REF]=$STANDIN_KEY
  standin_rootfs node-20-alpine "$HERE/standin/node.sh" node_inputs
  node=$STANDIN_TAR
  STANDIN_KEYS[$NODE_REF]=$STANDIN_KEY
  standin_rootfs postgres-15 "$HERE/standin/postgres.sh" postgres_inputs "$HERE/standin/postgres-entrypoint.sh"
  pg=$STANDIN_TAR
  STANDIN_KEYS[$POSTGRES_REF]=$STANDIN_KEY
  local ref all=1
  # Only docker and podman wanted, and every archive already made: buildah's
  # store needs no copy.
  if [[ " ${IMAGE_TEST_ENGINES-buildah} " != *" buildah "* ]]; then
    for ref in "${STANDIN_REFS[@]}"; do
      [[ -s $STANDIN_ARCHIVE_DIR/$(archive_name "$ref") ]] || all=0
    done
    ((all)) && return 0
  fi
  # A persistent store (test/node/apps.sh) may hold them already.
  all=1
  for ref in "${STANDIN_REFS[@]}"; do
    [[ $(buildah inspect --type image --format '{{index .OCIv1.Config.Labels "org.helm-todo.standin-key"}}' "$ref" 2>/dev/null) == "${STANDIN_KEYS[$ref]}" ]] || all=0
  done
  ((all)) && return 0
  t0=$SECONDS
  standin_image "$PYTHON_REF" "$py" \
    --env "$path" --env LANG=C.UTF-8 --cmd '["python3"]' \
    --label org.helm-todo.standin=debian-bookworm --label "org.helm-todo.standin-key=${STANDIN_KEYS[$PYTHON_REF]}"
  standin_image "$NODE_REF" "$node" \
    --env "$path" --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    --entrypoint '["docker-entrypoint.sh"]' --cmd '["node"]' \
    --label org.helm-todo.standin=debian-bookworm --label "org.helm-todo.standin-key=${STANDIN_KEYS[$NODE_REF]}"
  # As postgres:15: root at start (the entrypoint drops to 999), PGDATA,
  # the data volume, port 5432, SIGINT for a fast shutdown.
  standin_image "$POSTGRES_REF" "$pg" \
    --env "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/lib/postgresql/15/bin" \
    --env LANG=C.UTF-8 --env PGDATA=/var/lib/postgresql/data \
    --volume /var/lib/postgresql/data --port 5432 --stop-signal SIGINT \
    --entrypoint '["docker-entrypoint.sh"]' --cmd '["postgres"]' \
    --label org.helm-todo.standin=debian-bookworm --label "org.helm-todo.standin-key=${STANDIN_KEYS[$POSTGRES_REF]}"
  timing "stand-in images imported" $((SECONDS - t0))
}

# archive_name REF: the file name export_standins gives REF's archive.
archive_name() { local n=${1##*/}; echo "${n/:/-}-${STANDIN_KEYS[$1]}.docker.tar"; }

# export_standins DIR writes each stand-in (after make_standins) as a
# docker-archive DIR/<name>-<tag>-<key>.docker.tar, reusing one already
# there: what `docker load`, `podman load`, `ctr images import` and
# `skopeo copy docker-archive:…` take, e.g. to push the stand-ins to a
# registry. Sets STANDIN_ARCHIVES[REF] to each file.
declare -A STANDIN_ARCHIVES=()
export_standins() {
  local dir=$1 ref f t0=$SECONDS
  mkdir -p "$dir"
  for ref in "${STANDIN_REFS[@]}"; do
    f=$dir/$(archive_name "$ref")
    STANDIN_ARCHIVES[$ref]=$f
    [[ -s $f ]] && continue
    buildah push --quiet "$ref" "docker-archive:$f.tmp:$ref" >/dev/null || fail "buildah push $ref to a docker-archive failed"
    mv "$f.tmp" "$f"
    # An edited stand-in leaves its old archive behind; keep only this one.
    find "$dir" -maxdepth 1 -name "$(archive_name "$ref" | sed "s/-${STANDIN_KEYS[$ref]}/-*/")" ! -name "$(basename "$f")" -delete
  done
  timing "stand-in archives (docker-archive)" $((SECONDS - t0))
}

# load_standins ENGINE (docker or podman; its environment set) loads each
# stand-in archive unless the engine already has that stand-in's key.
load_standins() {
  local engine=$1 ref have t0=$SECONDS
  for ref in "${STANDIN_REFS[@]}"; do
    have=$(eng "$engine" image inspect --format '{{index .Config.Labels "org.helm-todo.standin-key"}}' "$ref" 2>/dev/null || true)
    [[ $have == "${STANDIN_KEYS[$ref]}" ]] && continue
    eng "$engine" load -i "${STANDIN_ARCHIVES[$ref]}" >"$WORK/$engine-load.log" 2>&1 ||
      fail "$engine load of the $ref stand-in failed: $(tail -1 "$WORK/$engine-load.log")"
  done
  timing "$engine load of the stand-ins" $((SECONDS - t0))
}
