#!/usr/bin/env bash
# node.sh up|down|status|leftovers: the real node rig.
#
#   up         start the control plane (test/cluster/cluster.sh, no fake node),
#              then a real node beside it: the registry on 127.0.0.1:5000,
#              containerd, the kubelet, kube-proxy, CoreDNS and kube-router's
#              NetworkPolicy controller; wait for the node to be Ready and
#              write $NODE_DIR/kubeconfig. Refuses, naming what it found,
#              where another cluster runs (KUBE-* chains, kube-router's
#              ipsets, kubepods cgroups, listeners on the rig's ports).
#   down       stop all of it and remove everything it made, and only that:
#              processes, mounts, network namespaces, links, iptables rules,
#              kube-router's ipsets, the cgroups under /helm-todo-rig and
#              $NODE_DIR. Safe to run twice and after a failed or half start.
#   status     say whether the rig is up; exit 1 when it is down.
#   leftovers  list what of a rig is still on the machine (with KWOK_WORKDIR
#              set, also processes of the control plane that ran there; the
#              test passes the one `up` used); exit 1 if anything is left.
#   chains     list the KUBE-*, CNI-* and HELM-TODO-* chains and kube-router's
#              ipsets on the machine (run.sh's list from before up, for
#              leftovers).
#
# up and down hold the rig lock (lock.sh) while they run.
#
# Environment: NODE_TOOLS (default <repo>/.tools/node, `make node-tools`),
# CLUSTER_TOOLS (default <repo>/.tools/cluster, `make cluster-tools`),
# NODE_DIR (default <repo>/.tools/node-rig): the rig's state. up makes this
# directory (it must not exist yet) and marks it; down removes it only when
# it carries that mark. Anything else there is refused.
#
# The rig's names and addresses are fixed (one rig per machine): the node is
# helm-todo-node with IP 10.245.0.1 on a veth whose peer lives in the network
# namespace helm-todo-node; pods get 10.246.0.0/24 on bridge htcni0 and routes
# only to the service range and the node IP (no default route, no masquerade).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=lock.sh
. "$here/lock.sh"
tools=${NODE_TOOLS:-$repo/.tools/node}
cluster_tools=${CLUSTER_TOOLS:-$repo/.tools/cluster}
state=${NODE_DIR:-$repo/.tools/node-rig}
[[ ${1:-} == up ]] && mkdir -p "$(dirname "$state")"
if [[ -d $(dirname "$state") ]]; then
  state=$(cd "$(dirname "$state")" && pwd -P)/$(basename "$state")
fi
marker=.helm-todo-node-rig # written by up into the state directory it made
kubeconfig=$state/kubeconfig
# Physical paths: processes are told apart by /proc/PID/exe, which has no symlinks.
[[ -d $tools ]] && tools=$(cd "$tools" && pwd -P)

node_name=helm-todo-node
netns=helm-todo-node
veth=htnode0 veth_peer=htnode1
node_ip=10.245.0.1 peer_ip=10.245.0.2
bridge=htcni0
pod_cidr=10.246.0.0/24 pod_gateway=10.246.0.1
service_cidr=10.0.0.0/24 # the API server's --service-cluster-ip-range
registry=127.0.0.1:5000
pause_ref=registry.k8s.io/pause:helm-todo # build-tools.sh
guard=HELM-TODO-NODE # our iptables chain
kube_router_health=20244 # kube-router's --health-port (it listens on every address)
cgroup_root=helm-todo-rig # the kubelet's --cgroup-root: the pods' cgroups are under /helm-todo-rig
runc=/usr/sbin/runc
cni_bin=/usr/lib/cni

die() { echo "node: $*" >&2; exit 1; }
say() { echo "node: $*"; }

# state_ours: go on only if NODE_DIR is absent or a state directory up made;
# anything else is someone's, and the rig never writes to or removes it.
state_ours() {
  [[ -L $state ]] &&
    die "NODE_DIR=$state is a symbolic link, not a state directory the rig made; point NODE_DIR at a path that does not exist yet: up makes it"
  [[ -e $state ]] || return 0
  [[ -d $state && -f $state/$marker ]] && return 0
  die "NODE_DIR=$state exists but is not the node rig's (it has no $marker): the rig keeps its state only in a directory it made, and does not touch this one; point NODE_DIR at a path that does not exist yet (default .tools/node-rig)"
}

# --- processes ---------------------------------------------------------------

# start NAME CMD...: run CMD in the background, logged and pid-filed; the
# command line goes beside the pid, so stop kills only that process, never
# whatever got the pid since.
start() {
  local name=$1; shift
  mkdir -p "$state/logs" "$state/pids"
  printf '%s\0' "$@" > "$state/pids/$name.cmdline"
  setsid "$@" </dev/null >>"$state/logs/$name.log" 2>&1 9>&- &
  echo $! > "$state/pids/$name"
}
running() { # running NAME PID: PID still runs the command start NAME ran
  # Through a pipe: /proc files report size 0, and cmp takes that as a difference.
  [[ $2 =~ ^[0-9]+$ ]] && cat "/proc/$2/cmdline" 2>/dev/null | cmp -s - "$state/pids/$1.cmdline"
}

