#!/usr/bin/env bash
# foreign.sh: the node rig leaves another cluster on this machine alone.
# run.sh runs it before it starts the rig; it needs root and the rig down.
#
# It starts a stand-in "other cluster": a process of its own sleeping in a
# kubepods cgroup (in each v1 hierarchy of cpu, memory and pids there is), a
# KUBE-SERVICES chain with a rule of its own and a jump to it, an ipset named
# as kube-router names its NetworkPolicy sets, holding an address, and a
# listener on the kubelet's port 10250. Then:
#   - node.sh up refuses to start, naming each of them;
#   - node.sh down leaves each of them as it was;
#   - NODE_DIR pointed at a directory with a file in it is refused by up and
#     down alike, and the file survives.
# Then it removes its stand-ins, and only them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
node=$here/node.sh
# shellcheck source=lock.sh
. "$here/lock.sh"
rig_lock foreign

tag=helm-todo-foreign-$$
fails=0
fail() { echo "foreign: FAIL: $*" >&2; fails=$((fails + 1)); }
die() { echo "foreign: $*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || die "needs root (cgroups, iptables)"
if "$node" status >/dev/null 2>&1; then die "the node rig is up; stop it first: make node-down"; fi

made_cgroups=() made_chain=0 made_ipset=0 sleeper= listener= work=
# kube-router's names: KUBE-SRC- and 16 base32 characters.
ipset_name=KUBE-SRC-FOREIGN$(printf '%08d' $(($$ % 100000000)) | tr 0-9 A-J)
cleanup() {
  local rc=$? d i p
  set +e
  trap - EXIT INT TERM
  for p in $sleeper $listener; do
    kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  # Deepest first: each stand-in cgroup, then kubepods if this script made it.
  for ((i = ${#made_cgroups[@]} - 1; i >= 0; i--)); do
    d=${made_cgroups[i]}
    rmdir "$d" 2>/dev/null || echo "foreign: could not remove the stand-in cgroup $d" >&2
  done
  iptables -w -t nat -D PREROUTING -m comment --comment "$tag" -j KUBE-SERVICES 2>/dev/null || true
  if ((made_chain)); then
    iptables -w -t nat -F KUBE-SERVICES && iptables -w -t nat -X KUBE-SERVICES ||
      echo "foreign: could not remove the stand-in chain KUBE-SERVICES" >&2
  fi
  if ((made_ipset)); then
    ipset destroy "$ipset_name" || echo "foreign: could not remove the stand-in ipset $ipset_name" >&2
  fi
  [[ -n $work ]] && rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the stand-in other cluster ------------------------------------------------

sleep infinity </dev/null >/dev/null 2>&1 9>&- &
sleeper=$!
hierarchies=()
for h in cpu memory pids; do
  [[ -f /sys/fs/cgroup/$h/cgroup.procs && ! -f /sys/fs/cgroup/$h/cgroup.controllers ]] || continue # v1 only
  hierarchies+=("$h")
  d=/sys/fs/cgroup/$h/kubepods
  if [[ ! -d $d ]]; then mkdir "$d" && made_cgroups+=("$d"); fi
  mkdir "$d/$tag" && made_cgroups+=("$d/$tag")
  echo "$sleeper" >"$d/$tag/cgroup.procs"
done
((${#hierarchies[@]} > 0)) || die "no cgroup v1 hierarchy of cpu, memory or pids under /sys/fs/cgroup"
if ! iptables -w -t nat -S KUBE-SERVICES >/dev/null 2>&1; then
  iptables -w -t nat -N KUBE-SERVICES
  made_chain=1
fi
iptables -w -t nat -A KUBE-SERVICES -m comment --comment "$tag" -j RETURN
iptables -w -t nat -I PREROUTING -m comment --comment "$tag" -j KUBE-SERVICES
ipset list -n 2>/dev/null | grep -qx "$ipset_name" && die "an ipset $ipset_name exists already; not touching it"
ipset create "$ipset_name" hash:ip
made_ipset=1
ipset add "$ipset_name" 192.0.2.1
python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 10250))
s.listen()
print("listening", flush=True)
time.sleep(3600)
' </dev/null >/tmp/$tag.listener 2>&1 9>&- &
listener=$!
for ((i = 0; i < 50; i++)); do grep -q listening "/tmp/$tag.listener" 2>/dev/null && break; sleep 0.1; done
grep -q listening "/tmp/$tag.listener" || die "the stand-in listener on 127.0.0.1:10250 did not start: $(cat "/tmp/$tag.listener")"
rm -f "/tmp/$tag.listener"

# intact WHEN: every stand-in is as it was made.
intact() {
  local h
  kill -0 "$sleeper" 2>/dev/null || fail "$1: the stand-in's sleeping process $sleeper was killed"
  for h in "${hierarchies[@]}"; do
    grep -qx "$sleeper" "/sys/fs/cgroup/$h/kubepods/$tag/cgroup.procs" 2>/dev/null ||
      fail "$1: the stand-in's process is no longer in /sys/fs/cgroup/$h/kubepods/$tag"
  done
  iptables -w -t nat -S KUBE-SERVICES 2>/dev/null | grep -q -- "--comment $tag -j RETURN" ||
    fail "$1: the stand-in's rule in KUBE-SERVICES is gone"
  iptables -w -t nat -S PREROUTING 2>/dev/null | grep -q -- "--comment $tag -j KUBE-SERVICES" ||
    fail "$1: the stand-in's jump PREROUTING -> KUBE-SERVICES is gone"
  kill -0 "$listener" 2>/dev/null || fail "$1: the stand-in listener on 127.0.0.1:10250 was killed"
  ipset test "$ipset_name" 192.0.2.1 >/dev/null 2>&1 || fail "$1: the stand-in ipset $ipset_name or its entry is gone"
}
intact "before the rig"

# --- up refuses, naming each ----------------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/helm-todo-foreign.XXXXXX")
state=$work/rig # where up would put its state: it must not appear
if NODE_DIR=$state "$node" up >"$work/up.out" 2>&1; then
  fail "node.sh up started beside another cluster"
  NODE_DIR=$state "$node" down >/dev/null 2>&1 || true
fi
for want in "refusing to start" "cgroup /sys/fs/cgroup/${hierarchies[0]}/kubepods" \
    "iptables chain KUBE-SERVICES" "ipset $ipset_name" "listener tcp 127.0.0.1:10250"; do
  grep -qF -- "$want" "$work/up.out" || fail "node.sh up did not say \"$want\"; it said:"$'\n'"$(cat "$work/up.out")"
done
[[ -e $state ]] && fail "node.sh up refused but made its state directory $state"
intact "after node.sh up"
echo "foreign: node.sh up refused:"
sed 's/^/  /' "$work/up.out"

# --- down leaves them alone -------------------------------------------------------

NODE_DIR=$state "$node" down >"$work/down.out" 2>&1 || fail "node.sh down failed: $(cat "$work/down.out")"
intact "after node.sh down"

# --- NODE_DIR that is not the rig's ------------------------------------------------

theirs=$work/theirs
mkdir "$theirs"
echo "someone's work" >"$theirs/file"
for cmd in up down; do
  if NODE_DIR=$theirs "$node" "$cmd" >"$work/$cmd.out" 2>&1; then
    fail "NODE_DIR=$theirs node.sh $cmd succeeded on a directory the rig did not make"
  fi
  grep -qF "NODE_DIR=$theirs exists but is not the node rig's" "$work/$cmd.out" ||
    fail "NODE_DIR=$theirs node.sh $cmd did not name NODE_DIR; it said:"$'\n'"$(cat "$work/$cmd.out")"
  [[ $(cat "$theirs/file" 2>/dev/null) == "someone's work" ]] || fail "node.sh $cmd removed or changed $theirs/file"
  [[ $(ls -A "$theirs") == file ]] || fail "node.sh $cmd wrote into $theirs: $(ls -A "$theirs")"
done
intact "after NODE_DIR=$theirs"
echo "foreign: NODE_DIR=$theirs (a file in it) refused by up and down:"
sed 's/^/  /' "$work/up.out"

if ((fails)); then
  echo "foreign: FAIL ($fails)" >&2
  exit 1
fi
echo "foreign: PASS: up refused beside a stand-in cluster (kubepods in ${hierarchies[*]}, KUBE-SERVICES, ipset $ipset_name, :10250), down left it alone, a foreign NODE_DIR was refused"
