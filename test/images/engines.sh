# shellcheck shell=bash
# The docker and podman part of make image-test, sourced by run.sh: the same
# `helm todo build` on Debian's dockerd (test/images/dockerd.sh) and Debian's
# podman, the stand-ins loaded with `docker load` / `podman load`, then the
# images run as the chart runs them (read-only root, UID 1000, no
# capabilities) against the postgres stand-in run as the chart runs it
# (UID 999, read-only root, its data, socket and /tmp volumes).
#
# Each engine's store lives under $ENGINES (.tools/engines), so its layer
# cache outlives a run: the first run builds cold, later runs rebuild the
# same inputs from the cache. The test's own app images are removed first,
# so helm todo build really calls the builder every run.
#
# Needs run.sh's environment and functions (WORK, REPO, HELM_TODO, APP...).

ENGINES=${ENGINES:-$REPO/.tools/engines}

# eng ENGINE ARGS... runs the engine's client against this test's store.
eng() {
  local e=$1
  shift
  case $e in
  docker) DOCKER_HOST=unix://$ENGINES/docker/docker.sock /usr/bin/docker "$@" ;;
  podman) CONTAINERS_STORAGE_CONF=$ENGINES/podman/storage.conf CONTAINERS_CONF=$ENGINES/podman/containers.conf podman "$@" ;;
  esac
}

# engine_env ENGINE prints the environment helm todo build runs with.
engine_env() {
  case $1 in
  # Debian's client (BuildKit built in) first on PATH: the docker on PATH
  # may be a newer client without buildx (check_buildx_message).
  docker) echo "PATH=$WORK/debian-docker:$PATH" "DOCKER_HOST=unix://$ENGINES/docker/docker.sock" ;;
  podman) echo "CONTAINERS_STORAGE_CONF=$ENGINES/podman/storage.conf" "CONTAINERS_CONF=$ENGINES/podman/containers.conf" ;;
  esac
}

start_engine() {
  case $1 in
  docker)
    mkdir -p "$WORK/debian-docker"
    ln -sf /usr/bin/docker "$WORK/debian-docker/docker"
    "$HERE/dockerd.sh" start "$ENGINES/docker" || fail "dockerd did not start"
    DOCKERD_STARTED=1
    ;;
  podman)
    local d=$ENGINES/podman
    mkdir -p "$d"
    # overlay, not buildah's vfs: the store persists, vfs copies every layer.
    cat >"$d/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$d/store"
runroot = "$d/run"
EOF
    # No systemd here: cgroupfs and a file for events. As root, podman and
    # its builds raise nofile and nproc past the hard limits (to 1048576),
    # which this machine denies even to root ("error setting rlimit type 7:
    # operation not permitted"): keep the current hard limits (nproc at
    # most pid_max, which is refused too).
    local nproc pidmax
    nproc=$(ulimit -Hu) pidmax=$(cat /proc/sys/kernel/pid_max)
    [[ $nproc == unlimited ]] || ((nproc > pidmax)) && nproc=$pidmax
    cat >"$d/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=$nproc:$nproc"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$d/events.log"
EOF
    ;;
  esac
}

stop_engine() {
  if [[ $1 == docker && -n ${DOCKERD_STARTED:-} ]]; then
    "$HERE/dockerd.sh" stop "$ENGINES/docker" || true
    DOCKERD_STARTED=""
  fi
}

# ebuild ENGINE DIR LOG [extra helm todo build flags]: helm todo build with
# ENGINE, host-network RUN steps (dockerd has no bridge), a timestamp per line.
ebuild() {
  local e=$1 dir=$2 out=$3
  shift 3
  # shellcheck disable=SC2046 # engine_env prints separate words
  (cd "$dir" && env $(engine_env "$e") HELM_PLUGIN_DIR="$REPO" "$HELM_TODO" build --builder "$e" \
    --builder-arg=--network=host "$@" 2>&1) |
    while IFS= read -r line; do
      printf '%s %s\n' "$EPOCHREALTIME" "$line"
    done >"$out"
  return "${PIPESTATUS[0]}"
}

