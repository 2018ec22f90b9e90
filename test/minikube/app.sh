#!/usr/bin/env bash
# app.sh prepare|up|down|stop: `helm todo up` on the rig's real minikube
# (after rig.sh up and start), the way a user runs it: no helm-todo flag
# about the cluster. helm-todo finds kube-context "minikube" in KUBECONFIG,
# the minikube binary on PATH and docker on DOCKER_HOST, builds with docker
# and loads with `minikube image load`.
#
#   prepare  what this machine lacks and a user's has: the stand-in base
#            images (python:3.11-slim, node:20-alpine, postgres:15, made by
#            test/images/standins.sh; make image-test or test/node/apps.sh
#            env make their archives) loaded into the rig's dockerd; the
#            wheelhouse served as the python stand-in's pip index on
#            127.0.0.1:$MINIKUBE_WHEELHOUSE_PORT (default 3151: 3141 is the
#            other rigs'), the stand-in's pip.conf pointed there; the
#            postgres:15 stand-in in the node (a real node pulls it from
#            Docker Hub); the example apps, helm-todo.yaml and random
#            secrets in $state/app; a Helm home of the rig's own with this
#            checkout installed as the plugin.
#   up       helm todo up in $state/app, each output line stamped with the
#            seconds since the start; then the pods.
#   down     helm todo down, then check no pod of the release is left.
#   stop     stop the wheelhouse index prepare started.
#
# Environment: HELM (default .tools/helm4/helm), MINIKUBE_TOOLS,
# MINIKUBE_RIG_DIR (rig.sh's), MINIKUBE_WHEELHOUSE_PORT.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
mk_tools=${MINIKUBE_TOOLS:-$repo/.tools/minikube}
state=${MINIKUBE_RIG_DIR:-$mk_tools/rig}
images_cache=${IMAGES_CACHE:-$repo/.tools/images}
helm=${HELM:-$repo/.tools/helm4/helm}
port=${MINIKUBE_WHEELHOUSE_PORT:-3151}
app=$state/app
kubectl=$mk_tools/bin/kubectl

die() { echo "minikube-app: $*" >&2; exit 1; }
say() { echo "minikube-app: $*"; }

[[ -f $state/.helm-todo-minikube-rig && -s $state/kubeconfig ]] ||
  die "the rig is not up; run make minikube-up first"
state=$(cd "$state" && pwd -P)
app=$state/app

# The user's environment, all of it the rig's: its dockerd, its minikube
# (first on PATH, with Debian's docker client beside it), its MINIKUBE_HOME
# and KUBECONFIG, a Helm home of its own. Only the builder's network is
# set, through the environment: the rig's dockerd has no bridge
# (dockerd.sh --bridge=none), so RUN steps use the host's network.
export DOCKER_HOST="unix://$state/docker/docker.sock" DOCKER_CONFIG=$state/docker-config
export MINIKUBE_HOME=$state/home KUBECONFIG=$state/kubeconfig KUBECACHEDIR=$state/kube-cache
export MINIKUBE_IN_STYLE=false MINIKUBE_WANTUPDATENOTIFICATION=false MINIKUBE_WANTREPORTERRORPROMPT=false
export PATH="$state/bin:$PATH"
export HELM_CACHE_HOME=$state/helm/cache HELM_CONFIG_HOME=$state/helm/config
export HELM_DATA_HOME=$state/helm/data HELM_PLUGINS=$state/helm/data/plugins
export HELM_TODO_BUILDER_ARGS=--network=host
unset HELM_KUBECONTEXT HELM_NAMESPACE HELM_TODO_BUILDER HELM_TODO_BUILDER_GLOBAL_ARGS

# newest GLOB: the newest file matching GLOB (an edited recipe's archive
# replaces the old one; several may linger in a shared cache).
newest() { local f; f=$(ls -1td $1 2>/dev/null | head -1); [[ -n $f ]] && echo "$f"; }

serve() {
  local dir i
  dir=$(newest "$images_cache/wheelhouse-*") ||
    die "no wheelhouse in $images_cache; run make image-test (or test/node/apps.sh env) once"
  if curl -fsS -o /dev/null "http://127.0.0.1:$port/simple/" 2>/dev/null; then
    [[ -s $state/wheelhouse.pid ]] || die "port $port answers but not with this rig's index; set MINIKUBE_WHEELHOUSE_PORT to a free port"
    return 0
  fi
  setsid python3 -m http.server "$port" --bind 127.0.0.1 --directory "$dir" </dev/null >"$state/wheelhouse.log" 2>&1 &
  echo $! >"$state/wheelhouse.pid"
  for ((i = 0; i < 50; i++)); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/simple/" 2>/dev/null && return 0
    sleep 0.2
  done
  die "the wheelhouse index did not answer on 127.0.0.1:$port; see $state/wheelhouse.log"
}

stop() {
  local pid
  [[ -s $state/wheelhouse.pid ]] || return 0
  pid=$(cat "$state/wheelhouse.pid")
  # Only our server: its command line names the port.
  if grep -qa "http.server" "/proc/$pid/cmdline" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  rm -f "$state/wheelhouse.pid"
}