stop() { # stop NAME: TERM the pid-filed process, KILL it after 10 s
  local f=$state/pids/$1 pid i
  [[ -f $f ]] || return 0
  pid=$(cat "$f")
  if running "$1" "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do running "$1" "$pid" || break; sleep 0.1; done
    running "$1" "$pid" && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$f" "$f.cmdline"
}

# Processes of the rig that outlive their pid file: containerd's shims (our
# binary, serving our containerd's socket) and the pods' processes, in the
# kubelet's cgroup root.
shim_pids() { # shim_pids [any]: ours, or with any: every shim of our binary
  local p exe args nl=$'\n'
  for p in /proc/[0-9]*; do
    exe=$(readlink "$p/exe" 2>/dev/null) || continue
    [[ $exe == "$tools/containerd-shim-runc-v2" ]] || continue
    args=$nl$(tr '\0' '\n' <"$p/cmdline" 2>/dev/null)$nl
    [[ ${1:-} == any || $args == *"$nl-address$nl$state/containerd/containerd.sock$nl"* ]] && echo "${p#/proc/}"
  done
  return 0
}
cgroup_dirs() { # the rig's cgroup directories in every hierarchy, deepest first
  local h
  for h in /sys/fs/cgroup/*/; do
    [[ -d $h$cgroup_root ]] && find "$h$cgroup_root" -depth -type d
  done
  return 0
}
pod_pids() {
  local d
  for d in $(cgroup_dirs); do cat "$d/cgroup.procs" 2>/dev/null || true; done | sort -u
}
# The kubelet refuses a --cgroup-root missing from any hierarchy it uses.
cgroup_root_up() {
  local h
  for h in /sys/fs/cgroup/*/; do
    mkdir -p "$h$cgroup_root"
  done
  # A new cpuset cgroup has no CPUs or memory nodes: its children could hold no task.
  h=/sys/fs/cgroup/cpuset
  if [[ -f $h/cpuset.cpus ]]; then
    cat "$h/cpuset.cpus" > "$h/$cgroup_root/cpuset.cpus"
    cat "$h/cpuset.mems" > "$h/$cgroup_root/cpuset.mems"
  fi
}

# --- configuration -----------------------------------------------------------

pki() { # the API server's client identity towards the kubelet, from our own CA
  local d=$state/pki
  mkdir -p "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=helm-todo-node-ca \
    -keyout "$d/kubelet-client-ca.key" -out "$d/kubelet-client-ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=kube-apiserver-kubelet-client" \
    -keyout "$d/apiserver-kubelet-client.key" -out "$d/apiserver-kubelet-client.csr" 2>/dev/null
  openssl x509 -req -days 2 -in "$d/apiserver-kubelet-client.csr" \
    -CA "$d/kubelet-client-ca.crt" -CAkey "$d/kubelet-client-ca.key" -CAcreateserial \
    -out "$d/apiserver-kubelet-client.crt" 2>/dev/null
}

kwokctl_config() { # the control plane's config plus the API server's kubelet flags
  local extra
  extra=$(cat <<EOF
- name: kube-apiserver
  extraArgs:
  # The node's host name resolves nowhere; reach the kubelet by its IP.
  - key: kubelet-preferred-address-types
    value: InternalIP
  - key: kubelet-client-certificate
    value: $state/pki/apiserver-kubelet-client.crt
  - key: kubelet-client-key
    value: $state/pki/apiserver-kubelet-client.key
  # The pods' route to the services is this range (the default, made sure of).
  - key: service-cluster-ip-range
    value: $service_cidr
EOF
)
  # Append to the first document's componentsPatches (it ends at the first ---).
  awk -v extra="$extra" '/^---$/ && !done { print extra; done = 1 } { print }' \
    "$repo/test/cluster/kwokctl.yaml" > "$state/kwokctl.yaml"
  grep -q '^componentsPatches:' "$state/kwokctl.yaml" ||
    die "test/cluster/kwokctl.yaml has no componentsPatches list to extend"
  # A LoadBalancer Service gets the node's IP, as k3d's servicelb and
  # MetalLB in layer-2 mode give one: kube-proxy then serves it there, so
  # the address answers from this machine (the simulated cluster's 127.0.0.1
  # would not: kube-proxy does not route loopback).
  sed -i "s/^        - ip: 127.0.0.1$/        - ip: $node_ip/" "$state/kwokctl.yaml"
  grep -q "^        - ip: $node_ip$" "$state/kwokctl.yaml" ||
    die "test/cluster/kwokctl.yaml's service-load-balancer stage has no ip: 127.0.0.1 to replace"
}