# built_components LOG prints the components LOG says were built.
built_components() { awk '$3 == "building" {sub(":", "", $2); print $2}' "$1" | sort | tr '\n' ' ' | sed 's/ $//'; }

# check_buildx_message: a docker client without buildx (docker 23+, such as
# the 28.x one this machine has first on PATH) gets a tool error naming
# buildx and its fix, never the app's "fix the error above".
check_buildx_message() {
  local client="" c v rc=0
  for c in $(which -a docker); do
    v=$("$c" version --format '{{.Client.Version}}' 2>/dev/null || true)
    # Docker 23 and later build with BuildKit only through buildx.
    v=${v%%.*}
    if [[ $v =~ ^[0-9]+$ ]] && ((v >= 23)) && ! "$c" buildx version >/dev/null 2>&1; then
      client=$c
      break
    fi
  done
  if [[ -z $client ]]; then
    log "skipped the missing-buildx check: no docker client without buildx on PATH"
    return
  fi
  mkdir -p "$WORK/new-docker"
  ln -sf "$client" "$WORK/new-docker/docker"
  (cd "$APP" && PATH="$WORK/new-docker:$PATH" DOCKER_HOST=unix://$ENGINES/docker/docker.sock HELM_PLUGIN_DIR="$REPO" \
    "$HELM_TODO" build --builder docker --force >"$WORK/buildx.out" 2>"$WORK/buildx.err") || rc=$?
  [[ $rc == 1 ]] || fail "helm todo build with $client (no buildx) exited $rc, want 1: $(cat "$WORK/buildx.err")"
  grep -q '^error:.*buildx' "$WORK/buildx.err" || fail "the error does not name buildx: $(cat "$WORK/buildx.err")"
  grep -q '^fix:.*install Docker.s buildx plugin' "$WORK/buildx.err" || fail "the fix does not say to install buildx: $(cat "$WORK/buildx.err")"
  ! grep -q 'fix the error above' "$WORK/buildx.err" || fail "a missing buildx was blamed on the app: $(cat "$WORK/buildx.err")"
  pass "docker $("$client" version --format '{{.Client.Version}}' 2>/dev/null) without buildx: $(grep '^error:' "$WORK/buildx.err" | cut -c1-90)..."
}

# remove_app_images ENGINE: the test's own images, so builds really run.
remove_app_images() {
  local refs
  refs=$(eng "$1" images --format '{{.Repository}}:{{.Tag}}' | grep -E '^((localhost|docker.io/library)/)?todo-(backend|frontend):' || true)
  if [[ -n $refs ]]; then
    # shellcheck disable=SC2086
    eng "$1" rmi -f $refs >/dev/null
  fi
}

# run_ctr ENGINE NAME IMAGE [run flags...]: a detached container of IMAGE
# running its own ENTRYPOINT and CMD on the host network, hardened as the
# post-renderer hardens pods.
run_ctr() {
  local e=$1 name=$2 image=$3
  shift 3
  eng "$e" rm -f "$name" >/dev/null 2>&1 || true
  eng "$e" run -d --name "$name" --network host --read-only --cap-drop ALL \
    --security-opt no-new-privileges "$@" "$image" >/dev/null || fail "$e run $name failed"
  ENGINE_CTRS+=("$e:$name")
}

# wait_http ENGINE NAME URL: until URL answers 2xx, or the container exits.
wait_http() {
  local e=$1 name=$2 url=$3 i
  for ((i = 0; i < 240; i++)); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    [[ $(eng "$e" inspect --format '{{.State.Running}}' "$name" 2>/dev/null) == true ]] ||
      fail "$name exited before $url answered; its log ends: $(eng "$e" logs "$name" 2>&1 | tail -3)"
    sleep 0.5
  done
  fail "$url never answered; $name's log ends: $(eng "$e" logs "$name" 2>&1 | tail -3)"
}

