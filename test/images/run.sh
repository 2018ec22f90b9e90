#!/usr/bin/env bash
# make image-test: build the example apps with the shipped docker/*.Dockerfile
# through `helm todo build --builder buildah`, on Debian stand-ins for
# python:3.11-slim and node:20-alpine, then run the images and check what the images promise (non-root, build args compiled in, readiness follows the database)
# on the running containers (docs/development.md, "Images"). Then the same builds with
# Debian's dockerd and podman (engines.sh), the images and the postgres:15
# stand-in run as the chart runs them.
#
# No Docker engine is needed: buildah builds daemonless with chroot
# isolation, in helm-todo's persistent store (.tools/engines/buildah-rig,
# shared with the node rig's apps: nothing is built twice across the two).
# The test's app images are removed first, so the builds really run. Chroot
# isolation shares the host's network, so the containers serve on the
# host's ports 7860 and 3000 exactly as their CMD says.
#
# Env: IMAGES_CACHE (default .tools/images) caches the root filesystems,
# the wheelhouse and the stand-in archives; ENGINES (default .tools/engines)
# holds buildah's, dockerd's and podman's stores; IMAGE_TEST_ENGINES (default
# "buildah docker podman") picks the engines; HELM_TODO is the binary under test
# (default bin/helm-todo); KEEP_WORK=1 keeps the temp dir for a post-mortem.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
IMAGES_CACHE=${IMAGES_CACHE:-$REPO/.tools/images}
ENGINES=${ENGINES:-$REPO/.tools/engines}
HELM_TODO=${HELM_TODO:-$REPO/bin/helm-todo}
BACKEND_PORT=7860
FRONTEND_PORT=3000

log() { printf 'image-test: %s\n' "$*" >&2; }
fail() {
  printf 'image-test: FAIL: %s\n' "$*" >&2
  exit 1
}
TIMINGS=()
SIZES=()
timing() { TIMINGS+=("$(printf '%-34s %6ss' "$1" "$2")"); }
pass() { log "ok: $*"; }

# --- preconditions ----------------------------------------------------------
[[ $(id -u) == 0 ]] || fail "run as root: buildah's store and chroot isolation need it here (CI runs as root)"
IMAGE_TEST_ENGINES=${IMAGE_TEST_ENGINES-buildah docker podman}
for p in buildah debootstrap npm curl jq ss runuser python3; do
  command -v "$p" >/dev/null || fail "$p not found; run scripts/deps.sh (it installs .ci/apt-packages)"
done
PGBIN=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -1)
[[ -x "$PGBIN/initdb" ]] || fail "PostgreSQL server binaries not found under /usr/lib/postgresql; install the postgresql package"
[[ -x "$HELM_TODO" ]] || fail "$HELM_TODO not found; run make build"
for port in $BACKEND_PORT $FRONTEND_PORT 3141; do
  [[ -z $(ss -Hltn "sport = :$port") ]] || fail "port $port is in use; the images serve on it, stop whatever listens there"
done

mkdir -p "$IMAGES_CACHE"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/helm-todo-images.XXXXXX")
chmod 755 "$WORK" # PostgreSQL runs as the postgres user under it
# shellcheck source=standins.sh
. "$HERE/standins.sh"
use_buildah_store