containerd_config() {
  local c=$state/containerd
  mkdir -p "$c/certs.d/$registry" "$state/cni/net.d"
  cat > "$c/config.toml" <<EOF
version = 3
root = "$c/root"
state = "$c/state"
temp = "$c/tmp"
disabled_plugins = ["io.containerd.nri.v1.nri"]

[grpc]
  address = "$c/containerd.sock"
[ttrpc]
  address = "$c/containerd.sock.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "$c/opt"

[plugins."io.containerd.grpc.v1.cri"]
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"

[plugins."io.containerd.cri.v1.runtime"]
  # Lowering oom_score_adj is denied here, even to root: without this every
  # pod sandbox fails ("can't get final child's PID from pipe: EOF").
  restrict_oom_score_adj = true
  # Pod network namespaces under our state dir, not /var/run/netns.
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.cri.v1.runtime".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
        BinaryName = "$runc"
        Root = "$c/runc"
        SystemdCgroup = false
  [plugins."io.containerd.cri.v1.runtime".cni]
    bin_dirs = ["$cni_bin"]
    conf_dir = "$state/cni/net.d"

[plugins."io.containerd.cri.v1.images"]
  snapshotter = "overlayfs"
  [plugins."io.containerd.cri.v1.images".pinned_images]
    sandbox = "$pause_ref"
  [plugins."io.containerd.cri.v1.images".registry]
    config_path = "$c/certs.d"
EOF
  # The rig's registry is plain http on loopback, where containerd runs.
  cat > "$c/certs.d/$registry/hosts.toml" <<EOF
server = "http://$registry"

[host."http://$registry"]
  capabilities = ["pull", "resolve"]
EOF
  cat > "$state/cni/net.d/10-helm-todo.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "helm-todo-node",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$bridge",
      "isGateway": true,
      "isDefaultGateway": false,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$state/cni/ipam",
        "ranges": [[{"subnet": "$pod_cidr", "gateway": "$pod_gateway"}]],
        "routes": [{"dst": "$service_cidr"}, {"dst": "$node_ip/32"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
}

kubelet_config() {
  mkdir -p "$state/kubelet" "$state/pod-logs"
  cat > "$state/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# This machine is cgroup v1 without systemd.
failCgroupV1: false
cgroupDriver: cgroupfs
# The pods' cgroups under one of the rig's own, not the machine's kubepods:
# down stops and removes only these.
cgroupRoot: /$cgroup_root
address: $node_ip
port: 10250
readOnlyPort: 0
healthzBindAddress: $node_ip
healthzPort: 10248
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: $state/pki/kubelet-client-ca.crt
authorization:
  mode: Webhook
clusterDomain: cluster.local
clusterDNS: [$node_ip]
resolvConf: ""
containerRuntimeEndpoint: unix://$state/containerd/containerd.sock
imageServiceEndpoint: unix://$state/containerd/containerd.sock
podLogsDir: $state/pod-logs
failSwapOn: false
# Lowering oom_score_adj is denied here; -999 would only log a failure.
oomScoreAdj: 0
rotateCertificates: false
serializeImagePulls: false
# A shared disk: evict only when it is really full.
evictionHard:
  memory.available: 100Mi
  nodefs.available: 1%
  imagefs.available: 1%
imageGCHighThresholdPercent: 99
imageGCLowThresholdPercent: 98
EOF
}

kube_proxy_config() {
  mkdir -p "$state/kube-proxy"
  cat > "$state/kube-proxy/config.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection:
  kubeconfig: $kubeconfig
hostnameOverride: $node_name
healthzBindAddress: $node_ip:10256
metricsBindAddress: $node_ip:10249
clusterCIDR: $pod_cidr
# Lowering oom_score_adj is denied here; -999 would only log a failure.
oomScoreAdj: 0
# NodePorts answer on the node IP only, not on every address of the machine.
nodePortAddresses: [$node_ip/32]
# Leave the conntrack sysctls as they are: some cannot be written here.
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
  udpTimeout: 0s
  udpStreamTimeout: 0s
EOF
}

coredns_config() {
  mkdir -p "$state/coredns"
  cat > "$state/coredns/Corefile" <<EOF
# cluster.local only; any other name is refused: there is no upstream.
cluster.local:53 {
    bind $node_ip
    ready $node_ip:8181
    health $node_ip:8080
    errors
    cache 5
    kubernetes cluster.local {
        kubeconfig $kubeconfig
    }
}
EOF
}

registry_config() {
  mkdir -p "$state/registry/data"
  cat > "$state/registry/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $state/registry/data
  delete:
    enabled: true
http:
  addr: $registry
EOF
}

# --- sysctls -------------------------------------------------------------------

# The kubelet sets vm.overcommit_memory, kernel.panic and kernel.panic_on_oops
# (and more) machine-wide; down puts back each value saved here before up
# changed it, so the machine is left as it was.
kubelet_sysctls="vm/overcommit_memory vm/panic_on_oom kernel/panic kernel/panic_on_oops kernel/keys/root_maxkeys kernel/keys/root_maxbytes"
sysctl_save() { # sysctl_save KEY...: remember KEY's value (the first one seen)
  local k
  for k in "$@"; do
    grep -q "^$k=" "$state/sysctls" 2>/dev/null || echo "$k=$(cat "/proc/sys/$k")" >> "$state/sysctls"
  done
}
sysctl_restore() {
  local k v
  [[ -f $state/sysctls ]] || return 0
  while IFS== read -r k v; do
    echo "$v" > "/proc/sys/$k" 2>/dev/null || echo "node: could not put back $k=$v" >&2
  done < "$state/sysctls"
}

# --- network -------------------------------------------------------------------

network_up() {
  ip netns add "$netns"
  ip link add "$veth" type veth peer name "$veth_peer" netns "$netns"
  ip addr add "$node_ip/30" dev "$veth"
  ip link set "$veth" up
  ip -n "$netns" addr add "$peer_ip/30" dev "$veth_peer"
  ip -n "$netns" link set "$veth_peer" up
  ip -n "$netns" link set lo up
  # The bridge CNI plugin turns forwarding on; down puts it back. Bridged
  # pod-to-pod replies must pass iptables, or a Service's reply comes back
  # from the pod IP instead of the ClusterIP and the connection is reset.
  sysctl_save net/ipv4/ip_forward
  sysctl_save net/bridge/bridge-nf-call-iptables
  echo 1 > /proc/sys/net/bridge/bridge-nf-call-iptables
  # Guards: the node IP answers only the machine itself (and CoreDNS, the
  # pods); pods reach each other, services and the node IP, nothing else.
  # They sit in the mangle table, which the packets pass before filter:
  # kube-router's jump is first in filter's INPUT and FORWARD and ACCEPTs
  # what a NetworkPolicy allows, so a guard there would be skipped.
  local ipt=(iptables -w -t mangle)
  "${ipt[@]}" -N "$guard"
  "${ipt[@]}" -A "$guard" -i lo -j RETURN
  "${ipt[@]}" -A "$guard" -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN
  "${ipt[@]}" -A "$guard" -i "$bridge" -p udp --dport 53 -j RETURN
  "${ipt[@]}" -A "$guard" -i "$bridge" -p tcp --dport 53 -j RETURN
  "${ipt[@]}" -A "$guard" -j DROP
  "${ipt[@]}" -I INPUT -d "$node_ip/32" -m comment --comment "$rule_comment" -j "$guard"
  "${ipt[@]}" -N "$guard-FWD"
  "${ipt[@]}" -A "$guard-FWD" -o "$bridge" -j RETURN
  "${ipt[@]}" -A "$guard-FWD" -j DROP
  "${ipt[@]}" -I FORWARD -i "$bridge" -m comment --comment "$rule_comment" -j "$guard-FWD"
}

# Rules of the rig in one table, as iptables-restore --noflush input: delete
# the rules elsewhere that jump to our chains or carry our comment, then
# flush and drop our chains. Ours: HELM-TODO-* by name, and the rules up adds
# elsewhere by comment. kube-proxy's and the kubelet's KUBE-*, kube-router's
# (KUBE-ROUTER-*, KUBE-POD-FW-*, KUBE-NWPLCY-*) and the CNI
# plugins' CNI-* (portmap's) have fixed names: they are ours only when they
# were not on the machine before up (up refuses to start beside any KUBE-*;
# podman's CNI plugins use the same CNI-* names). Without the list up took
# before it started, no KUBE-* or CNI-* chain is ours.
ours='(KUBE-[A-Z0-9-]*|CNI-[A-Za-z0-9-]*|HELM-TODO-[A-Z-]*)'
rule_comment="helm-todo node rig"
chains_before_file=$state/iptables-before
ours_awk='
  function mine(c) {
    if (c !~ ("^" ours "$")) return 0
    if (c ~ /^HELM-TODO-/) return 1
    return known && !(c in before)
  }
  function commented(l) { return index(l, "--comment \"" comment "\"") > 0 }
  BEGIN { nk = split(keep, k, " "); for (i = 1; i <= nk; i++) before[k[i]] = 1 }
'
sweep_table() { # sweep_table KNOWN BEFORE <SAVE-OUTPUT-OF-ONE-TABLE
  awk -v ours="$ours" -v known="$1" -v keep="$2" -v comment="$rule_comment" "$ours_awk"'
    /^\*/ { table = $0 }
    /^:/ { c = substr($1, 2); if (mine(c)) { chains[c] = 1; m++ } }
    /^-A / {
      if (mine($2)) next
      if (commented($0)) { sub(/^-A /, "-D "); dels[++n] = $0; next }
      for (i = 3; i <= NF; i++) if (($i == "-j" || $i == "-g") && mine($(i + 1))) { sub(/^-A /, "-D "); dels[++n] = $0; break }
    }
    END {
      if (!n && !m) exit
      print table
      for (i = 1; i <= n; i++) print dels[i]
      for (c in chains) print "-F " c
      for (c in chains) print "-X " c
      print "COMMIT"
    }'
}
left_table() { # left_table KNOWN BEFORE <SAVE-OUTPUT-OF-ONE-TABLE: our chains and jumps to them
  awk -v ours="$ours" -v known="$1" -v keep="$2" -v comment="$rule_comment" "$ours_awk"'
    /^:/ { if (mine(substr($1, 2))) print; next }
    /^-A / {
      if (mine($2) || commented($0)) { print; next }
      for (i = 3; i <= NF; i++) if (($i == "-j" || $i == "-g") && mine($(i + 1))) { print; break }
    }'
}
# The tables of one iptables family; a legacy table is only looked at when it
# exists, since looking creates it.
tables() {
  case $1 in
    iptables-legacy) cat /proc/net/ip_tables_names 2>/dev/null ;;
    ip6tables-legacy) cat /proc/net/ip6_tables_names 2>/dev/null ;;
    *) echo filter nat mangle raw ;;
  esac
}
families() {
  local fam
  for fam in iptables-nft ip6tables-nft iptables-legacy ip6tables-legacy; do
    command -v "$fam-save" >/dev/null && echo "$fam"
  done
  return 0
}
chains() { # every KUBE-*, CNI-* and HELM-TODO-* chain and kube-router ipset on the machine: FAMILY TABLE NAME, one a line
  local fam t
  for fam in $(families); do
    for t in $(tables "$fam"); do
      "$fam-save" -t "$t" 2>/dev/null | awk -v f="$fam" -v t="$t" -v ours="$ours" '/^:/ && substr($1, 2) ~ ("^" ours "$") { print f, t, substr($1, 2) }'
    done
  done
  router_ipsets | sed 's/^/ipset set /'
  return 0
}