# uid_on_port PORT: the UID of the process listening on PORT.
uid_on_port() {
  local pid
  pid=$(ss -Hltnp "sport = :$1" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
  [[ -n $pid ]] && awk '/^Uid:/ {print $2}' "/proc/$pid/status"
}

# start_pg_standin ENGINE DIR PORT: the postgres stand-in as the chart runs
# it: UID 999, read-only root, DIR as the data volume (PGDATA a subdir),
# emptyDirs for the socket and /tmp. DIR starts as a volume does: root's,
# group 999 (fsGroup), setgid.
start_pg_standin() {
  local e=$1 dir=$2 port=$3 i
  mkdir -p "$WORK/pgrun-$e"
  chmod 1777 "$WORK/pgrun-$e"
  run_ctr "$e" helm-todo-test-pg "$POSTGRES_REF" --user 999:999 \
    -v "$dir:/var/lib/postgresql/data" -v "$WORK/pgrun-$e:/var/run/postgresql" --tmpfs /tmp \
    -e POSTGRES_USER=todo -e POSTGRES_DB=todo -e POSTGRES_PASSWORD="$PG_STANDIN_PW" \
    -e PGDATA=/var/lib/postgresql/data/pgdata -e PGPORT="$port"
  for ((i = 0; i < 120; i++)); do
    eng "$e" exec helm-todo-test-pg pg_isready -q -h 127.0.0.1 -p "$port" -U todo -d todo 2>/dev/null && return 0
    [[ $(eng "$e" inspect --format '{{.State.Running}}' helm-todo-test-pg 2>/dev/null) == true ]] ||
      fail "the postgres stand-in exited; its log ends: $(eng "$e" logs helm-todo-test-pg 2>&1 | tail -3)"
    sleep 0.5
  done
  fail "the postgres stand-in never became ready; its log ends: $(eng "$e" logs helm-todo-test-pg 2>&1 | tail -3)"
}

# engine_test ENGINE: build both example images with ENGINE through helm
# todo build, rebuild nothing, rebuild one changed component, and run them.
engine_test() {
  local e=$1 app=$WORK/app-$1 t0 built ref_b ref_f c start end
  log "--- $e ---"
  start_engine "$e"
  check_engine_tools "$e"
  load_standins "$e"
  remove_app_images "$e"
  rm -rf "$app"
  cp -a "$APP" "$app"
  [[ $e == docker ]] && check_buildx_message

  t0=$SECONDS
  ebuild "$e" "$app" "$WORK/$e-build.log" --pull never ||
    fail "helm todo build --builder $e failed: $(tail -20 "$WORK/$e-build.log" | cut -d' ' -f2-)"
  timing "$e: helm todo build (both)" $((SECONDS - t0))
  for c in backend frontend; do
    start=$(awk -v c="$c" '$2 == c":" && $3 == "building" {print $1; exit}' "$WORK/$e-build.log")
    end=$(awk -v c="$c" '$2 == c":" && $3 == "built" {print $1; exit}' "$WORK/$e-build.log")
    [[ -n $start && -n $end ]] || fail "$e: helm todo build did not report building and then built for $c"
    timing "  $e: $c image build" "$(awk -v s="$start" -v e="$end" 'BEGIN {printf "%.1f", e - s}')"
  done
  built=$(built_components "$WORK/$e-build.log")
  [[ $built == "backend frontend" ]] || fail "$e: want one build of each component, got: $built"
  ref_b=$(awk '$2 == "backend" && $3 == "image:" {print $4}' "$WORK/$e-build.log")
  ref_f=$(awk '$2 == "frontend" && $3 == "image:" {print $4}' "$WORK/$e-build.log")
  pass "$e built $ref_b and $ref_f"

  t0=$EPOCHREALTIME
  ebuild "$e" "$app" "$WORK/$e-nochange.log" --pull never || fail "$e: second build failed"
  timing "$e: helm todo build (no change)" "$(awk -v s="$t0" -v e="$EPOCHREALTIME" 'BEGIN {printf "%.1f", e - s}')"
  [[ -z $(built_components "$WORK/$e-nochange.log") && $(grep -c 'build skipped' "$WORK/$e-nochange.log") == 2 ]] ||
    fail "$e: unchanged inputs were rebuilt: $(cut -d' ' -f2- "$WORK/$e-nochange.log")"
  pass "$e: no change, no build"

  echo "# changed by make image-test" >>"$app/todo-backend/src/main.py"
  t0=$SECONDS
  ebuild "$e" "$app" "$WORK/$e-onechange.log" --pull never || fail "$e: build after one change failed"
  timing "$e: helm todo build (one backend file)" $((SECONDS - t0))
  built=$(built_components "$WORK/$e-onechange.log")
  [[ $built == backend ]] || fail "$e: one changed backend file should build the backend only, built: '$built'"
  ref_b=$(awk '$2 == "backend" && $3 == "image:" {print $4}' "$WORK/$e-onechange.log")
  pass "$e: one changed backend file, one build (backend)"

  run_engine_images "$e" "$ref_b" "$ref_f"
  if [[ $e == podman ]]; then check_wheelhouse_handoff "$e" "$ref_b"; fi

  remove_app_images "$e"
  eng "$e" image prune -f >/dev/null 2>&1 || true
  stop_engine "$e"
}

check_engine_tools() {
  case $1 in
  docker) [[ -x /usr/bin/docker ]] || fail "/usr/bin/docker not found; install the docker.io package (.ci/apt-packages)" ;;
  podman) command -v podman >/dev/null || fail "podman not found; install the podman package (.ci/apt-packages)" ;;
  esac
}

