#!/usr/bin/env bash
# rig.sh up|start|boot|down|status: a real minikube cluster on this machine.
#
#   up      make the state directory, start a private dockerd on a socket
#           of its own there (test/images/dockerd.sh --bounded-runc), import
#           the node image (node-image.sh) with kicbase's config, make the
#           control-plane images (images.sh) and put them and the Kubernetes
#           binaries into the rig's MINIKUBE_HOME cache.
#   start   (after up) minikube start with the docker driver on that
#           dockerd, MINIKUBE_HOME and KUBECONFIG in the state directory;
#           print minikube status and the nodes. Its log: start.log there.
#   boot    (after up) start one node container the way minikube's docker
#           driver does (--privileged, tmpfs /run and /tmp, /lib/modules, a
#           volume on /var, a user-defined bridge network, sshd published on
#           127.0.0.1), wait for systemd in it to be running or degraded,
#           check sshd answers on the published port, print the versions
#           inside, and remove the container, network and volume again.
#   down    remove everything up, start and boot made, and only that:
#           minikube delete in the rig's MINIKUBE_HOME, then the
#           containers, networks and volumes of the private dockerd (nobody
#           else uses it), the dockerd, the bridges it made, mounts under the
#           state directory, app.sh's wheelhouse index, and the state
#           directory. Safe to run twice and after a failed up.
#   status  say whether the rig's dockerd is up; exit 1 when it is down.
#
# Environment: MINIKUBE_TOOLS (default <repo>/.tools/minikube, make
# minikube-tools), MINIKUBE_RIG_DIR (default $MINIKUBE_TOOLS/rig): the rig's
# state. up makes this directory (it must not exist yet, or be one up made)
# and marks it; down removes it only when it carries that mark.
#
# The user's ~/.minikube, ~/.kube (config and cache) and system dockerd are
# never read or written: the rig's docker client only ever talks to its own
# socket.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
mk_tools=${MINIKUBE_TOOLS:-$repo/.tools/minikube}
state=${MINIKUBE_RIG_DIR:-$mk_tools/rig}
marker=.helm-todo-minikube-rig
dockerd_sh=$repo/test/images/dockerd.sh
boot_name=helm-todo-minikube-boot
node_tools=${NODE_TOOLS:-$repo/.tools/node}
KUBE_VERSION=v1.37.2 # build-tools.sh's

die() { echo "minikube-rig: $*" >&2; exit 1; }
say() { echo "minikube-rig: $*"; }

# state_ours: go on only if the state directory is absent or one up made.
state_ours() {
  [[ -L $state ]] && die "MINIKUBE_RIG_DIR=$state is a symbolic link, not a state directory the rig made; point MINIKUBE_RIG_DIR at a path that does not exist yet: up makes it"
  [[ -e $state ]] || return 0
  [[ -d $state && -f $state/$marker ]] && return 0
  die "MINIKUBE_RIG_DIR=$state exists but is not the minikube rig's (it has no $marker): the rig keeps its state only in a directory it made and does not touch this one; point MINIKUBE_RIG_DIR at a path that does not exist yet (default .tools/minikube/rig)"
}

# dk: Debian's docker client on the rig's own socket, never DOCKER_HOST's.
dk() { DOCKER_HOST="unix://$state/docker/docker.sock" DOCKER_CONFIG=$state/docker-config /usr/bin/docker "$@"; }
dockerd_up() { [[ -s $state/docker/docker.pid ]] && kill -0 "$(cat "$state/docker/docker.pid")" 2>/dev/null; }

# mk: the rig's minikube, with its own MINIKUBE_HOME, KUBECONFIG and
# kubectl cache (KUBECACHEDIR: kubectl's default is ~/.kube/cache, whatever
# KUBECONFIG says) under the state directory, and Debian's docker client
# (the one dockerd.sh checks the daemon with) on the rig's socket first on
# PATH.
mk() {
  MINIKUBE_HOME=$state/home KUBECONFIG=$state/kubeconfig KUBECACHEDIR=$state/kube-cache \
    DOCKER_HOST="unix://$state/docker/docker.sock" DOCKER_CONFIG=$state/docker-config \
    PATH="$state/bin:$PATH" MINIKUBE_IN_STYLE=false MINIKUBE_WANTUPDATENOTIFICATION=false \
    MINIKUBE_WANTREPORTERRORPROMPT=false "$mk_tools/bin/minikube" "$@"
}