prepare() {
  local t0=$SECONDS name tar
  [[ -x $helm ]] || die "$helm not found; run make tools"
  [[ -x $repo/bin/helm-todo ]] || die "bin/helm-todo not built; run make build"
  for name in python-3.11-slim node-20-alpine postgres-15; do
    tar=$(newest "$images_cache/archives/$name-*.docker.tar") ||
      die "no $name stand-in archive in $images_cache/archives; run make image-test (or test/node/apps.sh env) once"
    docker load -q -i "$tar" >/dev/null
  done
  # The python stand-in's pip.conf names 127.0.0.1:3141; this rig's index
  # is on $port. Same tag, so the shipped Dockerfile's FROM finds it.
  printf '%s\n' 'FROM docker.io/library/python:3.11-slim' \
    "RUN sed -i 's#127.0.0.1:3141#127.0.0.1:$port#' /etc/pip.conf" |
    DOCKER_BUILDKIT=0 docker build -q -t docker.io/library/python:3.11-slim - >/dev/null
  serve
  ln -sf "$mk_tools/bin/minikube" "$state/bin/minikube"
  minikube image load docker.io/library/postgres:15
  rm -rf "$app"
  mkdir -p "$app"
  local d
  for d in todo-backend todo-frontend; do
    mkdir -p "$app/$d"
    tar -C "$repo/examples/$d" --exclude=node_modules --exclude=.next --exclude=__pycache__ -cf - . | tar -C "$app/$d" -xf -
  done
  cat >"$app/helm-todo.yaml" <<'EOF'
# The example apps on the minikube rig (test/minikube/app.sh): no builder
# and no cluster named, helm-todo detects them; the in-cluster PostgreSQL
# on the postgres:15 stand-in.
backend:
  context: todo-backend
frontend:
  context: todo-frontend
valuesFiles: [stand-in-values.yaml]
EOF
  printf 'database:\n  image:\n    tag: "15" # the stand-in; Docker Hub is not reachable here\n' >"$app/stand-in-values.yaml"
  "$repo/test/node/apps.sh" secrets "$app/.env"
  mkdir -p "$HELM_PLUGINS"
  "$helm" plugin list | awk 'NR > 1 { print $1 }' | grep -qx todo || "$helm" plugin install "$repo" >/dev/null
  say "prepared in $((SECONDS - t0))s: stand-ins in the rig's dockerd, wheelhouse on 127.0.0.1:$port, app in $app"
}

# stamped CMD...: CMD's output, each line prefixed with the seconds since
# the start, and CMD's exit status.
stamped() {
  local t0=$SECONDS rc
  set +e
  "$@" 2>&1 | while IFS= read -r line; do printf '[%4ds] %s\n' $((SECONDS - t0)) "$line"; done
  rc=${PIPESTATUS[0]}
  set -e
  return "$rc"
}

# up: helm todo up, then what shows the app runs: every pod of the release
# Ready, the backend's /health answering inside its pod, and the frontend
# URL up printed (the node's IP and NodePort, what `minikube service --url`
# gives) answering 200 from this machine.
up() {
  local t0=$SECONDS rc=0 url code
  cd "$app"
  stamped "$helm" todo up --timeout 8m --debug | tee "$state/up.log" || rc=${PIPESTATUS[0]}
  say "helm todo up exited $rc after $((SECONDS - t0))s"
  ((rc == 0)) || return "$rc"
  "$kubectl" -n todo-app get pods -o wide
  "$kubectl" -n todo-app wait --for=condition=Ready pod -l app.kubernetes.io/instance=todo --timeout=60s
  "$kubectl" -n todo-app exec deploy/todo-backend -- python -c \
    "import urllib.request; print('backend /health:', urllib.request.urlopen('http://127.0.0.1:7860/health', timeout=5).read().decode())"
  url=$(sed -n 's/^\[ *[0-9]*s\] frontend URL: \(http[^ ]*\).*/\1/p' "$state/up.log" | tail -1)
  [[ -n $url ]] || die "up printed no frontend URL; see $state/up.log"
  code=$(curl -sS -m 10 -o /dev/null -w '%{http_code}' "$url/") || true
  [[ $code == 200 ]] || die "the frontend at $url answered ${code:-nothing}, not 200"
  say "frontend $url answers 200"
}

down() {
  local t0=$SECONDS left
  cd "$app"
  stamped "$helm" todo down
  say "helm todo down took $((SECONDS - t0))s"
  # helm uninstall returns once the objects are deleted; the pods then
  # take their grace period to stop.
  "$kubectl" -n todo-app wait --for=delete pod -l app.kubernetes.io/instance=todo --timeout=120s >/dev/null
  left=$("$kubectl" -n todo-app get all,pvc,secret -l app.kubernetes.io/instance=todo -o name)
  say "after down, left with the release's label: ${left:-nothing}"
  "$helm" status todo -n todo-app >/dev/null 2>&1 && die "release todo is still installed after down"
  say "no pod and no release todo left"
}

case ${1:-} in
prepare) prepare ;;
up) up ;;
down) down ;;
stop) stop ;;
*) die "usage: $0 prepare|up|down|stop" ;;
esac
