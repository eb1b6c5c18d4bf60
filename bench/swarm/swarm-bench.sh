#!/bin/bash
# swarm-bench.sh — time to distribute one file from 1 seed to N clients over a
# bandwidth-shaped, fully namespaced network on this one machine.
#
#   sudo ./swarm-bench.sh                      # defaults: all systems, 2 reps
#   ./swarm-bench.sh SYSTEMS="http aria2-bt" N=4 FILE_MIB=64 REPS=3
#   ./swarm-bench.sh MODE=calibrate            # shaping / CPU sanity check
#   ./swarm-bench.sh --help
#
# Topology (nothing is created in, or routed to, the root namespace):
#   ns swb-sw   : bridge br0 + switch ports p-seed, p-c1..p-cN
#   ns swb-seed : eth0 10.99.0.1/24   (veth peer of p-seed)
#   ns swb-cI   : eth0 10.99.0.(10+I)/24
#   upload  shaping: tbf on eth0 (host side)      egress = UP / SEED_UP
#   download shaping: tbf on p-<host> (switch side) egress = DOWN / SEED_DOWN
#   delay: netem on eth0 if the kernel has sch_netem (this one does not -> 0)
#   No default route exists in any namespace, so nothing can leave them.

set -uo pipefail
umask 022
SWB_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

PARAMS="MODE N FILE_MIB UP DOWN SEED_UP SEED_DOWN DELAY QUEUE_MS BURST_MIN_B BURST_MS
TCP_CC SYSTEMS REPS RUN_TIMEOUT SEED_READY_TIMEOUT PIECE_KIB OUT_DIR DRIVER_DIR
SUBNET NS_PREFIX KEEP_FILES FORCE_CLEAN VERBOSE"

usage() {
  cat <<EOF
usage: $0 [KEY=VALUE ...]      (or set them as environment variables)

Parameters (default):
  MODE=bench            bench | calibrate (single curl + N curls w/ unshaped seed)
  SYSTEMS="$DEF_SYSTEMS"   driver names = files $SWB_HOME/drivers/<name>.sh
  N=6                   number of clients
  FILE_MIB=64           payload size (random bytes), MiB
  UP=80mbit DOWN=80mbit client upload / download (tc units: kbit mbit gbit; SI)
  SEED_UP=80mbit SEED_DOWN=\$DOWN
  UP_<i>/DOWN_<i>       optional per-client override, e.g. UP_3=20mbit
  DELAY=5ms             one-way delay added on each host's egress (needs sch_netem)
  QUEUE_MS=50           tbf queue (latency) per shaped port
  BURST_MIN_B=65536 BURST_MS=2  tbf bucket = max(BURST_MIN_B, rate*BURST_MS)
  TCP_CC=inherit        congestion control for every namespace (inherit = host default;
                        a netns may only pick from tcp_allowed_congestion_control)
  REPS=2                repetitions per system
  RUN_TIMEOUT=150       s, per run (clients not done by then count as failed)
  SEED_READY_TIMEOUT=30 s
  PIECE_KIB=256         torrent piece size for BT drivers
  OUT_DIR=$SWB_HOME/results/<timestamp>
  SUBNET=10.99.0 NS_PREFIX=swb KEEP_FILES=0 FORCE_CLEAN=0 VERBOSE=0
  driver knobs: HTTP_PORT TRACKER_PORT ARIA2_EXTRA TR_UTP DRV_* SWB_CMD_* SHOAL_*

Output: lines "RESULT key=value ..." per run and "SUMMARY key=value ..." per
system on stdout (also in \$OUT_DIR/results.txt), then a human table.

Driver contract (drivers/<name>.sh, bash, sourced by lib/role.sh):
  drv_prepare     [opt] runs in the seed ns before the seed starts (make torrents, configs)
  drv_seed        [req] runs in the seed ns, long-running, foreground; killed at the end
  drv_seed_ready  [opt] polled in the seed ns until it returns 0 (default: sleep 1)
  drv_client      [req] runs in each client ns after a common start barrier. Either
                  exit 0 once \$SWB_CLIENT_OUT is complete (curl style), or run
                  \$SWB_MARK_DONE (hook) when complete and keep running (seeding).
  drv_client_done [opt] predicate polled every 0.1 s inside the client ns; when it
                  returns 0 the client is marked done (for agents without a hook)
  drv_cleanup     [opt] runs in the seed ns after all processes were killed
  Environment: SWB_N SWB_INDEX SWB_HOST SWB_HOST_IP SWB_SEED_IP SWB_CLIENT_IPS
  SWB_FILE_NAME SWB_FILE_SIZE SWB_FILE_SHA256 SWB_SEED_DIR SWB_SEED_FILE
  SWB_CLIENT_DIR SWB_CLIENT_OUT SWB_DRV_DIR SWB_LOG_DIR SWB_MARK_DONE
  SWB_DONE_FILE SWB_RUN_TIMEOUT SWB_HOME (+ anything you export yourself).
  The generic driver "cmd" wraps env vars SWB_CMD_PREPARE/SEED/SEED_READY/
  CLIENT/CLIENT_DONE/CLEANUP (bash -c strings) so a new system can be
  benchmarked without writing a file:  SYSTEMS=cmd SWB_CMD_SEED='...' ...
EOF
}

