#!/bin/sh
# faultline's node helper: copied onto every docker container and ssh host a run uses (POSIX sh, coreutils,
# util-linux, iptables). The harness runs it as root (through `docker exec`, or ssh + sudo) for everything
# that must happen on the node itself: starting detached servers, signalling their process trees, the
# firewall chain faults live in, clock offsets. A process is always named by pid AND kernel start time, so
# a pid recycled by another process is never signalled.
#   spawn LOG CWD USER CLOCKFILE|- SHIM|- -- ARGV...   start ARGV detached; prints "PID START"
#   signal SIG PID START                                 SIG to the tree (KILL waits until it is gone; STOP prints "PID START" per stopped process)
#   alive PID START | watch PID START                    exit 0 while alive | block until it is gone
#   clock FILE MS                                        write the clock shim's offset file in place
#   realclock DELTA_MS                                   move the system clock by DELTA_MS (date -s)
#   rules-init CHAIN | rules-flush CHAIN | rules-remove CHAIN    the firewall chain (jumped to from INPUT)
#   latency IP MS | latency-clear IP                     netem delay on the interface holding address IP
#   gobins FILE...                                       those FILEs that are Go programs
#   tar DIR                                              the regular files directly in DIR, as a tar stream
set -u
starttime() {
  read -r s <"/proc/$1/stat" 2>/dev/null || return 1
  s=${s##*) }
  # shellcheck disable=SC2086
  set -- $s
  echo "${20}"
}
state() { read -r s <"/proc/$1/stat" 2>/dev/null || return 1; s=${s##*) }; echo "${s%% *}"; }
alive() { st=$(state "$1") || return 1; [ "$st" != Z ] && [ "$(starttime "$1")" = "$2" ]; }
tree() {
  for f in /proc/[0-9]*/stat; do read -r s <"$f" 2>/dev/null || continue; p=${s%% *}; r=${s##*) }; echo "$p ${r#* }"; done |
    awk -v root="$1" '{ parent[$1] = $2 } END {
      n = 1; q[1] = root; seen[root] = 1
      for (i = 1; i <= n; i++) for (p in parent) if (parent[p] == q[i] && !(p in seen)) { seen[p] = 1; q[++n] = p }
      for (i = 1; i <= n; i++) print q[i]
    }'
}
cmd=${1:-}; [ $# -gt 0 ] && shift
case "$cmd" in
  spawn)
    log=$1; cwd=$2; user=$3; clock=$4; shim=$5; shift 6
    cd "$cwd" || exit 1
    if [ "$clock" != - ]; then LD_PRELOAD="$shim${LD_PRELOAD:+:$LD_PRELOAD}"; FAULTLINE_CLOCK_FILE=$clock; export LD_PRELOAD FAULTLINE_CLOCK_FILE; fi
    if [ "$user" != root ]; then set -- setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"; fi
    setsid "$@" >>"$log" 2>&1 </dev/null &
    pid=$!
    echo "$pid $(starttime "$pid")"
    ;;
  signal)
    sig=$1; pid=$2; start=$3
    alive "$pid" "$start" || exit 0
    case "$sig" in
      KILL)
        kill -STOP "$pid" 2>/dev/null
        pids=$(tree "$pid")
        # shellcheck disable=SC2086
        kill -KILL $pids 2>/dev/null; kill -CONT $pids 2>/dev/null
        i=0
        while [ $i -lt 200 ]; do
          left=0; for p in $pids; do st=$(state "$p") && [ "$st" != Z ] && left=1; done
          [ $left = 0 ] && exit 0
          sleep 0.05; i=$((i + 1))
        done
        echo "processes $pids still alive after SIGKILL" >&2; exit 1 ;;
      STOP)
        kill -STOP "$pid" 2>/dev/null
        for p in $(tree "$pid"); do kill -STOP "$p" 2>/dev/null && echo "$p $(starttime "$p")"; done ;;
      CONT) for p in $(tree "$pid"); do kill -CONT "$p" 2>/dev/null; done ;;
      *) kill -"$sig" "$pid" ;;
    esac
    ;;
  cont)   # PID START pairs from a STOP: continue those still alive
    while [ $# -ge 2 ]; do alive "$1" "$2" && kill -CONT "$1"; shift 2; done; exit 0 ;;
  alive) alive "$1" "$2" ;;
  watch) while alive "$1" "$2"; do sleep 0.2; done ;;
  clock) printf '%-31s\n' "$2" | dd of="$1" conv=notrunc status=none ;;
  realclock)
    n=$(date +%s%N); t=$((n + $1 * 1000000))
    date -u -s "@$((t / 1000000000)).$(printf %09d $((t % 1000000000)))" >/dev/null ;;
  rules-init)
    iptables -w -N "$1" 2>/dev/null
    iptables -w -C INPUT -j "$1" 2>/dev/null || iptables -w -I INPUT -j "$1" ;;
  rules-flush) iptables -w -F "$1" 2>/dev/null; exit 0 ;;
  rules-remove)
    while iptables -w -D INPUT -j "$1" 2>/dev/null; do :; done
    iptables -w -F "$1" 2>/dev/null; iptables -w -X "$1" 2>/dev/null; exit 0 ;;
  latency|latency-clear)
    dev=$(ip -o addr show to "$1" | awk '{ sub(/@.*/, "", $2); print $2; exit }')
    [ -n "$dev" ] || { echo "no interface holds $1" >&2; exit 1; }
    if [ "$cmd" = latency ]; then tc qdisc replace dev "$dev" root netem delay "$2ms"; else tc qdisc del dev "$dev" root 2>/dev/null; exit 0; fi ;;
  gobins) for f in "$@"; do [ -f "$f" ] && grep -qaF 'Go buildinf:' "$f" && echo "$f"; done; exit 0 ;;
  tar) cd "$1" && find . -maxdepth 1 -type f -print0 | tar --null -T - -cf - ;;
  *) echo "fl-node: unknown command ${cmd:-(none)}" >&2; exit 3 ;;
esac