# kube-router's ipsets: its NetworkPolicy controller names every set
# KUBE-SRC-* or KUBE-DST-* (inet6:… for IPv6, switched off here) and swaps
# through TMP-<16 base32> sets it destroys again. Like its chains, they stay
# after it stops; down destroys those that were not there before up.
router_ipsets_re='^(inet6:)?(KUBE-SRC-[A-Z2-7]+|KUBE-DST-[A-Z2-7]+|TMP-[A-Z2-7]{16})$'
router_ipsets() {
  command -v ipset >/dev/null || return 0
  ipset list -n 2>/dev/null | grep -E "$router_ipsets_re" || true
}
ipsets_down() {
  local s before
  [[ -f $chains_before_file ]] || return 0 # without the list, none is ours
  before=" $(before_in "$chains_before_file" ipset set)"
  for s in $(router_ipsets); do
    [[ $before == *" $s "* ]] && continue
    ipset destroy "$s" 2>/dev/null || echo "node: could not destroy ipset $s" >&2
  done
  return 0
}
ipsets_left() { # ipsets_left [BEFORE-FILE]: kube-router's ipsets not in the list, one a line
  local s before file=${1:-}
  [[ -n $file && -f $file ]] || return 0
  before=" $(before_in "$file" ipset set)"
  for s in $(router_ipsets); do
    [[ $before == *" $s "* ]] || echo "$s"
  done
  return 0
}
before_in() { # before_in FILE FAM TABLE: the chains FILE lists there, space separated
  awk -v f="$2" -v t="$3" '$1 == f && $2 == t { printf "%s ", $3 }' "$1"
}
iptables_down() {
  local fam t out known=0 before=
  [[ -f $chains_before_file ]] && known=1
  for fam in $(families); do
    for t in $(tables "$fam"); do
      ((known)) && before=$(before_in "$chains_before_file" "$fam" "$t")
      out=$("$fam-save" -t "$t" 2>/dev/null | sweep_table "$known" "$before") || true
      [[ -n $out ]] && { printf '%s\n' "$out" | "$fam-restore" -w --noflush || echo "node: could not remove $fam $t rules" >&2; }
    done
  done
  return 0
}
iptables_left() { # iptables_left [BEFORE-FILE]: our chains and the rules that jump to them, one a line
  local fam t known=0 before= file=${1:-}
  [[ -n $file && -f $file ]] && known=1
  for fam in $(families); do
    for t in $(tables "$fam"); do
      ((known)) && before=$(before_in "$file" "$fam" "$t")
      "$fam-save" -t "$t" 2>/dev/null | left_table "$known" "$before" | sed "s/^/$fam $t: /" || true
    done
  done
  return 0
}