# run_engine_images ENGINE BACKEND FRONTEND: the postgres stand-in, the
# migration, both servers as UID 1000 answering their health endpoints, and
# the database's data surviving a restart on the same directory.
run_engine_images() {
  local e=$1 ref_b=$2 ref_f=$3 port url dir uid
  port=$(free_port)
  PG_STANDIN_PW=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  dir=$WORK/pgdata-$e
  install -d -m 2775 -g 999 "$dir"
  start_pg_standin "$e" "$dir" "$port"
  uid=$(uid_on_port "$port")
  [[ $uid == 999 ]] || fail "$e: the postgres stand-in server runs as uid $uid, want 999"
  # The log is read whole before grep: `logs | grep -q` under pipefail fails
  # when grep matches and exits while the client is still writing (SIGPIPE).
  local pglog
  pglog=$(eng "$e" logs helm-todo-test-pg 2>&1)
  grep -q 'init process complete' <<<"$pglog" ||
    fail "$e: the postgres stand-in did not initialize the empty volume: $(tail -3 <<<"$pglog")"
  pass "$e: the postgres stand-in initialized an empty volume and serves as uid 999 with a read-only root"

  # The backend's own URL form (the chart composes postgresql+asyncpg://).
  url="postgresql+asyncpg://todo:$PG_STANDIN_PW@127.0.0.1:$port/todo"
  eng "$e" run --rm --network host --read-only --cap-drop ALL --tmpfs /tmp -e DATABASE_URL="$url" \
    "$ref_b" alembic upgrade head >"$WORK/$e-alembic.log" 2>&1 ||
    fail "$e: alembic upgrade head against the postgres stand-in failed: $(tail -1 "$WORK/$e-alembic.log")"
  run_ctr "$e" helm-todo-test-backend "$ref_b" --tmpfs /tmp -e DATABASE_URL="$url" -e LOG_FORMAT=json
  wait_http "$e" helm-todo-test-backend "http://127.0.0.1:$BACKEND_PORT/health/live"
  expect GET "http://127.0.0.1:$BACKEND_PORT/health/ready" 200 '"database":"up"'
  expect POST "http://127.0.0.1:$BACKEND_PORT/api/todos" 201 '"title":"kept across restarts"' '{"title":"kept across restarts"}'
  uid=$(uid_on_port "$BACKEND_PORT")
  [[ $uid == 1000 ]] || fail "$e: the backend server runs as uid $uid, want 1000"
  pass "$e: the backend image migrates and serves as uid 1000 with a read-only root"

  run_ctr "$e" helm-todo-test-frontend "$ref_f" --tmpfs /tmp --tmpfs /app/.next/cache -e BACKEND_URL="http://127.0.0.1:$BACKEND_PORT"
  wait_http "$e" helm-todo-test-frontend "http://127.0.0.1:$FRONTEND_PORT/"
  expect GET "http://127.0.0.1:$FRONTEND_PORT/todos" 200 'kept across restarts'
  uid=$(uid_on_port "$FRONTEND_PORT")
  [[ $uid == 1000 ]] || fail "$e: the frontend server runs as uid $uid, want 1000"
  pass "$e: the frontend image serves as uid 1000 with a read-only root"

  # A restart on the same directory: no second initdb, the data is there.
  eng "$e" stop -t 20 helm-todo-test-pg >/dev/null
  start_pg_standin "$e" "$dir" "$port"
  pglog=$(eng "$e" logs helm-todo-test-pg 2>&1)
  ! grep -q 'init process complete' <<<"$pglog" ||
    fail "$e: the postgres stand-in ran initdb again on a volume that had data"
  expect GET "http://127.0.0.1:$BACKEND_PORT/health/ready" 200 '"database":"up"'
  expect GET "http://127.0.0.1:$BACKEND_PORT/api/todos" 200 'kept across restarts'
  pass "$e: the postgres stand-in restarted on the same volume with the data kept"
  stop_engine_ctrs
}

