# shellcheck shell=bash
# Checks on built images and running containers, sourced by run.sh.

# cfg REF prints the image's docker config as JSON.
# (buildah 1.28's --format has no json function, so jq picks the field.)
cfg() { buildah inspect --type image "$1" | jq '.Docker.config'; }

# jq_check JSON COMPONENT EXPR WHAT fails unless EXPR holds on JSON.
jq_check() {
  jq -e "$3" <<<"$1" >/dev/null || fail "$2 image config: $4; config is $1"
}

# A secret must never be baked into an image.
SECRET_ENV='.Env // [] | map(select(test("^(DATABASE_URL|OPENROUTER_API_KEY|BETTER_AUTH_SECRET|VAPID_PRIVATE_KEY|[A-Z_]*(SECRET|PASSWORD|TOKEN)[A-Z_]*)="))) | length == 0'

check_config() {
  local ref=$1 comp=$2 c
  c=$(cfg "$ref")
  jq_check "$c" "$comp" '.User == "1000:1000"' "USER must be 1000:1000"
  jq_check "$c" "$comp" '.Healthcheck.Test[0] == "CMD"' "HEALTHCHECK missing or not in exec form"
  jq_check "$c" "$comp" '.Healthcheck.Test | join(" ") | test("curl|wget") | not' "HEALTHCHECK uses a tool slim images lack"
  jq_check "$c" "$comp" "$SECRET_ENV" "an ENV looks like a secret"
  case $comp in
  backend)
    jq_check "$c" "$comp" '.ExposedPorts | has("7860/tcp")' "port 7860 not exposed"
    jq_check "$c" "$comp" '.Healthcheck.Test | join(" ") | test("python .*urllib.*/health")' "HEALTHCHECK must use python's urllib on /health"
    jq_check "$c" "$comp" '.Env | index("PYTHONUNBUFFERED=1") and index("PYTHONDONTWRITEBYTECODE=1")' "PYTHONUNBUFFERED and PYTHONDONTWRITEBYTECODE must be 1"
    jq_check "$c" "$comp" '.Cmd[0:3] == ["python", "-m", "uvicorn"]' "CMD must run uvicorn"
    ;;
  frontend)
    jq_check "$c" "$comp" '.ExposedPorts | has("3000/tcp")' "port 3000 not exposed"
    jq_check "$c" "$comp" '.Healthcheck.Test[1] == "node"' "HEALTHCHECK must use node"
    jq_check "$c" "$comp" '.Cmd == ["node", "server.js"]' 'CMD must be ["node","server.js"]'
    ;;
  esac
  pass "$comp image config: user 1000:1000, port, HEALTHCHECK, CMD, no secret in ENV"
}

