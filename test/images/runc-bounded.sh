#!/usr/bin/env bash
# runc-bounded.sh: runc, but a container's capabilities are first cut down to
# this host's bounding set. dockerd.sh registers it as the default runtime
# of a private dockerd started with --bounded-runc (the minikube rig's).
#
# Why: `docker run --privileged` asks runc for every capability the daemon
# knows. In a sandbox whose bounding set lacks one (seen here: CapBnd
# 000001fffeffffff, no CAP_SYS_RESOURCE) runc fails with "unable to apply
# caps: operation not permitted". Dropping what the host cannot grant
# anyway changes nothing else; on a host with the full set this only execs
# runc.
#
# The OCI files runc reads are edited in place: the bundle's config.json
# for create/run, the --process file for exec. RUNC (default /usr/sbin/runc)
# is the runc called.
set -euo pipefail
runc=${RUNC:-/usr/sbin/runc}

# Capability numbers, linux/capability.h.
names=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
  LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER
  SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE
  SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP
  MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF
  CHECKPOINT_RESTORE)
bnd=$((16#$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)))
missing=()
for i in "${!names[@]}"; do
  ((bnd >> i & 1)) || missing+=("CAP_${names[i]}")
done
((${#missing[@]})) || exec "$runc" "$@"

bundle=$PWD process=
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
  --bundle | -b) bundle=${args[i + 1]:-} ;;
  --bundle=*) bundle=${args[i]#--bundle=} ;;
  --process | -p) process=${args[i + 1]:-} ;;
  --process=*) process=${args[i]#--process=} ;;
  esac
done

# drop FILE PATH: remove the missing capabilities from every set under PATH
# ("" or .process: where the OCI process object is) of FILE.
drop() {
  local file=$1 path=$2 tmp
  [[ -f $file ]] || return 0
  tmp=$file.bounded.$$
  jq --argjson drop "$(printf '%s\n' "${missing[@]}" | jq -R . | jq -s .)" \
    "if $path.capabilities then $path.capabilities |= with_entries(.value |= ((. // []) - \$drop)) else . end" \
    "$file" >"$tmp"
  mv "$tmp" "$file"
}

for a in "$@"; do
  case $a in
  create | run)
    drop "$bundle/config.json" .process
    break
    ;;
  exec)
    [[ -n $process ]] && drop "$process" ""
    break
    ;;
  esac
done
exec "$runc" "$@"