# --- up ----------------------------------------------------------------------

# What the rig binds: PROTO PORT ADDRESS (any: another cluster's API server
# or kubelet there is reason enough to refuse, whatever its address).
# kwokctl picks free ports for the control plane itself.
binds="tcp 6443 any
tcp 10250 any
tcp 5000 127.0.0.1
tcp 10248 $node_ip
tcp 10249 $node_ip
tcp 10256 $node_ip
tcp 53 $node_ip
udp 53 $node_ip
tcp 8181 $node_ip
tcp 8080 $node_ip
tcp $kube_router_health any"

# others: what of another cluster (or anything the rig would take over or
# break) is on this machine, one a line. kube-proxy's and the kubelet's chain
# names are fixed, and kube-proxy in iptables mode deletes an nftables
# kube-proxy table on start: the rig cannot run beside such a cluster.
others() {
  local fam t h l
  for fam in $(families); do
    for t in $(tables "$fam"); do
      "$fam-save" -t "$t" 2>/dev/null |
        awk -v f="$fam" -v t="$t" '/^:KUBE-/ { print "iptables chain " substr($1, 2) " (" f ", table " t "): kube-proxy'"'"'s or a kubelet'"'"'s" }'
    done
  done
  router_ipsets | sed 's/^/ipset /; s/$/: kube-router'"'"'s/'
  if command -v nft >/dev/null; then
    nft list tables 2>/dev/null | awk '$1 == "table" && $3 == "kube-proxy" { print "nftables table " $2 " kube-proxy: kube-proxy'"'"'s" }'
  fi
  for h in /sys/fs/cgroup/*/; do
    find "$h" -mindepth 1 -maxdepth 3 -path "$h$cgroup_root" -prune -o \
      -type d \( -name kubepods -o -name kubepods.slice \) -print -prune 2>/dev/null |
      sed 's/^/cgroup /; s/$/: another kubelet'"'"'s pods/'
  done
  ss -Hltunp 2>/dev/null | awk -v binds="$binds" '
    BEGIN { n = split(binds, b, "\n"); for (i = 1; i <= n; i++) { split(b[i], f, " "); want[f[1] " " f[2]] = f[3] } }
    {
      local = $5; port = local; sub(/.*:/, "", port); addr = substr(local, 1, length(local) - length(port) - 1)
      gsub(/[][]/, "", addr); sub(/%.*/, "", addr)
      k = $1 " " port
      if (!(k in want)) next
      w = want[k]
      if (w == "any" || addr == w || addr == "*" || addr == "0.0.0.0" || addr == "::")
        print "listener " $1 " " local " " $7 ": the rig needs " (w == "any" ? "port " port : w ":" port)
    }'
  return 0
}