DEF_SYSTEMS="http aria2-bt"
for arg in "$@"; do
  case $arg in
    -h|--help) usage; exit 0 ;;
    *=*) k=${arg%%=*}
         if [[ " $(echo $PARAMS) " == *" $k "* || $k =~ ^(UP|DOWN)_[0-9]+$ || $k =~ ^(SWB_CMD_[A-Z_]+|DRV_[A-Z0-9_]+|SHOAL_[A-Z_]+|HTTP_PORT|TRACKER_PORT|ARIA2_EXTRA|TR_UTP|TR_DEBUG_FD)$ ]]; then
           export "$k=${arg#*=}"
         else echo "unknown parameter: $k (see --help)" >&2; exit 2; fi ;;
    *) echo "bad argument: $arg (see --help)" >&2; exit 2 ;;
  esac
done

MODE=${MODE:-bench}
N=${N:-6}
FILE_MIB=${FILE_MIB:-64}
UP=${UP:-80mbit}
DOWN=${DOWN:-80mbit}
SEED_UP=${SEED_UP:-80mbit}
SEED_DOWN=${SEED_DOWN:-$DOWN}
DELAY=${DELAY:-5ms}
QUEUE_MS=${QUEUE_MS:-50}
BURST_MIN_B=${BURST_MIN_B:-65536}
BURST_MS=${BURST_MS:-2}
TCP_CC=${TCP_CC:-inherit}
SYSTEMS=${SYSTEMS:-$DEF_SYSTEMS}
REPS=${REPS:-2}
RUN_TIMEOUT=${RUN_TIMEOUT:-150}
SEED_READY_TIMEOUT=${SEED_READY_TIMEOUT:-30}
PIECE_KIB=${PIECE_KIB:-256}
OUT_DIR=${OUT_DIR:-$SWB_HOME/results/$(date +%Y%m%d-%H%M%S)}
DRIVER_DIR=${DRIVER_DIR:-$SWB_HOME/drivers}
SUBNET=${SUBNET:-10.99.0}
NS_PREFIX=${NS_PREFIX:-swb}
KEEP_FILES=${KEEP_FILES:-0}
FORCE_CLEAN=${FORCE_CLEAN:-0}
VERBOSE=${VERBOSE:-0}
export PIECE_KIB

# never let any tool talk to a proxy (it would be outside the namespaces anyway)
unset http_proxy https_proxy ftp_proxy all_proxy HTTP_PROXY HTTPS_PROXY FTP_PROXY ALL_PROXY
export no_proxy='*' NO_PROXY='*'

