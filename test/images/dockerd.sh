#!/usr/bin/env bash
# dockerd.sh start|stop|env DIR [--bounded-runc]: a private Debian dockerd
# (docker.io) whose data root, exec root, pid file and socket all live under
# DIR (the image test uses .tools/engines/docker, the minikube rig
# .tools/minikube/docker), started by hand, never as a system service.
#
# --bounded-runc makes runc-bounded.sh the default runtime, so --privileged
# containers (minikube's node) start on a host whose capability bounding set
# is smaller than what docker asks for; see that script.
#
# --iptables=false --bridge=none: the daemon touches no firewall rule and
# makes no docker0 bridge, so builds need RUN steps on the host network
# (helm todo build --builder-arg=--network=host). Nothing it runs is
# reachable from off the machine through it.
#
# `env` prints the DOCKER_HOST line for the socket; `start` waits until the
# daemon answers and is a no-op when this DIR's daemon already runs.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
bounded=${3:-}
[[ -n $cmd && -n $dir && ( -z $bounded || $bounded == --bounded-runc ) ]] || {
  echo "usage: $0 start|stop|env DIR [--bounded-runc]" >&2
  exit 2
}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
sock="unix://$dir/docker.sock"
pidfile="$dir/docker.pid"

running() { [[ -s $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

# Debian's own client (20.10, BuildKit built in) answers the health check:
# whatever docker is first on PATH may be a newer client without buildx.
client() { DOCKER_HOST=$sock /usr/bin/docker "$@"; }

case $cmd in
env) echo "DOCKER_HOST=$sock" ;;
start)
  command -v dockerd >/dev/null || {
    echo "dockerd not found; install the docker.io package (see .ci/apt-packages)" >&2
    exit 1
  }
  if running; then exit 0; fi
  mkdir -p "$dir/data" "$dir/exec"
  # An empty config file, so /etc/docker/daemon.json never leaks in.
  echo '{}' >"$dir/daemon.json"
  runtime=()
  [[ -n $bounded ]] && runtime=(--add-runtime "bounded-runc=$here/runc-bounded.sh" --default-runtime bounded-runc)
  dockerd "${runtime[@]}" --config-file "$dir/daemon.json" --data-root "$dir/data" --exec-root "$dir/exec" \
    --pidfile "$pidfile" -H "$sock" --iptables=false --ip-masq=false --bridge=none \
    --exec-opt native.cgroupdriver=cgroupfs >"$dir/dockerd.log" 2>&1 &
  pid=$!
  for ((i = 0; i < 120; i++)); do
    client info --format '{{.ServerVersion}}' >/dev/null 2>&1 && exit 0
    kill -0 "$pid" 2>/dev/null || {
      echo "dockerd exited at start; its log ends: $(tail -3 "$dir/dockerd.log")" >&2
      exit 1
    }
    sleep 0.5
  done
  echo "dockerd did not answer on $sock within 60 s; see $dir/dockerd.log" >&2
  exit 1
  ;;
stop)
  running || exit 0
  pid=$(cat "$pidfile")
  kill "$pid"
  # dockerd stops its containerd and containers first; give it the time.
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || exit 0
    sleep 0.5
  done
  echo "dockerd (pid $pid) did not stop within 30 s; killing it" >&2
  kill -9 "$pid" 2>/dev/null || true
  ;;
*)
  echo "usage: $0 start|stop|env DIR [--bounded-runc]" >&2
  exit 2
  ;;
esac
