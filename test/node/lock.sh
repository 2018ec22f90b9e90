# lock.sh: the node rig's one lock, sourced by every entry point that starts,
# stops or uses the rig (node.sh up/down, run.sh, make demo, the benches).
# There is one rig per machine: whoever holds the lock owns it.
#
# The lock is a flock on fd 9, held until the holder exits. A caller that
# holds it passes fd 9 down to the scripts it runs; flock on that same open
# file succeeds at once, so node.sh inside run.sh does not wait for itself.
# A process that outlives the holder must not keep fd 9, or the lock stays
# held with nobody to release it: start daemons with `9>&-`.
rig_lock_file=/tmp/node-rig.lock

# rig_lock WHO: take the lock (or keep the caller's); wait for another holder,
# naming it.
rig_lock() {
  if [[ $(readlink "/proc/$BASHPID/fd/9" 2>/dev/null) != "$rig_lock_file" ]]; then
    exec 9>>"$rig_lock_file"
  fi
  flock -n 9 && return 0
  echo "$1: waiting for the node rig lock $rig_lock_file, held by: $(rig_lock_holders)" >&2
  flock 9
}

# rig_lock_holders: the processes that have the lock file open, but this
# script (and the subshell running this).
rig_lock_holders() {
  local f p out= seen=" $$ $BASHPID "
  # Without fd 9, or the search would find itself.
  for f in $(exec 9>&-; exec find /proc/[0-9]*/fd -maxdepth 1 -lname "$rig_lock_file" 2>/dev/null); do
    p=${f#/proc/}
    p=${p%%/*}
    [[ $seen == *" $p "* ]] && continue
    seen+="$p "
    [[ -r /proc/$p/cmdline ]] || continue # gone since
    out+="pid $p ($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-80)) "
  done
  echo "${out:-nobody now}"
}