# check_no_build_tools CTR COMPONENT: the compiler and headers the builder
# stage installs must not reach the final image.
check_no_build_tools() {
  local ctr=$1 comp=$2 found
  # shellcheck disable=SC2016 # the script runs inside the image
  found=$(buildah run --user 0:0 "$ctr" -- sh -c '
    found=""
    for p in gcc cc g++ make; do command -v "$p" >/dev/null 2>&1 && found="$found $p"; done
    for pkg in gcc libpq-dev build-essential; do dpkg -s "$pkg" >/dev/null 2>&1 && found="$found $pkg"; done
    [ -e /usr/include/postgresql/libpq-fe.h ] && found="$found libpq-fe.h"
    [ -d /app/node_modules/@next/swc-linux-x64-gnu ] && found="$found @next/swc"
    echo "$found"') || fail "could not run a shell in the $comp image"
  [[ -z ${found// /} ]] || fail "$comp final image carries build tools:$found"
  if [[ $comp == backend ]]; then
    # Meaningful only because the builder stage does install them. The
    # build log cannot say so when that step came from the layer cache, so
    # look in the builder stage itself (built alone: a cache hit too).
    local ref=localhost/helm-todo-image-test-builder:latest bctr
    buildah bud --quiet --layers --pull=never --target builder -f "$REPO/docker/backend.Dockerfile" -t "$ref" \
      "$APP/todo-backend" >"$WORK/builder-stage.log" 2>&1 ||
      fail "building the backend's builder stage alone failed: $(tail -3 "$WORK/builder-stage.log")"
    bctr=$(own_from --pull=never "$ref")
    buildah run --user 0:0 "$bctr" -- dpkg -s libpq-dev >/dev/null 2>&1 ||
      fail "the backend builder stage has no libpq-dev; the check above proves nothing"
    buildah rm "$bctr" >/dev/null
    # The image is also a layer of the build cache, which a working
    # container of a build killed mid-way in this shared store may still
    # use: buildah then refuses to remove it, and that container is not ours
    # to remove. Only that refusal leaves the name in place.
    if ! buildah rmi "$ref" >/dev/null 2>"$WORK/builder-rmi.err"; then
      grep -q "image is in use by a container" "$WORK/builder-rmi.err" ||
        fail "could not remove $ref: $(cat "$WORK/builder-rmi.err")"
      log "kept the name $ref: a working container of an earlier, interrupted build uses its layer"
    fi
  fi
  pass "$comp final image has no compiler, headers or build-only packages"
}

check_user() {
  local ctr=$1 comp=$2 uid
  uid=$(buildah run "$ctr" -- id -u)
  [[ $uid == 1000 ]] || fail "$comp image runs as uid $uid, want 1000"
}

# serve CTR COMPONENT PORT PATH [buildah run flags...] runs the image's own
# ENTRYPOINT+CMD in the background and waits until PATH answers.
serve() {
  local ctr=$1 comp=$2 port=$3 path=$4
  shift 4
  local argv pid i
  mapfile -t argv < <(buildah inspect "$ctr" | jq -r '.Docker.config | ((.Entrypoint // []) + (.Cmd // []))[]')
  buildah run "$@" "$ctr" -- "${argv[@]}" >"$WORK/$comp.log" 2>&1 &
  pid=$!
  SERVERS+=("$pid")
  # Startup takes a few seconds; 120 is the give-up point, not a speed check.
  for ((i = 0; i < 240; i++)); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$port$path" 2>/dev/null; then
      pass "$comp serves on :$port (${argv[*]})"
      return
    fi
    kill -0 "$pid" 2>/dev/null || fail "$comp exited before serving; its log ends: $(tail -3 "$WORK/$comp.log")"
    sleep 0.5
  done
  fail "$comp never answered on :$port$path; its log ends: $(tail -3 "$WORK/$comp.log")"
}

# expect METHOD URL CODE [SUBSTRING [JSON-BODY]]
expect() {
  local method=$1 url=$2 code=$3 want=${4:-} body=${5:-} got
  local args=(-sS -o "$WORK/resp" -w '%{http_code}' -X "$method")
  [[ -n $body ]] && args+=(-H 'content-type: application/json' --data "$body")
  got=$(curl "${args[@]}" "$url" 2>"$WORK/curl.err") || got="curl: $(cat "$WORK/curl.err")"
  [[ $got == "$code" ]] || fail "$method $url answered $got, want $code: $(head -c 300 "$WORK/resp" 2>/dev/null)"
  if [[ -n $want ]] && ! grep -qF -- "$want" "$WORK/resp"; then
    fail "$method $url: the response lacks $want: $(head -c 300 "$WORK/resp")"
  fi
  pass "$method ${url#http://127.0.0.1} -> $code"
}

# check_healthcheck CTR COMPONENT runs the image's HEALTHCHECK command in
# the image, as the image's user, while the server is up.
check_healthcheck() {
  local ctr=$1 comp=$2 argv
  mapfile -t argv < <(buildah inspect "$ctr" | jq -r '.Docker.config.Healthcheck.Test[1:][]')
  buildah run "$ctr" -- "${argv[@]}" >"$WORK/$comp-health.log" 2>&1 ||
    fail "$comp HEALTHCHECK command failed while the server was up: $(tail -1 "$WORK/$comp-health.log")"
  pass "$comp HEALTHCHECK command succeeds inside the image"
}

check_server_uid() {
  local port=$1 comp=$2 pid uid
  pid=$(ss -Hltnp "sport = :$port" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
  [[ -n $pid ]] || fail "no process listens on :$port"
  uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")
  [[ $uid == 1000 ]] || fail "the $comp server process runs as uid $uid, want 1000"
  pass "the $comp server process runs as uid 1000"
}

# --- PostgreSQL (Debian's, on loopback) -----------------------------------------
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

pg_ctl_start() {
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PG_DATA" -l "$WORK/pg/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $WORK/pg" start >/dev/null ||
    fail "PostgreSQL did not start: $(tail -1 "$WORK/pg/server.log")"
}

start_postgres() {
  mkdir -p "$WORK/pg"
  PG_PORT=$(free_port)
  head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$WORK/pg/pw"
  chown -R postgres: "$WORK/pg"
  chmod 700 "$WORK/pg"
  runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/pg/data" -U todo --pwfile="$WORK/pg/pw" \
    -A scram-sha-256 >"$WORK/initdb.log" 2>&1 || fail "initdb failed: $(tail -1 "$WORK/initdb.log")"
  PG_DATA="$WORK/pg/data"
  pg_ctl_start
  PGPASSWORD=$(cat "$WORK/pg/pw") "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U todo todo ||
    fail "createdb todo failed"
  pass "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') up on 127.0.0.1:$PG_PORT"
}

stop_postgres() {
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null || fail "could not stop PostgreSQL"
  log "PostgreSQL stopped"
}

resume_postgres() {
  pg_ctl_start
  log "PostgreSQL started again"
}

psql_q() {
  PGPASSWORD=$(cat "$WORK/pg/pw") "$PGBIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U todo -d todo -tAc "$1"
}

# --- sizes ------------------------------------------------------------------
# rootfs_bytes REF: bytes of the image's files, as a mounted container sees them.
rootfs_bytes() {
  local ctr mnt n
  ctr=$(own_from --pull=never "$1")
  mnt=$(buildah mount "$ctr")
  n=$(du -sb "$mnt" | cut -f1)
  buildah umount "$ctr" >/dev/null
  buildah rm "$ctr" >/dev/null
  echo "$n"
}

# The stand-in bases are bigger than the real ones (Debian's), so only the
# added part is comparable.
report_sizes() {
  local ref=$1 base=$2 comp=$3 img_b base_b
  img_b=$(rootfs_bytes "$ref")
  base_b=$(rootfs_bytes "$base")
  SIZES+=("$(printf '%-9s image %8s  stand-in base %8s  added by the Dockerfile %8s  (buildah images: %s)' \
    "$comp" "$(numfmt --to=si "$img_b")" "$(numfmt --to=si "$base_b")" "$(numfmt --to=si $((img_b - base_b)))" \
    "$(buildah images --format '{{.Size}}' "$ref")")")
  printf 'image-test size: %s\n' "${SIZES[-1]}" >&2
}

# --- the broken fixture -----------------------------------------------------
# A Dockerfile whose COPY names a path the context lacks must fail the build
# with buildah's own message, surfaced by helm todo build as one error line.
check_broken_build() {
  local rc=0 line
  (cd "$APP" && HELM_PLUGIN_DIR="$HERE/testdata/broken-plugin" "$HELM_TODO" build --builder buildah --pull never \
    >"$WORK/broken.out" 2>"$WORK/broken.err") || rc=$?
  [[ $rc == 1 ]] || fail "a broken Dockerfile: helm todo build exited $rc, want 1; stderr: $(cat "$WORK/broken.err")"
  [[ $(grep -c '^error:' "$WORK/broken.err") == 1 ]] || fail "want exactly one error line, stderr is: $(cat "$WORK/broken.err")"
  line=$(grep '^error:' "$WORK/broken.err")
  [[ $line == *does-not-exist.txt* && $line == *"no such file or directory"* ]] ||
    fail "the error line does not carry buildah's message about the missing path: $line"
  grep -q '^fix:' "$WORK/broken.err" || fail "no fix: line after the error: $(cat "$WORK/broken.err")"
  ! grep -qE 'goroutine|panic:' "$WORK/broken.err" || fail "a stack trace reached the user: $(cat "$WORK/broken.err")"
  pass "a broken Dockerfile fails with one line: $line"
}
