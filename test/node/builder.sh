#!/usr/bin/env bash
# builder.sh: what `helm todo up --builder buildah` needs on this machine for
# the app suite of `make node-test` (test/node/app): the stand-in bases
# (python:3.11-slim, node:20-alpine, postgres:15; test/images/standins.sh) in
# a buildah store kept under .tools/engines/buildah, so the images built by
# one run are reused by the next (content-hash tags make a rebuild a no-op),
# and the local wheelhouse served as the private index the python stand-in's
# pip reads (127.0.0.1:3141).
#
#   builder.sh env          print the environment buildah runs with (eval it)
#   builder.sh prepare      put the stand-ins into the store (each once)
#   builder.sh serve PIDFILE  serve the wheelhouse unless an index already
#                           answers there; PIDFILE gets the server's pid, or
#                           stays empty when one was already running
#   builder.sh stop PIDFILE stop the server serve started, if any
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/../images" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
IMAGES_CACHE=${IMAGES_CACHE:-$REPO/.tools/images}
STORE=${NODE_BUILDAH_STORE:-$REPO/.tools/engines/buildah}

log() { printf 'node-test: %s\n' "$*" >&2; }
fail() {
  printf 'node-test: FAIL: %s\n' "$*" >&2
  exit 1
}
timing() { log "$(printf '%s: %ss' "$1" "$2")"; }

# The environment of every buildah call, here and in the suite's `helm todo
# up`: the store above (overlay: it persists, vfs would copy every layer),
# chroot isolation (RUN steps on the host network, where the wheelhouse
# index listens) and the docker format (it keeps HEALTHCHECK).
print_env() {
  echo "CONTAINERS_STORAGE_CONF=$STORE/storage.conf"
  echo "BUILDAH_ISOLATION=chroot"
  echo "BUILDAH_FORMAT=docker"
}

store_conf() {
  mkdir -p "$STORE"
  cat >"$STORE/storage.conf.tmp" <<EOF
[storage]
driver = "overlay"
graphroot = "$STORE/store"
runroot = "$STORE/run"
EOF
  mv "$STORE/storage.conf.tmp" "$STORE/storage.conf"
}

prepare() {
  [[ $(id -u) == 0 ]] || fail "run as root: buildah's store and chroot isolation need it"
  command -v buildah >/dev/null || fail "buildah not found; run scripts/deps.sh (it installs .ci/apt-packages)"
  store_conf
  local kv
  while read -r kv; do export "${kv?}"; done < <(print_env)
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/helm-todo-node-builder.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
  # shellcheck source=../images/standins.sh
  . "$HERE/standins.sh"
  # The root filesystems and their keys (cached tarballs: seconds), then
  # an import only for a stand-in the store lacks at that key.
  local t0=$SECONDS ref have missing=0
  standin_rootfs python-3.11-slim "$HERE/standin/python.sh"
  STANDIN_KEYS[$PYTHON_REF]=$STANDIN_KEY
  standin_rootfs node-20-alpine "$HERE/standin/node.sh" node_inputs
  STANDIN_KEYS[$NODE_REF]=$STANDIN_KEY
  standin_rootfs postgres-15 "$HERE/standin/postgres.sh" postgres_inputs "$HERE/standin/postgres-entrypoint.sh"
  STANDIN_KEYS[$POSTGRES_REF]=$STANDIN_KEY
  for ref in "${STANDIN_REFS[@]}"; do
    have=$(buildah inspect --type image "$ref" 2>/dev/null | jq -r '.OCIv1.config.Labels["org.helm-todo.standin-key"] // empty' || true)
    [[ $have == "${STANDIN_KEYS[$ref]}" ]] || missing=1
  done
  if ((missing)); then
    log "importing the stand-in bases into $STORE"
    make_standins
  fi
  make_wheelhouse
  echo "$WHEELHOUSE" >"$STORE/wheelhouse"
  timing "stand-ins and wheelhouse ready" $((SECONDS - t0))
}

index_answers() { curl -fsS -o /dev/null "http://127.0.0.1:3141/simple/" 2>/dev/null; }

serve() {
  local pidfile=$1 dir i
  : >"$pidfile"
  if index_answers; then
    log "reusing the package index already answering on 127.0.0.1:3141"
    return 0
  fi
  dir=$(cat "$STORE/wheelhouse" 2>/dev/null) || fail "no wheelhouse yet; run $0 prepare"
  [[ -s $dir/simple/index.html ]] || fail "wheelhouse $dir has no simple/ index; run $0 prepare"
  [[ -z $(ss -Hltn "sport = :3141") ]] || fail "port 3141 is in use by something that is no package index; the wheelhouse serves there"
  python3 -m http.server 3141 --bind 127.0.0.1 --directory "$dir" >/dev/null 2>&1 &
  echo $! >"$pidfile"
  for ((i = 0; i < 50; i++)); do
    index_answers && return 0
    sleep 0.2
  done
  fail "the wheelhouse index did not answer on 127.0.0.1:3141"
}

stop() {
  local pidfile=$1 pid
  pid=$(cat "$pidfile" 2>/dev/null || true)
  [[ -n $pid ]] && kill "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

case ${1:-} in
env) print_env ;;
prepare) prepare ;;
serve) serve "${2:?pid file}" ;;
stop) stop "${2:?pid file}" ;;
*)
  echo "usage: $0 env|prepare|serve PIDFILE|stop PIDFILE" >&2
  exit 2
  ;;
esac