node_ref() { local tar=$1 key; key=${tar##*/minikube-node-}; echo "helm-todo.local/minikube-node:${key%.tar}"; }

up() {
  state_ours
  mkdir -p "$state" "$state/docker-config"
  touch "$state/$marker"
  state=$(cd "$state" && pwd -P)
  local tar ref t0=$SECONDS
  tar=$("$here/node-image.sh")
  "$dockerd_sh" start "$state/docker" --bounded-runc
  ref=$(node_ref "$tar")
  if ! dk image inspect "$ref" >/dev/null 2>&1; then
    # kicbase's image config (its Dockerfile's last lines), in a build:
    # docker import --change takes no STOPSIGNAL.
    dk import "$tar" "$ref-rootfs" >/dev/null
    printf '%s\n' "FROM $ref-rootfs" 'ENV container=docker' \
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      'EXPOSE 22' 'STOPSIGNAL SIGRTMIN+3' \
      'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]' |
      DOCKER_BUILDKIT=0 dk build -q -t "$ref" - >/dev/null
    dk rmi "$ref-rootfs" >/dev/null
  fi
  echo "$ref" >"$state/node-ref"
  # What minikube would download, from its cache (no checksum on a file
  # already there): the Kubernetes binaries, the node rig's kubelet beside
  # kubeadm and kubectl, and the images, hard links into the rig's cache.
  local cache bins=$state/home/.minikube/cache/linux/amd64/$KUBE_VERSION
  cache=$(DOCKER_HOST="unix://$state/docker/docker.sock" DOCKER_CONFIG=$state/docker-config "$here/images.sh" "$ref")
  mkdir -p "$bins" "$state/home/.minikube/cache/images" "$state/bin"
  cp -l "$mk_tools/bin/kubeadm" "$mk_tools/bin/kubectl" "$node_tools/kubelet" "$bins/" 2>/dev/null ||
    cp "$mk_tools/bin/kubeadm" "$mk_tools/bin/kubectl" "$node_tools/kubelet" "$bins/"
  rm -rf "$state/home/.minikube/cache/images/amd64"
  cp -al "$cache" "$state/home/.minikube/cache/images/amd64" 2>/dev/null ||
    cp -a "$cache" "$state/home/.minikube/cache/images/amd64"
  ln -sf /usr/bin/docker "$state/bin/docker"
  say "up in $((SECONDS - t0))s: dockerd on unix://$state/docker/docker.sock, node image $ref"
}

# start: minikube start on the rig (after up). --force: minikube refuses
# the docker driver as root without it. --preload=false: the preload
# tarball is a download. --cni=bridge: kindnetd is an image this rig does
# not make. The container runtime is containerd: kicbase's docker-ce and
# cri-dockerd are downloads.
# kubepods_dirs: the kubepods cgroups on the host, in every hierarchy. The
# node's kubelet makes one in the host's cgroup2 hierarchy (on this hybrid
# cgroup v1 host, /sys/fs/cgroup/unified), outside the container's own
# cgroup, and it outlives the container.
kubepods_dirs() { find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d -name kubepods 2>/dev/null | sort; }

start() {
  [[ -f $state/$marker ]] && dockerd_up || die "the rig is down; run $0 up first"
  local t0=$SECONDS pods
  # Another kubelet's pods: the cgroups down removes must be the rig's own.
  pods=$(kubepods_dirs)
  [[ -z $pods ]] || die "refusing to start: another kubelet's pod cgroups are here ($(echo $pods)); stop that cluster first (the rig touched none of them)"
  touch "$state/kubepods-ours"
  mk start --driver=docker --base-image="$(cat "$state/node-ref")" \
    --kubernetes-version="$KUBE_VERSION" --container-runtime=containerd \
    --preload=false --cni=bridge --force --interactive=false \
    --alsologtostderr -v=1 >"$state/start.log" 2>&1 || {
    grep -E '^[*!X]|^[EW][0-9]' "$state/start.log" | tail -20 >&2
    die "minikube start failed after $((SECONDS - t0))s; the whole log is $state/start.log"
  }
  say "minikube start took $((SECONDS - t0))s"
  mk status
  mk kubectl -- get nodes -o wide
}

boot() {
  [[ -f $state/$marker ]] && dockerd_up || die "the rig is down; run $0 up first"
  local ref out i t0=$SECONDS
  ref=$(cat "$state/node-ref")
  dk network create --driver=bridge --subnet=192.168.239.0/24 --gateway=192.168.239.1 \
    --label=helm-todo.minikube-rig=boot "$boot_name" >/dev/null
  dk run -d --name "$boot_name" --hostname "$boot_name" --privileged \
    --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
    --tmpfs /tmp --tmpfs /run -v /lib/modules:/lib/modules:ro --volume "$boot_name:/var" \
    --network "$boot_name" --ip 192.168.239.2 --publish 127.0.0.1::22 "$ref" >/dev/null
  for ((i = 0; i < 120; i++)); do
    out=$(dk exec "$boot_name" systemctl is-system-running 2>/dev/null || true)
    [[ $out == running || $out == degraded ]] && break
    sleep 1
  done
  say "systemd in the node: $out (after $((SECONDS - t0))s)"
  # minikube reaches the node's sshd through the published port.
  local hostport banner
  hostport=$(dk port "$boot_name" 22/tcp | head -1)
  banner=$(timeout 10 bash -c 'exec 3<>"/dev/tcp/${1%:*}/${1##*:}"; head -c 4 <&3' _ "$hostport" 2>/dev/null || true)
  say "node sshd on $hostport answers: ${banner:-nothing}"
  [[ $out == degraded ]] && dk exec "$boot_name" systemctl --failed --no-legend || true
  dk exec "$boot_name" sh -c 'ps -p 1 -o comm=; containerd --version; runc --version | head -1; crictl --version; ls /opt/cni/bin/bridge; readlink -f /var/lib/dpkg/alternatives/iptables; id docker'
  dk rm -f "$boot_name" >/dev/null
  dk network rm "$boot_name" >/dev/null
  dk volume rm "$boot_name" >/dev/null
  [[ $out == running || $out == degraded ]] || die "systemd did not come up in the node container (last state: ${out:-no answer})"
  [[ $banner == SSH- ]] || die "the node's sshd did not answer on its published port $hostport"
}

down() {
  state_ours
  [[ -e $state ]] || { say "down: nothing to remove"; return 0; }
  state=$(cd "$state" && pwd -P)
  local nets=() ids=() n m pid
  # app.sh prepare's wheelhouse index, which keeps its pid here; only that
  # process (its command line names http.server) is stopped.
  if [[ -s $state/wheelhouse.pid ]]; then
    pid=$(cat "$state/wheelhouse.pid")
    grep -qa http.server "/proc/$pid/cmdline" 2>/dev/null && kill "$pid" 2>/dev/null || true
  fi
  if dockerd_up && [[ -d $state/home/.minikube/profiles ]]; then
    mk delete --all >/dev/null 2>&1 || true
  fi
  if dockerd_up; then
    # The dockerd is the rig's own: everything in it is the rig's.
    mapfile -t ids < <(dk ps -aq)
    ((${#ids[@]})) && dk rm -f -v "${ids[@]}" >/dev/null
    mapfile -t nets < <(dk network ls -q --filter type=custom --no-trunc)
    ((${#nets[@]})) && dk network rm "${nets[@]}" >/dev/null
    dk volume prune -f >/dev/null
  fi
  "$dockerd_sh" stop "$state/docker"
  # A dockerd killed before it removed its networks leaves their bridges.
  for n in "${nets[@]}"; do
    ip link show "br-${n:0:12}" >/dev/null 2>&1 && ip link delete "br-${n:0:12}"
  done
  # The kubepods cgroups the node's kubelet made (none was there before
  # start, which refuses otherwise), once the node is gone and they are
  # empty: rmdir, deepest first, removes only empty cgroups.
  if [[ -f $state/kubepods-ours ]]; then
    for m in $(kubepods_dirs); do
      find "$m" -depth -type d -exec rmdir {} + 2>/dev/null || true
      if [[ -d $m ]]; then echo "minikube-rig: down: $m still holds processes; left in place" >&2; fi
    done
  fi
  # Mounts under the state directory (overlay layers, netns files, tmpfs),
  # deepest first.
  while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done < <(awk -v p="$state/" 'index($2, p) == 1 { print $2 }' /proc/self/mounts | sort -r)
  rm -rf "$state"
  say "down: removed $state"
}

case ${1:-} in
up) up ;;
start) start ;;
boot) boot ;;
down) down ;;
status)
  state_ours
  if [[ -f $state/$marker ]] && dockerd_up; then say "up (dockerd pid $(cat "$state/docker/docker.pid"))"; else say "down"; exit 1; fi
  ;;
*) echo "usage: $0 up|start|boot|down|status" >&2; exit 2 ;;
esac
