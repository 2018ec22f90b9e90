#!/usr/bin/env bash
# apps.sh env|serve|stop|project|secrets: what `helm todo up` needs on the
# real node rig to build and run the example apps for real, on a machine
# that reaches no image registry and no PyPI.
#
#   env    make (once, cached in .tools/images) the stand-in bases and the
#          wheelhouse, put the bases into a persistent buildah store
#          (.tools/engines/buildah, so dependency layers stay cached between
#          runs), import the postgres:15 stand-in into the node's containerd
#          (the chart's in-cluster PostgreSQL; a real cluster pulls it from
#          Docker Hub), and print the environment `helm todo up --builder
#          buildah` needs, as `export` lines for eval.
#   serve  start the wheelhouse index on 127.0.0.1:3141 in the background
#          (the python stand-in's pip.conf points there) unless it answers
#          already; its pid goes to $NODE_DIR/wheelhouse.pid.
#   stop   stop the index serve started.
#   project DIR
#          lay out the example apps in DIR as a user's repo holds them: both
#          build contexts, helm-todo.yaml (buildah; the postgres:15 stand-in
#          through stand-in-values.yaml) and random secrets in DIR/.env
#          unless it exists (no DATABASE_URL: the in-cluster PostgreSQL).
#          make demo and the benchmarks use it.
#   secrets FILE [DATABASE_URL]
#          write random demo secrets to FILE unless it exists, with
#          DATABASE_URL when given (make demo's simulated cluster: an
#          external database).
#
# The rig must be up for env (test/node/node.sh up).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/../images" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
IMAGES_CACHE=${IMAGES_CACHE:-$REPO/.tools/images}
ENGINES=${ENGINES:-$REPO/.tools/engines}
state=${NODE_DIR:-$REPO/.tools/node-rig}
node_tools=${NODE_TOOLS:-$REPO/.tools/node}

log() { printf 'apps: %s\n' "$*" >&2; }
fail() {
  printf 'apps: FAIL: %s\n' "$*" >&2
  exit 1
}
timing() { log "$(printf '%s: %ss' "$1" "$2")"; }

cmd_env() {
  [[ $(id -u) == 0 ]] || fail "run as root: buildah's store and chroot isolation need it here"
  for p in buildah debootstrap npm curl python3; do
    command -v "$p" >/dev/null || fail "$p not found; run make deps (it installs .ci/apt-packages)"
  done
  [[ -S $state/containerd/containerd.sock ]] || fail "the node rig is not up; run make node-up"
  mkdir -p "$IMAGES_CACHE"
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/helm-todo-apps.XXXXXX")
  # shellcheck source=../images/standins.sh
  . "$HERE/standins.sh"
  trap 'rm_own_containers; rm -rf "$WORK"' EXIT
  use_buildah_store
  local t0=$SECONDS
  make_standins
  make_wheelhouse
  export_standins "$STANDIN_ARCHIVE_DIR"
  local pg=${STANDIN_ARCHIVES[$POSTGRES_REF]}
  local ctr=("$node_tools/ctr" --address "$state/containerd/containerd.sock" -n k8s.io)
  if [[ $("${ctr[@]}" images ls -q "name==$POSTGRES_REF" 2>/dev/null || true) != "$POSTGRES_REF" ]] ||
    [[ ! -f $state/postgres-key ]] || [[ $(cat "$state/postgres-key") != "${STANDIN_KEYS[$POSTGRES_REF]}" ]]; then
    "${ctr[@]}" images import "$pg" >"$WORK/ctr.log" 2>&1 || fail "ctr images import of the postgres stand-in failed: $(tail -1 "$WORK/ctr.log")"
    echo "${STANDIN_KEYS[$POSTGRES_REF]}" >"$state/postgres-key"
  fi
  timing "stand-ins, wheelhouse and postgres image ready" $((SECONDS - t0))
  echo "$WHEELHOUSE" >"$state/wheelhouse.dir"
  printf 'export CONTAINERS_STORAGE_CONF=%q BUILDAH_ISOLATION=chroot BUILDAH_FORMAT=docker\n' "$CONTAINERS_STORAGE_CONF"
}

cmd_serve() {
  local dir i
  [[ -f $state/wheelhouse.dir ]] || fail "no wheelhouse yet; run $0 env first"
  dir=$(cat "$state/wheelhouse.dir")
  curl -fsS -o /dev/null http://127.0.0.1:3141/simple/ 2>/dev/null && return 0
  local args=(-m http.server 3141 --bind 127.0.0.1 --directory "$dir")
  # The arguments beside the pid: stop kills only this process (argv[0] is
  # whichever python3 PATH finds, through pyenv's shim or not).
  printf '%s\n' "${args[@]}" >"$state/wheelhouse.args"
  setsid python3 "${args[@]}" </dev/null >"$state/wheelhouse.log" 2>&1 9>&- &
  echo $! >"$state/wheelhouse.pid"
  for ((i = 0; i < 50; i++)); do
    curl -fsS -o /dev/null http://127.0.0.1:3141/simple/ 2>/dev/null && return 0
    sleep 0.2
  done
  fail "the wheelhouse index did not answer on 127.0.0.1:3141; see $state/wheelhouse.log"
}

cmd_stop() {
  local f=$state/wheelhouse.pid pid
  [[ -f $f ]] || return 0
  pid=$(cat "$f")
  if [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] &&
    [[ $(tr '\0' '\n' <"/proc/$pid/cmdline" | tail -n +2) == "$(cat "$state/wheelhouse.args" 2>/dev/null)" ]]; then
    kill "$pid" 2>/dev/null || true
  fi
  rm -f "$f" "$state/wheelhouse.args"
}

cmd_project() {
  local app=${1:?usage: $0 project DIR}
  mkdir -p "$app"
  rm -rf "$app/todo-backend" "$app/todo-frontend"
  cp -r "$REPO/examples/todo-backend" "$REPO/examples/todo-frontend" "$app/"
  cat >"$app/helm-todo.yaml" <<'EOF'
# The example apps on the node rig (test/node/apps.sh project): the
# in-cluster PostgreSQL on the postgres:15 stand-in.
backend:
  context: todo-backend
frontend:
  context: todo-frontend
valuesFiles: [stand-in-values.yaml]
build:
  builder: buildah
EOF
  printf 'database:\n  image:\n    tag: "15" # the stand-in; Docker Hub is not reachable here\n' >"$app/stand-in-values.yaml"
  cmd_secrets "$app/.env"
}

# The one writer of the demo's env file (make demo's simulated cluster calls
# it too): random values, never real ones, readable by the owner only, and
# an existing file is the user's and stays as it is.
cmd_secrets() {
  local f=${1:?usage: $0 secrets FILE [DATABASE_URL]} db=${2:-}
  [[ -f $f ]] && return
  mkdir -p "$(dirname "$f")"
  rnd() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
  (
    umask 077
    {
      echo "# helm-todo demo secrets (random)"
      [[ -z $db ]] || echo "DATABASE_URL=$db"
      echo "OPENROUTER_API_KEY=demo-$(rnd)"
      echo "BETTER_AUTH_SECRET=$(rnd)"
      echo "VAPID_PRIVATE_KEY=$(rnd)"
      echo "VAPID_PUBLIC_KEY=$(rnd)"
    } >"$f"
  )
}

case ${1:-} in
env) cmd_env ;;
serve) cmd_serve ;;
stop) cmd_stop ;;
project) cmd_project "${2:-}" ;;
secrets) cmd_secrets "${2:-}" "${3:-}" ;;
*) fail "usage: $0 env|serve|stop|project DIR|secrets FILE [DATABASE_URL]" ;;
esac