# Process trees this script started, stopped on exit.
SERVERS=()
PG_DATA=""
stop_tree() {
  local pid=$1 child
  for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do stop_tree "$child"; done
  kill "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  local pid e
  if declare -F stop_engine >/dev/null; then
    stop_engine_ctrs
    for e in $IMAGE_TEST_ENGINES; do stop_engine "$e"; done
  fi
  for pid in "${SERVERS[@]}"; do stop_tree "$pid"; done
  wait 2>/dev/null || true
  if [[ -n "$PG_DATA" ]]; then
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm_own_containers
  if [[ ${KEEP_WORK:-} == 1 ]]; then
    log "kept $WORK"
  else
    rm -rf "$WORK"
  fi
  if ((${#TIMINGS[@]})); then
    printf '\nimage-test timings:\n' >&2
    printf '  %s\n' "${TIMINGS[@]}" >&2
  fi
  if ((${#SIZES[@]})); then
    printf 'image-test sizes (uncompressed files):\n' >&2
    printf '  %s\n' "${SIZES[@]}" >&2
  fi
  exit $rc
}
trap cleanup EXIT

# shellcheck source=checks.sh
. "$HERE/checks.sh"
# shellcheck source=engines.sh
. "$HERE/engines.sh"

T_ALL=$SECONDS
T0=$SECONDS
make_standins
make_wheelhouse
timing "stand-ins and wheelhouse ready" $((SECONDS - T0))
# The python stand-in's pip finds its index here while images build.
serve_wheelhouse "$WHEELHOUSE"

# --- build through helm todo --------------------------------------------------
APP="$WORK/app"
mkdir -p "$APP"
tar -C "$REPO/examples" --exclude=node_modules --exclude=.next --exclude=__pycache__ \
  -cf - todo-backend todo-frontend | tar -C "$APP" -xf -
cat >"$APP/helm-todo.yaml" <<'EOF'
backend:
  context: todo-backend
frontend:
  context: todo-frontend
buildArgs:
  NEXT_PUBLIC_API_URL: http://localhost:7860
EOF

# build runs helm todo build in dir $1 with plugin dir $2, output to $3,
# recording when each component's build starts and ends.
build() {
  local dir=$1 plugin=$2 out=$3
  (cd "$dir" && HELM_PLUGIN_DIR="$plugin" "$HELM_TODO" build --builder buildah --pull never 2>&1) |
    while IFS= read -r line; do
      printf '%s %s\n' "$EPOCHREALTIME" "$line"
    done >"$out"
  return "${PIPESTATUS[0]}"
}

# remove_buildah_app_images: the test's own images, so the builds below
# really run (on a warm store, from its layer cache, as docker and podman do).
remove_buildah_app_images() {
  local refs
  refs=$(buildah images --format '{{.Name}}:{{.Tag}}' | grep -E '^((localhost|docker.io/library)/)?todo-(backend|frontend):' || true)
  if [[ -n $refs ]]; then
    # shellcheck disable=SC2086
    buildah rmi -f $refs >/dev/null
  fi
}

# buildah_test: the buildah builds and every check on the running images.
buildah_test() {
  remove_buildah_app_images
  log "building both images with: helm todo build --builder buildah --pull never"
  T0=$SECONDS
  if ! build "$APP" "$REPO" "$WORK/build.log"; then
    tail -40 "$WORK/build.log" | cut -d' ' -f2- >&2
    fail "helm todo build failed (log above)"
  fi
  timing "helm todo build (both images)" $((SECONDS - T0))
  for c in backend frontend; do
    start=$(awk -v c="$c" '$2 == c":" && $3 == "building" {print $1; exit}' "$WORK/build.log")
    end=$(awk -v c="$c" '$2 == c":" && $3 == "built" {print $1; exit}' "$WORK/build.log")
    [[ -n $start && -n $end ]] || fail "helm todo build did not report building and then built for $c"
    timing "  $c image build" "$(awk -v s="$start" -v e="$end" 'BEGIN {printf "%.1f", e - s}')"
  done
  BACKEND_REF=$(awk '$2 == "backend" && $3 == "image:" {print $4}' "$WORK/build.log")
  FRONTEND_REF=$(awk '$2 == "frontend" && $3 == "image:" {print $4}' "$WORK/build.log")
  [[ -n $BACKEND_REF && -n $FRONTEND_REF ]] || fail "helm todo build did not print both image refs"
  pass "built $BACKEND_REF and $FRONTEND_REF"

  # Unchanged inputs: the content-hash tag exists, so nothing is rebuilt.
  T0=$SECONDS
  build "$APP" "$REPO" "$WORK/rebuild.log" || fail "second helm todo build failed: $(tail -1 "$WORK/rebuild.log")"
  [[ $(grep -c 'build skipped' "$WORK/rebuild.log") == 2 ]] ||
    fail "unchanged inputs were rebuilt: $(cut -d' ' -f2- "$WORK/rebuild.log")"
  timing "helm todo build (unchanged, skipped)" $((SECONDS - T0))
  pass "an unchanged second build skips both images"

  check_config "$BACKEND_REF" backend
  check_config "$FRONTEND_REF" frontend

  # --- run the backend against a real PostgreSQL ---------------------------------
  start_postgres
  DB_URL="postgresql://todo:$(cat "$WORK/pg/pw")@127.0.0.1:$PG_PORT/todo"
  T0=$SECONDS
  BCTR=$(own_from --pull=never "$BACKEND_REF")
  check_no_build_tools "$BCTR" backend
  check_user "$BCTR" backend
  buildah run --env DATABASE_URL="$DB_URL" "$BCTR" -- alembic upgrade head >"$WORK/alembic.log" 2>&1 ||
    fail "alembic upgrade head in the backend image failed: $(tail -1 "$WORK/alembic.log")"
  [[ $(psql_q "SELECT to_regclass('public.todos')") == todos ]] || fail "alembic upgrade head did not create the todos table"
  pass "alembic upgrade head, run in the backend image, created the todos table"

  serve "$BCTR" backend "$BACKEND_PORT" /health/live --env DATABASE_URL="$DB_URL" --env LOG_LEVEL=INFO --env LOG_FORMAT=json
  expect GET "http://127.0.0.1:$BACKEND_PORT/health" 200
  expect GET "http://127.0.0.1:$BACKEND_PORT/health/live" 200
  expect GET "http://127.0.0.1:$BACKEND_PORT/health/ready" 200 '"database":"up"'
  expect POST "http://127.0.0.1:$BACKEND_PORT/api/todos" 201 '"title":"buy milk"' '{"title":"buy milk"}'
  expect GET "http://127.0.0.1:$BACKEND_PORT/api/todos" 200 '"buy milk"'
  check_healthcheck "$BCTR" backend
  check_server_uid "$BACKEND_PORT" backend

  # --- run the frontend, calling the backend server-side ------------------------
  FCTR=$(own_from --pull=never "$FRONTEND_REF")
  check_no_build_tools "$FCTR" frontend
  check_user "$FCTR" frontend
  # NEXT_PUBLIC_* values are build args, compiled in at build time.
  buildah run "$FCTR" -- grep -rqF http://localhost:7860 /app/.next/server ||
    fail "NEXT_PUBLIC_API_URL from helm-todo.yaml's buildArgs is not compiled into the frontend"
  pass "the NEXT_PUBLIC_API_URL build arg is compiled into the frontend build"
  serve "$FCTR" frontend "$FRONTEND_PORT" / --env BACKEND_URL="http://127.0.0.1:$BACKEND_PORT"
  expect GET "http://127.0.0.1:$FRONTEND_PORT/" 200 'Open the todo list'
  expect GET "http://127.0.0.1:$FRONTEND_PORT/todos" 200 'buy milk'
  expect GET "http://127.0.0.1:$FRONTEND_PORT/api/todos" 200 '"buy milk"'
  expect POST "http://127.0.0.1:$FRONTEND_PORT/api/todos" 201 '"title":"walk the dog"' '{"title":"walk the dog"}'
  expect GET "http://127.0.0.1:$FRONTEND_PORT/todos" 200 'walk the dog'
  check_healthcheck "$FCTR" frontend
  check_server_uid "$FRONTEND_PORT" frontend

  # --- the database goes away, then comes back -------------------------------
  stop_postgres
  expect GET "http://127.0.0.1:$BACKEND_PORT/health/ready" 503 '"database":"down"'
  expect GET "http://127.0.0.1:$BACKEND_PORT/health/live" 200
  pass "with PostgreSQL stopped, /health/ready answers 503 and /health/live 200"
  resume_postgres
  expect GET "http://127.0.0.1:$BACKEND_PORT/health/ready" 200 '"database":"up"'
  pass "with PostgreSQL back, /health/ready answers 200 again"
  timing "run and probe both images" $((SECONDS - T0))

  report_sizes "$BACKEND_REF" docker.io/library/python:3.11-slim backend
  report_sizes "$FRONTEND_REF" docker.io/library/node:20-alpine frontend

  # --- a broken Dockerfile fails with buildah's own message ---------------------
  check_broken_build
}
if [[ " $IMAGE_TEST_ENGINES " == *" buildah "* ]]; then
  buildah_test
fi

# --- docker and podman ---------------------------------------------------------
# Free the ports: the engines' images serve on the same ones.
for pid in "${SERVERS[@]}"; do
  [[ $pid == "$WHEELHOUSE_PID" ]] || stop_tree "$pid"
done
if [[ " $IMAGE_TEST_ENGINES " == *" docker "* || " $IMAGE_TEST_ENGINES " == *" podman "* ]]; then
  export_standins "$STANDIN_ARCHIVE_DIR"
  for e in ${IMAGE_TEST_ENGINES//buildah/}; do
    T1=$SECONDS
    engine_test "$e"
    timing "$e: whole engine test" $((SECONDS - T1))
  done
fi

timing "image-test total" $((SECONDS - T_ALL))
log "PASS"