log()  { echo "[$(date +%T)] $*" >&2; }
vlog() { [ "$VERBOSE" = 1 ] && log "$@"; return 0; }
die()  { log "ERROR: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (ip netns)"
[[ $N =~ ^[0-9]+$ ]] && (( N >= 1 && N <= 200 )) || die "N must be 1..200"
[[ $FILE_MIB =~ ^[0-9]+$ ]] && (( FILE_MIB >= 1 )) || die "FILE_MIB must be a positive integer"
for t in ip tc curl sha256sum awk setsid timeout ping; do
  command -v "$t" >/dev/null || die "missing tool: $t"
done

# ---------------------------------------------------------------- state ----
NS_SW="$NS_PREFIX-sw"
NS_SEED="$NS_PREFIX-seed"
declare -a NS_CREATED=()      # namespaces we created (deleted on exit)
declare -a PGIDS=()           # process groups we started (killed on exit)
SEED_IP="$SUBNET.1"
client_ip() { echo "$SUBNET.$((10 + $1))"; }

# ------------------------------------------------------------- helpers ----
# tc rate string -> bits/s (SI, like tc: kbit=1e3, mbit=1e6; *bps = bytes/s)
rate_bps() {
  awk -v r="$1" 'BEGIN{
    r=tolower(r); if (match(r,/^[0-9.]+/)==0) { print "NaN"; exit 1 }
    v=substr(r,1,RLENGTH); u=substr(r,RLENGTH+1); m=1
    if (u ~ /^k/) m=1e3; else if (u ~ /^m/) m=1e6; else if (u ~ /^g/) m=1e9; else if (u ~ /^t/) m=1e12
    if (u ~ /^.i/) m = (m==1e3?1024:(m==1e6?1048576:(m==1e9?1073741824:m)))
    if (u ~ /bps$/) m*=8
    printf "%.0f\n", v*m }'
}
up_of()   { local v="UP_$1";   echo "${!v:-$UP}"; }
down_of() { local v="DOWN_$1"; echo "${!v:-$DOWN}"; }
now_us()  { echo "${EPOCHREALTIME/./}"; }

kill_pgid() {  # kill one process group we started: TERM, wait (bounded), KILL
  local pg=$1 i
  kill -0 -- "-$pg" 2>/dev/null || return 0
  kill -TERM -- "-$pg" 2>/dev/null
  for ((i = 0; i < 30; i++)); do kill -0 -- "-$pg" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL -- "-$pg" 2>/dev/null
  for ((i = 0; i < 20; i++)); do kill -0 -- "-$pg" 2>/dev/null || return 0; sleep 0.1; done
  log "warning: process group $pg survived SIGKILL"
}
kill_all() {
  local pg
  for pg in "${PGIDS[@]}"; do kill -TERM -- "-$pg" 2>/dev/null; done
  for pg in "${PGIDS[@]}"; do kill_pgid "$pg"; done
  PGIDS=()
}

# start "$@" in namespace $1 as a new session; sets LAST_PG (= pid = pgid)
start_in_ns() {
  local ns=$1 logf=$2; shift 2
  setsid ip netns exec "$ns" "$@" >"$logf" 2>&1 </dev/null &
  LAST_PG=$!
  PGIDS+=("$LAST_PG")
}