ENGINE_CTRS=()
stop_engine_ctrs() {
  local ec
  for ec in "${ENGINE_CTRS[@]}"; do
    eng "${ec%%:*}" rm -f "${ec#*:}" >/dev/null 2>&1 || true
  done
  ENGINE_CTRS=()
}

# check_wheelhouse_handoff ENGINE BACKEND: the backend's packages come from
# its builder stage (the wheelhouse), not the base image; a requirement the
# index lacks fails the build with pip's own error.
check_wheelhouse_handoff() {
  local e=$1 ref=$2 out rc=0 lacking=asyncpg
  # shellcheck disable=SC2016 # runs in the image
  out=$(eng "$e" run --rm --entrypoint python3 "$ref" -c '
import fastapi, sqlalchemy, asyncpg, psycopg2, alembic, uvicorn
print(" ".join(m.__file__ for m in (fastapi, sqlalchemy, asyncpg, psycopg2, alembic, uvicorn)))') ||
    fail "$e: importing the backend's packages in its image failed"
  [[ $(tr ' ' '\n' <<<"$out" | grep -vc '^/usr/local/lib/python3.11/site-packages/') == 0 ]] ||
    fail "$e: the backend's packages do not all come from /usr/local/lib/python3.11/site-packages (COPY --from=builder /install): $out"
  eng "$e" run --rm --entrypoint python3 "$PYTHON_REF" -c 'import fastapi' >/dev/null 2>&1 &&
    fail "$e: the python stand-in itself carries fastapi; the hand-off proves nothing"
  pass "$e: the backend's packages come from the builder stage's /install, the base has none"

  # The same build with asyncpg missing from the index.
  local lean=$WORK/wheelhouse-without-$lacking
  rm -rf "$lean"
  cp -a "$WHEELHOUSE" "$lean"
  rm -rf "$lean/simple/$lacking" "$lean"/"$lacking"-*.whl
  serve_wheelhouse "$lean"
  # --no-cache: a cached pip layer would not ask the index at all.
  ebuild "$e" "$WORK/app-$e" "$WORK/$e-lean.log" --pull never --no-cache || rc=$?
  serve_wheelhouse "$WHEELHOUSE"
  [[ $rc == 1 ]] || fail "$e: the build with $lacking missing from the index exited $rc, want 1"
  grep -q "No matching distribution found for $lacking" "$WORK/$e-lean.log" ||
    fail "$e: the failed build does not show pip's error for $lacking: $(tail -5 "$WORK/$e-lean.log" | cut -d' ' -f2-)"
  pass "$e: $lacking missing from the index fails the build with pip's own error"
}