up_failed() {
  local keep
  keep=$(mktemp -d "${TMPDIR:-/tmp}/helm-todo-node-logs.XXXXXX")
  cp -r "$state/logs/." "$keep" 2>/dev/null || true
  echo "node: up failed; tearing down (the logs are kept in $keep)" >&2
  down_all quiet || true
}

wait_for() { # wait_for SECONDS WHAT CMD...: poll CMD until it succeeds
  local secs=$1 what=$2 i; shift 2
  for ((i = 0; i < secs * 5; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  die "$what did not come up in ${secs}s; logs: $state/logs/"
}

up() {
  local b found
  if [[ -f $state/up ]] && kubectl --kubeconfig "$kubeconfig" get --raw /readyz >/dev/null 2>&1; then
    die "the node rig is already up with KUBECONFIG=$kubeconfig; use it, or stop it first: make node-down"
  fi
  [[ $(id -u) == 0 ]] || die "the node rig needs root (cgroups, network namespaces, iptables)"
  down_all quiet # whatever a crashed run of the rig left, and only that
  found=$(others)
  if [[ -n $found ]]; then
    echo "node: refusing to start: this machine already runs another cluster, or something the rig would take over or break:" >&2
    echo "$found" | sed 's/^/  /' >&2
    die "the rig would kill, rewrite or collide with these; stop that cluster or process first (the rig touched none of them)"
  fi
  for b in kubelet kube-proxy containerd containerd-shim-runc-v2 ctr coredns kube-router pause.tar; do
    [[ -e "$tools/$b" ]] || die "$tools/$b is missing; run: make node-tools"
  done
  for b in etcd kube-apiserver kube-controller-manager kube-scheduler kwok kwokctl; do
    [[ -x "$cluster_tools/$b" ]] || die "$cluster_tools/$b is missing; run: make cluster-tools"
  done
  for b in "$runc" "$cni_bin/bridge" "$cni_bin/host-local" "$cni_bin/loopback" "$cni_bin/portmap" \
      /usr/bin/docker-registry /usr/sbin/iptables /usr/sbin/ipset /usr/bin/openssl; do
    [[ -x $b ]] || die "$b is missing; install the packages in .ci/apt-packages (apt-get install runc containernetworking-plugins docker-registry iptables ipset openssl)"
  done
  local start=$SECONDS
  mkdir "$state"
  echo "the helm-todo node rig's state: made by test/node/node.sh up, removed by node.sh down" >"$state/$marker"
  chains > "$chains_before_file"
  # From here on a failure (or an interrupt) tears everything down again.
  trap up_failed EXIT
  trap 'exit 130' INT TERM

  pki
  kwokctl_config
  say "starting the control plane"
  CLUSTER_TOOLS=$cluster_tools E2E_DIR=$state/cluster CLUSTER_CONFIG=$state/kwokctl.yaml CLUSTER_FAKE_NODES=0 \
    "$repo/test/cluster/cluster.sh" up >/dev/null 9>&-
  cp "$state/cluster/kubeconfig" "$kubeconfig"
  # Not a kwok cluster any more: a real node runs the pods. The context is
  # named for the rig, so helm-todo sees a plain cluster that advertises its
  # registry (kube-public/local-registry-hosting), as a user's would.
  kubectl --kubeconfig "$kubeconfig" config rename-context "$(kubectl --kubeconfig "$kubeconfig" config current-context)" "$node_name" >/dev/null

  say "starting the registry on $registry"
  registry_config
  start registry /usr/bin/docker-registry serve "$state/registry/config.yml"
  wait_for 20 "the registry" curl -fsS "http://$registry/v2/"

  network_up
  say "starting containerd"
  containerd_config
  # containerd finds its shim on PATH.
  PATH="$tools:$PATH" start containerd "$tools/containerd" --config "$state/containerd/config.toml"
  wait_for 30 containerd "$tools/ctr" --address "$state/containerd/containerd.sock" version
  local ctr=("$tools/ctr" --address "$state/containerd/containerd.sock" -n k8s.io)
  "${ctr[@]}" images import "$tools/pause.tar" >/dev/null
  "${ctr[@]}" images label "$pause_ref" io.cri-containerd.pinned=pinned >/dev/null

  say "starting the kubelet"
  kubelet_config
  cgroup_root_up
  sysctl_save $kubelet_sysctls
  start kubelet "$tools/kubelet" --config "$state/kubelet/config.yaml" --kubeconfig "$kubeconfig" \
    --root-dir "$state/kubelet/root" --cert-dir "$state/kubelet/pki" --hostname-override "$node_name" --node-ip "$node_ip" \
    --node-labels helm-todo.test/node=real
  wait_for 120 "the node" kubectl --kubeconfig "$kubeconfig" get node "$node_name"

  say "starting kube-proxy and CoreDNS"
  kube_proxy_config
  start kube-proxy "$tools/kube-proxy" --config "$state/kube-proxy/config.yaml"
  coredns_config
  start coredns "$tools/coredns" -conf "$state/coredns/Corefile"
  wait_for 30 CoreDNS curl -fsS "http://$node_ip:8181/ready"
  wait_for 30 kube-proxy curl -fsS "http://$node_ip:10256/healthz"
  kubectl --kubeconfig "$kubeconfig" wait --for=condition=Ready "node/$node_name" --timeout=120s >/dev/null

  # NetworkPolicy, enforced: kube-router's policy controller alone, on the
  # bridge CNI's traffic (-m physdev). Its service proxy, BGP router and CNI
  # stay off (kube-proxy, the bridge plugin and host routes do that here),
  # and with them its known advisories.
  say "starting kube-router (NetworkPolicy)"
  start kube-router "$tools/kube-router" --kubeconfig "$kubeconfig" --hostname-override "$node_name" \
    --run-firewall=true --run-router=false --run-service-proxy=false --run-loadbalancer=false \
    --enable-cni=false --enable-ipv6=false --service-cluster-ip-range "$service_cidr" \
    --health-port "$kube_router_health"
  wait_for 60 kube-router router_synced

  say "creating volumes and the local-registry-hosting ConfigMap"
  resources | kubectl --kubeconfig "$kubeconfig" apply -f - >/dev/null

  trap - EXIT INT TERM
  touch "$state/up"
  echo "$((SECONDS - start))" > "$state/start-seconds"
  say "up in $((SECONDS - start))s; KUBECONFIG=$kubeconfig; registry $registry"
}

# router_synced: kube-router answers its health check and has put its
# chains in place (its first full sync).
router_synced() {
  curl -fsS "http://127.0.0.1:$kube_router_health/healthz" &&
    iptables -w -t filter -S KUBE-ROUTER-FORWARD >/dev/null 2>&1 &&
    iptables -w -t filter -S KUBE-NWPLCY-DEFAULT >/dev/null 2>&1
}

# hostPath volumes on the node for claims of no storage class (the chart's
# in-cluster PostgreSQL), and KEP-1755's advertisement of the registry.
resources() {
  local i
  echo "apiVersion: v1"
  echo "kind: List"
  echo "items:"
  for i in 1 2 3 4; do
    mkdir -p "$state/volumes/$i"
    chmod 0777 "$state/volumes/$i" # any pod UID may write (fsGroup is not applied to hostPath)
    cat <<EOF
- apiVersion: v1
  kind: PersistentVolume
  metadata:
    name: node-volume-$i
    labels:
      helm-todo.test/volume: "true"
  spec:
    capacity:
      storage: 20Gi
    accessModes: [ReadWriteOnce]
    persistentVolumeReclaimPolicy: Retain
    storageClassName: ""
    hostPath:
      path: $state/volumes/$i
      type: Directory
    nodeAffinity:
      required:
        nodeSelectorTerms:
        - matchExpressions:
          - key: kubernetes.io/hostname
            operator: In
            values: [$node_name]
EOF
  done
  cat <<EOF
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: local-registry-hosting
    namespace: kube-public
  data:
    localRegistryHosting.v1: |
      host: "$registry"
      hostFromContainerRuntime: "$registry"
      help: "https://github.com/helm-todo/helm-todo#test-rig"
EOF
}

# --- down --------------------------------------------------------------------

mounts_under() { # mount points under $state, deepest first
  awk -v s="$state/" 'index($5, s) == 1 || $5 == substr(s, 1, length(s) - 1) { print $5 }' /proc/self/mountinfo |
    sed 's/\\040/ /g' | sort -r
}

down_all() { # down_all [quiet]
  local p i d
  # The node first, so nothing restarts what is being stopped.
  stop kubelet
  stop kube-router # before its rules go, or its next sync puts them back
  stop kube-proxy
  stop coredns
  stop containerd
  for ((i = 0; i < 3; i++)); do
    p=$( (shim_pids; pod_pids) | sort -u)
    [[ -z $p ]] && break
    kill -KILL $p 2>/dev/null || true
    sleep 0.5
  done
  stop registry
  # The wheelhouse index (apps.sh serve) keeps its pid in our state: stop it
  # before the state goes, or nothing could find it again.
  NODE_DIR=$state "$repo/test/node/apps.sh" stop || true
  # A killed shim leaves its socket in containerd's fixed /run/containerd/s;
  # the task's bundle names it (containerd 2.x: in bootstrap.json).
  for d in "$state"/containerd/state/io.containerd.runtime.v2.task/*/*/{address,bootstrap.json}; do
    [[ -f $d ]] || continue
    for p in $(grep -o 'unix://[^"]*' "$d"); do
      p=${p#unix://}
      [[ $p == /run/containerd/s/* ]] && rm -f "$p"
    done
  done
  # The directories go when empty (a shim of any containerd makes them again).
  rmdir /run/containerd/s /run/containerd 2>/dev/null || true
  # A killed process leaves its cgroup a moment later.
  for ((i = 0; i < 10; i++)); do
    for d in $(cgroup_dirs); do rmdir "$d" 2>/dev/null || true; done
    [[ -z $(cgroup_dirs) ]] && break
    sleep 0.5
  done
  # Mounts: the kubelet's root (bind-mounted onto itself), pod volumes,
  # containers' rootfs and shm, pod network namespaces.
  for ((i = 0; i < 3; i++)); do
    p=$(mounts_under)
    [[ -z $p ]] && break
    while read -r d; do umount "$d" 2>/dev/null || umount -l "$d" 2>/dev/null || true; done <<<"$p"
  done
  # Network: pod veths go with their namespaces; the bridge, our veth and
  # namespace, the rules; forwarding as it was.
  ip link del "$bridge" 2>/dev/null || true
  ip link del "$veth" 2>/dev/null || true
  ip netns del "$netns" 2>/dev/null || true
  iptables_down
  ipsets_down # after the rules that match on them
  sysctl_restore
  # libcni caches each attachment's result under /var/lib/cni/results by
  # network name (podman's are named otherwise); a killed pod leaves its file.
  # containerd's loopback attachment of the same sandbox is cni-loopback-ID-lo.
  for p in /var/lib/cni/results/helm-todo-node-*-eth0; do
    [[ -e $p ]] || continue
    d=${p#/var/lib/cni/results/helm-todo-node-}
    rm -f "$p" "/var/lib/cni/results/cni-loopback-${d%-eth0}-lo"
  done
  # The kubelet's legacy log links in /var/log/containers point into our state.
  for p in /var/log/containers/*.log; do
    [[ -L $p && $(readlink "$p") == "$state"/* ]] && rm -f "$p"
  done
  # The control plane (its own state lives under ours).
  if [[ -d $state/cluster ]]; then
    CLUSTER_TOOLS=$cluster_tools E2E_DIR=$state/cluster "$repo/test/cluster/cluster.sh" down >/dev/null ||
      echo "node: stopping the control plane failed" >&2
  fi
  if [[ -n $(mounts_under) ]]; then
    echo "node: mounts are left under $state; not removing it:" >&2
    mounts_under >&2
    return 1
  fi
  [[ -f $state/$marker ]] && rm -rf --one-file-system "$state"
  [[ ${1:-} == quiet ]] || say "down"
}

# Everything of a rig still on the machine, one a line.
leftovers() {
  set +e # a check that finds nothing is not a failure
  local p d
  for p in $(shim_pids any) $(pod_pids); do echo "process $p $(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)"; done
  for p in /proc/[0-9]*; do
    d=$(readlink "$p/exe" 2>/dev/null) || continue
    case $d in
      "$tools"/*) echo "process ${p#/proc/} $d" ;;
    esac
  done
  # The control plane's processes name its kwokctl work dir (cluster.sh) or
  # ours on their command lines; the bracket keeps grep from finding itself.
  local pat
  for d in "$state" ${KWOK_WORKDIR:+"$KWOK_WORKDIR"}; do
    pat="$(dirname "$d")/[$(basename "$d" | cut -c1)]$(basename "$d" | cut -c2-)"
    grep -l "$pat" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3 | sed 's/^/process (command line names the rig) /'
  done
  awk -v s="$state" 'index($5, s) == 1 { print "mount " $5 }' /proc/self/mountinfo
  ip netns list 2>/dev/null | awk -v n="$netns" '$1 == n { print "netns " $1 }'
  for d in "$bridge" "$veth"; do ip link show "$d" >/dev/null 2>&1 && echo "link $d"; done
  ip -o link show type veth 2>/dev/null | awk -v b="$bridge" '$0 ~ "master " b " " { print "link " $2 }'
  # KUBE-* and CNI-* chains count only against a list taken before up
  # (run.sh's, or the rig's own while it is up): others are someone else's.
  iptables_left "${NODE_CHAINS_BEFORE:-$chains_before_file}" | sed 's/^/iptables /'
  ipsets_left "${NODE_CHAINS_BEFORE:-$chains_before_file}" | sed 's/^/ipset /'
  cgroup_dirs | sed 's/^/cgroup /'
  for p in /var/lib/cni/results/helm-todo-node-*; do [[ -e $p ]] && echo "file $p"; done
  for p in /var/log/containers/*.log; do [[ -L $p && $(readlink "$p") == "$state"/* ]] && echo "link $p"; done
  [[ -f $state/$marker ]] && echo "dir $state"
  return 0
}

case "${1:-}" in
  up) rig_lock node; state_ours; up ;;
  down) rig_lock node; state_ours; down_all ;;
  chains) chains ;;
  status) if [[ -f $state/$marker && -f $state/up ]]; then echo "node: up, KUBECONFIG=$kubeconfig, registry $registry"; else echo "node: down"; exit 1; fi ;;
  leftovers)
    left=$(leftovers)
    if [[ -n $left ]]; then
      echo "node: left on the machine:"
      echo "$left"
      exit 1
    fi
    echo "node: nothing of the rig is left"
    ;;
  *) die "usage: node.sh up|down|status|leftovers|chains" ;;
esac