topo_down() {
  local i ns
  for ((i = ${#NS_CREATED[@]} - 1; i >= 0; i--)); do
    ns=${NS_CREATED[$i]}
    # Only namespaces we created; any process still inside was started by us
    local pids; pids=$(ip netns pids "$ns" 2>/dev/null)
    if [ -n "$pids" ]; then
      log "warning: leftover pids in $ns: $pids (killing by pid)"
      kill -KILL $pids 2>/dev/null; sleep 0.2
    fi
    ip netns del "$ns" 2>/dev/null
  done
  NS_CREATED=()
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  kill_all
  topo_down
  [ -n "${PAYLOAD_DIR:-}" ] && [ "$KEEP_FILES" != 1 ] && rm -rf "$PAYLOAD_DIR"
  exit $rc
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM HUP

ns_add() {
  ip netns add "$1" || die "ip netns add $1 failed"
  NS_CREATED+=("$1")
  ip -n "$1" link set lo up
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
}

# tbf on dev $2 in ns $1 at rate $3; with $4=delay also a netem child (host egress only,
# so the one-way latency between two hosts is DELAY and their RTT is 2*DELAY)
shape() {
  local ns=$1 dev=$2 rate=$3 want_delay=${4:-} bps burst
  bps=$(rate_bps "$rate")
  burst=$(awk -v b="$bps" -v ms="$BURST_MS" -v mn="$BURST_MIN_B" 'BEGIN{x=b/8*ms/1000; if (x<mn) x=mn; printf "%d", x}')
  ip netns exec "$ns" tc qdisc replace dev "$dev" root handle 1: tbf rate "$bps"bit burst "$burst" latency "${QUEUE_MS}ms" \
    || die "tc tbf on $ns/$dev failed"
  if [ -n "$want_delay" ] && [ "$DELAY_EFF" != 0 ]; then
    # netem holds both the delay line and the queue in front of tbf: size it in packets
    local lim; lim=$(awk -v b="$bps" -v q="$QUEUE_MS" -v d="$DELAY" 'BEGIN{d+=0; x=b/8/1514*(q+d)/1000; if (x<1000) x=1000; printf "%d", x}')
    ip netns exec "$ns" tc qdisc add dev "$dev" parent 1:1 handle 10: netem delay "$DELAY" limit "$lim" \
      || die "netem on $ns/$dev failed"
  fi
}

# probe once whether netem exists (in a throwaway namespace of ours)
probe_netem() {
  DELAY_EFF=0
  case $DELAY in ""|0|0ms|0us) return ;; esac
  local ns="$NS_PREFIX-probe"
  ns_add "$ns"
  if ip netns exec "$ns" tc qdisc add dev lo root netem delay "$DELAY" 2>/dev/null; then
    DELAY_EFF=$DELAY
  else
    log "warning: sch_netem not available in this kernel -> DELAY=$DELAY ignored (delay_ms=0)"
  fi
  topo_down   # only the probe namespace exists at this point
}

topo_up() {
  local i host ns ip up down
  ns_add "$NS_SW"
  ip -n "$NS_SW" link add br0 type bridge || die "bridge"
  ip -n "$NS_SW" link set br0 up
  for ((i = 0; i <= N; i++)); do
    if (( i == 0 )); then host=seed; ip=$SEED_IP; up=$SEED_UP; down=$SEED_DOWN
    else host=c$i; ip=$(client_ip "$i"); up=$(up_of "$i"); down=$(down_of "$i"); fi
    ns="$NS_PREFIX-$host"
    ns_add "$ns"
    ip -n "$NS_SW" link add "p-$host" type veth peer name eth0 netns "$ns" || die "veth $host"
    ip -n "$NS_SW" link set "p-$host" master br0
    ip -n "$NS_SW" link set "p-$host" up
    ip -n "$ns" addr add "$ip/24" dev eth0
    ip -n "$ns" link set eth0 up
    if [ "$TCP_CC" != inherit ]; then
      ip netns exec "$ns" sysctl -qw net.ipv4.tcp_congestion_control="$TCP_CC" 2>/dev/null ||
        die "cannot set TCP_CC=$TCP_CC in a netns; only 'tcp_allowed_congestion_control' ($(cat /proc/sys/net/ipv4/tcp_allowed_congestion_control)) may be used there"
    fi
    CC_EFF=$(ip netns exec "$ns" cat /proc/sys/net/ipv4/tcp_congestion_control)
    shape "$ns" eth0 "$up" delay      # upload  (host egress) + optional delay
    shape "$NS_SW" "p-$host" "$down"  # download (switch-port egress)
  done
  # wait (bounded) until every client can reach the seed across the bridge
  for ((i = 1; i <= N; i++)); do
    local ok=0 k
    for ((k = 0; k < 50; k++)); do
      if ip netns exec "$NS_PREFIX-c$i" ping -c1 -W1 -q "$SEED_IP" >/dev/null 2>&1; then ok=1; break; fi
      sleep 0.1
    done
    (( ok )) || die "c$i cannot reach seed"
  done
}

# /proc/stat sampling: busy% over the interval between two calls
CPU_PREV_T=0 CPU_PREV_I=0
cpu_sample() {  # sets CPU_PCT (busy % over interval since previous sample)
  local l; read -r l </proc/stat
  # shellcheck disable=SC2086
  set -- $l
  local t=$(( $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 )) idle=$(( $5 + $6 ))
  local dt=$(( t - CPU_PREV_T )) di=$(( idle - CPU_PREV_I ))
  CPU_PCT=0; (( dt > 0 && CPU_PREV_T > 0 )) && CPU_PCT=$(( 100 * (dt - di) / dt ))
  CPU_PREV_T=$t CPU_PREV_I=$idle
}

# CPU ticks used by the system under test: all processes in our process groups
# (utime+stime+cutime+cstime) plus what the harness reaped from them (its cutime/cstime).
# Unlike /proc/stat this ignores unrelated load on the machine; it excludes softirq
# work (bridge/veth forwarding) done outside process context.
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
NCPU=$(nproc)
sut_ticks() {
  cat /proc/[0-9]*/stat 2>/dev/null | awk -v pgs=" ${PGIDS[*]} " -v self=$$ '
    { pid = $1; l = $0; sub(/^.*\) /, "", l); split(l, f, " ")
      if (index(pgs, " " f[3] " ")) t += f[12] + f[13] + f[14] + f[15]
      if (pid == self) t += f[14] + f[15] }
    END { printf "%d\n", t }'
}

bound_s() {  # D_min = max(F/u_s, F/d_min, N*F/(u_s + sum u_i)), seconds
  local i sum_up=0 dmin us
  us=$(rate_bps "$SEED_UP")
  dmin=$(rate_bps "$(down_of 1)")
  for ((i = 1; i <= N; i++)); do
    local u d; u=$(rate_bps "$(up_of "$i")"); d=$(rate_bps "$(down_of "$i")")
    sum_up=$(( sum_up + u )); (( d < dmin )) && dmin=$d
  done
  awk -v F="$FILE_BYTES" -v us="$us" -v dm="$dmin" -v n="$N" -v su="$sum_up" 'BEGIN{
    b=F*8; a=b/us; c=b/dm; e=n*b/(us+su); m=a; if(c>m)m=c; if(e>m)m=e; printf "%.3f\n", m }'
}

# ------------------------------------------------------------ one run -----
# run_one SYSTEM REP -> prints RESULT line, appends to results
run_one() {
  local sys=$1 rep=$2 drv="$DRIVER_DIR/$1.sh"
  [ -f "$drv" ] || die "no driver $drv"
  local rd="$OUT_DIR/runs/$sys-r$rep"
  rm -rf "$rd"; mkdir -p "$rd"/{seed,drv,logs,state}
  log "=== $sys rep $rep: topology (N=$N) ==="
  topo_up

  cp "$PAYLOAD" "$rd/seed/$FILE_NAME"
  local ips="" i
  for ((i = 1; i <= N; i++)); do ips+="$(client_ip "$i") "; done
  export SWB_HOME SWB_N=$N SWB_SEED_IP=$SEED_IP SWB_CLIENT_IPS="${ips% }" \
    SWB_FILE_NAME=$FILE_NAME SWB_FILE_SIZE=$FILE_BYTES SWB_FILE_SHA256=$FILE_SHA \
    SWB_SEED_DIR="$rd/seed" SWB_SEED_FILE="$rd/seed/$FILE_NAME" SWB_DRV_DIR="$rd/drv" \
    SWB_LOG_DIR="$rd/logs" SWB_MARK_DONE="$SWB_HOME/lib/mark-done" SWB_RUN_TIMEOUT=$RUN_TIMEOUT \
    SWB_GO_FILE="$rd/go" SWB_SYSTEM=$sys SWB_MAX_LIFETIME=$(( RUN_TIMEOUT + SEED_READY_TIMEOUT + 60 ))
  local role="$SWB_HOME/lib/role.sh"

  # prepare + seed (seed namespace)
  SWB_HOST=seed SWB_HOST_IP=$SEED_IP SWB_INDEX=0 \
    timeout 120 ip netns exec "$NS_SEED" bash "$role" "$drv" prepare >"$rd/logs/prepare.log" 2>&1 \
    || { log "$sys: prepare failed (see $rd/logs/prepare.log)"; RUN_FAILED=1; }
  local seed_pg="" t_ready0 ready=0
  if [ "${RUN_FAILED:-0}" = 0 ]; then
    SWB_HOST=seed SWB_HOST_IP=$SEED_IP SWB_INDEX=0 start_in_ns "$NS_SEED" "$rd/logs/seed.log" bash "$role" "$drv" seed
    seed_pg=$LAST_PG
    t_ready0=$(now_us)
    while (( $(now_us) - t_ready0 < SEED_READY_TIMEOUT * 1000000 )); do
      kill -0 "$seed_pg" 2>/dev/null || { log "$sys: seed exited early (see $rd/logs/seed.log)"; break; }
      if SWB_HOST=seed SWB_HOST_IP=$SEED_IP SWB_INDEX=0 timeout 10 ip netns exec "$NS_SEED" bash "$role" "$drv" seed_ready >>"$rd/logs/seed_ready.log" 2>&1; then
        ready=1; break
      fi
      sleep 0.2
    done
    (( ready )) || log "$sys: seed not ready after ${SEED_READY_TIMEOUT}s"
    vlog "seed ready after $(( ($(now_us) - t_ready0) / 1000 )) ms"
  fi

  # clients: start all, wait at barrier, then release
  declare -a cpg=()
  local t0=0 cpu_peak=0 cpu_t0 cpu_i0
  if (( ready )); then
    for ((i = 1; i <= N; i++)); do
      mkdir -p "$rd/c$i" "$rd/state/c$i"
      SWB_HOST=c$i SWB_INDEX=$i SWB_HOST_IP=$(client_ip "$i") SWB_CLIENT_DIR="$rd/c$i" \
        SWB_CLIENT_OUT="$rd/c$i/$FILE_NAME" SWB_STATE_DIR="$rd/state/c$i" SWB_DONE_FILE="$rd/state/c$i/done" \
        start_in_ns "$NS_PREFIX-c$i" "$rd/logs/c$i.log" bash "$role" "$drv" client
      cpg[$i]=$LAST_PG
    done
    sleep 0.5          # let every client process reach the barrier
    cpu_sample; cpu_t0=$CPU_PREV_T; cpu_i0=$CPU_PREV_I
    local sut0; sut0=$(sut_ticks)
    t0=$(now_us); : >"$rd/go"
    log "$sys rep $rep: released $N clients"
    local deadline=$(( t0 + RUN_TIMEOUT * 1000000 )) last_cpu=$t0 pending
    while :; do
      pending=0
      for ((i = 1; i <= N; i++)); do
        [ -s "$rd/state/c$i/done" ] && continue
        kill -0 "${cpg[$i]}" 2>/dev/null && [ ! -e "$rd/state/c$i/exit" ] && pending=$((pending + 1))
      done
      (( pending == 0 )) && break
      (( $(now_us) > deadline )) && { log "$sys: timeout with $pending clients pending"; break; }
      if (( $(now_us) - last_cpu >= 1000000 )); then
        cpu_sample; (( CPU_PCT > cpu_peak )) && cpu_peak=$CPU_PCT; last_cpu=$(now_us)
      fi
      sleep 0.1
    done
    local sut1 t_end; sut1=$(sut_ticks); t_end=$(now_us)
    local sut_pct; sut_pct=$(awk -v d=$(( sut1 - sut0 )) -v hz="$CLK_TCK" -v us=$(( t_end - t0 )) -v nc="$NCPU" \
      'BEGIN{ if (us <= 0) us = 1; printf "%.0f", 100 * d / hz / (us / 1e6) / nc }')
    local sut_s; sut_s=$(awk -v d=$(( sut1 - sut0 )) -v hz="$CLK_TCK" 'BEGIN{ printf "%.2f", d / hz }')
    cpu_sample; (( CPU_PCT > cpu_peak )) && cpu_peak=$CPU_PCT
    local cpu_avg=0; (( CPU_PREV_T > cpu_t0 )) && cpu_avg=$(( 100 * ((CPU_PREV_T - cpu_t0) - (CPU_PREV_I - cpu_i0)) / (CPU_PREV_T - cpu_t0) ))
  fi

  # verify (processes still alive: data must already be on disk at "done")
  local ok=0 times="" status=""
  for ((i = 1; i <= N; i++)); do
    local st=missing
    if [ -s "$rd/state/c$i/done" ] && [ -f "$rd/c$i/$FILE_NAME" ]; then
      local h; h=$(sha256sum "$rd/c$i/$FILE_NAME" | cut -d' ' -f1)
      if [ "$h" = "$FILE_SHA" ]; then
        st=ok; ok=$((ok + 1))
        local d; read -r d <"$rd/state/c$i/done"
        times+="$(awk -v a="$d" -v t="$t0" 'BEGIN{printf "%.3f", a - t/1e6}') "
      else st=badhash; fi
    elif [ -s "$rd/state/c$i/done" ]; then st=nofile
    elif [ -s "$rd/state/c$i/exit" ]; then st="exit$(cut -d' ' -f1 "$rd/state/c$i/exit")"; fi
    status+="c$i:$st "
  done
  kill_all
  SWB_HOST=seed SWB_HOST_IP=$SEED_IP SWB_INDEX=0 timeout 30 ip netns exec "$NS_SEED" bash "$role" "$drv" cleanup >"$rd/logs/cleanup.log" 2>&1
  topo_down
  [ "$KEEP_FILES" = 1 ] || rm -f "$rd"/seed/"$FILE_NAME" "$rd"/c*/"$FILE_NAME" "$rd"/c*/"$FILE_NAME".part 2>/dev/null

  local bound; bound=$(bound_s)
  local line
  if (( ok == N )); then
    line=$(echo "$times" | tr ' ' '\n' | awk -v b="$bound" -v F="$FILE_BYTES" 'NF{ n++; s+=$1; if(n==1||$1>mx)mx=$1; if(n==1||$1<mn)mn=$1 }
      END{ printf "max_s=%.2f mean_s=%.2f min_s=%.2f bound_s=%.3f ratio=%.2f", mx, s/n, mn, b, mx/b }')
  else
    line="max_s=NA mean_s=NA min_s=NA bound_s=$bound ratio=NA"
  fi
  line="RESULT system=$sys rep=$rep n=$N file_mib=$FILE_MIB up=$UP down=$DOWN seed_up=$SEED_UP delay=${DELAY_EFF} cc=${CC_EFF:-?} ok=$ok/$N $line cpu_avg_pct=${cpu_avg:-NA} cpu_peak_pct=${cpu_peak:-NA} sut_cpu_pct=${sut_pct:-NA} sut_cpu_s=${sut_s:-NA}"
  echo "$line" | tee -a "$OUT_DIR/results.txt"
  echo "$sys $rep times: $times" >>"$OUT_DIR/client_times.txt"
  vlog "status: $status"
  [ "$ok" = "$N" ] || log "$sys rep $rep: $status (logs: $rd/logs)"
  RUN_FAILED=0
}

summarize() {
  awk '
  /^RESULT/ {
    for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    s = f["system"]; if (!(s in seen)) { seen[s] = 1; order[++ns] = s }
    runs[s]++; n[s] = f["n"]; mib[s] = f["file_mib"]; bound[s] = f["bound_s"]
    if (f["max_s"] == "NA") { fails[s]++; next }
    k = ++cnt[s]; mx[s, k] = f["max_s"]; mean[s] += f["mean_s"]; cpu[s] += f["cpu_avg_pct"]; sut[s] += f["sut_cpu_pct"]
    if (f["cpu_peak_pct"] + 0 > peak[s]) peak[s] = f["cpu_peak_pct"] + 0
  }
  END {
    for (j = 1; j <= ns; j++) {
      s = order[j]; c = cnt[s] + 0
      if (c == 0) { printf "SUMMARY system=%s reps=%d ok_reps=0 n=%s file_mib=%s bound_s=%s max_s=NA\n", s, runs[s], n[s], mib[s], bound[s]; continue }
      # sort maxima
      for (a = 1; a <= c; a++) v[a] = mx[s, a] + 0
      for (a = 1; a <= c; a++) for (b = a + 1; b <= c; b++) if (v[b] < v[a]) { t = v[a]; v[a] = v[b]; v[b] = t }
      med = (c % 2) ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2
      printf "SUMMARY system=%s reps=%d ok_reps=%d n=%s file_mib=%s max_s_med=%.2f max_s_min=%.2f max_s_max=%.2f spread_pct=%.1f mean_s_avg=%.2f bound_s=%s ratio_med=%.2f ratio_min=%.2f ratio_max=%.2f cpu_avg_pct=%d cpu_peak_pct=%d sut_cpu_pct=%d\n",
        s, runs[s], c, n[s], mib[s], med, v[1], v[c], 100 * (v[c] - v[1]) / med, mean[s] / c, bound[s], med / bound[s], v[1] / bound[s], v[c] / bound[s], cpu[s] / c, peak[s], sut[s] / c
    }
  }' "$OUT_DIR/results.txt"
}

table() {
  echo
  printf '%-18s %5s %4s %9s %17s %8s %8s %7s %12s  %s\n' system reps n max_s_med "max_s[min..max]" mean_s bound_s ratio "ratio range" "cpu% (all/peak/sut)"
  awk '/^SUMMARY/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    if (f["max_s"] == "NA") { printf "%-18s %5s %4s %9s\n", f["system"], f["ok_reps"] "/" f["reps"], f["n"], "FAILED"; delete f; next }
    printf "%-18s %5s %4s %9s %17s %8s %8s %7s %12s  %s\n", f["system"], f["ok_reps"] "/" f["reps"], f["n"], f["max_s_med"],
      f["max_s_min"] ".." f["max_s_max"], f["mean_s_avg"], f["bound_s"], f["ratio_med"], f["ratio_min"] ".." f["ratio_max"], f["cpu_avg_pct"] "/" f["cpu_peak_pct"] "/" f["sut_cpu_pct"]
    delete f }' "$OUT_DIR/summary.txt"
}

# ---------------------------------------------------------------- main ----
leftover=$(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$NS_PREFIX-(sw|seed|probe|c[0-9]+)$" || true)
if [ -n "$leftover" ]; then
  if [ "$FORCE_CLEAN" = 1 ]; then
    for ns in $leftover; do NS_CREATED+=("$ns"); done; topo_down
  else
    die "leftover namespaces from an earlier run: $(echo $leftover) — rerun with FORCE_CLEAN=1"
  fi
fi

mkdir -p "$OUT_DIR" || die "cannot create $OUT_DIR"
: >"$OUT_DIR/results.txt"
PAYLOAD_DIR=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/swb-payload.XXXXXX")  # never inside the repository
FILE_NAME=payload.bin
PAYLOAD="$PAYLOAD_DIR/$FILE_NAME"
FILE_BYTES=$(( FILE_MIB * 1048576 ))
log "generating ${FILE_MIB} MiB random payload"
head -c "$FILE_BYTES" /dev/urandom >"$PAYLOAD" || die "payload"
FILE_SHA=$(sha256sum "$PAYLOAD" | cut -d' ' -f1)
probe_netem

{
  echo "# swarm-bench $(date -Is) kernel=$(uname -r) cpus=$(nproc)"
  echo "# MODE=$MODE N=$N FILE_MIB=$FILE_MIB UP=$UP DOWN=$DOWN SEED_UP=$SEED_UP SEED_DOWN=$SEED_DOWN DELAY=$DELAY(eff=$DELAY_EFF) QUEUE_MS=$QUEUE_MS TCP_CC=$TCP_CC REPS=$REPS PIECE_KIB=$PIECE_KIB"
} | tee "$OUT_DIR/params.txt" >&2

if [ "$MODE" = calibrate ]; then
  # 1) one client, one curl: goodput should be ~ min(SEED_UP, DOWN) * 1448/1514
  saveN=$N saveSU=$SEED_UP
  N=1; for r in $(seq 1 "$REPS"); do run_one http "$r"; done
  # 2) N clients, unshaped seed: each client limited by its own DOWN -> checks
  #    that N*DOWN aggregate does not saturate the CPUs
  N=$saveN SEED_UP=10gbit
  mv "$OUT_DIR/results.txt" "$OUT_DIR/results.n1.txt"; : >"$OUT_DIR/results.txt"
  for r in $(seq 1 "$REPS"); do run_one http "$r"; done
  SEED_UP=$saveSU
  { sed 's/system=http/system=curl-n1/' "$OUT_DIR/results.n1.txt"; sed 's/system=http/system=curl-nN-fastseed/' "$OUT_DIR/results.txt"; } >"$OUT_DIR/r.tmp"
  mv "$OUT_DIR/r.tmp" "$OUT_DIR/results.txt"
  echo "# expected ratio ~1.05 (TCP/IP header overhead 1514/1448) if CPU is not a bottleneck" >&2
else
  for r in $(seq 1 "$REPS"); do
    for sys in $SYSTEMS; do run_one "$sys" "$r"; done
  done
fi
summarize | tee "$OUT_DIR/summary.txt"
table | tee "$OUT_DIR/table.txt"
log "results in $OUT_DIR"
