#!/usr/bin/env bash
# Kafka produce/consume benchmark for ferry-broker, driven by librdkafka's
# rdkafka_performance, with a raw loopback-TCP reference measured in the same run.
#
#   tools/bench/kafka_bench.sh [-n MESSAGES] [-r RUNS] [--broker PATH]
#                              [--rdkafka-perf PATH] [--no-sync] [--no-tls | --tls-only]
#                              [--profile DIR]
#
# For each workload (100-byte messages; acks=1 uncompressed, acks=1 zstd under
# ASYNC_FLUSH, each over plain TCP and over TLS; acks=-1 uncompressed under SYNC_FLUSH)
# it starts a fresh broker on a free 127.0.0.1 port with a temporary data dir, then
# RUNS times: produces MESSAGES to a new single-partition topic, consumes them back
# from partition 0, and samples the broker's /proc/PID/stat around each phase. It
# prints the median of each column.
#
# Broker CPU is utime+stime of the broker process (all threads) over the phase,
# divided by CLK_TCK and scaled to one million messages. The tool's own rates are
# reported as printed by rdkafka_performance (its final summary line).
#
# TLS rows: the broker gets a PLAINTEXT and an SSL listener, with throw-away
# certificates from tools/tls/make-certs.sh (needs openssl); the clients connect to the
# SSL one (security.protocol=ssl, verifying against the test CA). --no-tls skips them,
# --tls-only runs only them (plus the SYNC row unless --no-sync).
#
# --profile DIR: after the measured runs of each ASYNC workload, do extra
# (unmeasured) runs under `perf stat`, `perf record -g` and `perf trace -s`, attached
# to the broker PID, and leave the reports in DIR.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MSGS=2000000
RUNS=5
SIZE=100
BROKER=""
RDPERF=""
DO_SYNC=1
DO_PLAIN=1
DO_TLS=1
PROFILE_DIR=""
PHASE_TIMEOUT=${PHASE_TIMEOUT:-180}   # seconds, any single produce/consume phase
RAW_SCALE=${RAW_SCALE:-10}            # raw-socket reference pushes this many runs' bytes

usage() { sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

while [ $# -gt 0 ]; do
    case "$1" in
        -n|--messages) MSGS=$2; shift 2 ;;
        -r|--runs) RUNS=$2; shift 2 ;;
        --broker) BROKER=$2; shift 2 ;;
        --rdkafka-perf) RDPERF=$2; shift 2 ;;
        --no-sync) DO_SYNC=0; shift ;;
        --no-tls) DO_TLS=0; shift ;;
        --tls-only) DO_PLAIN=0; DO_TLS=1; shift ;;
        --profile) PROFILE_DIR=$2; shift 2 ;;
        -h|--help) usage 0 ;;
        *) echo "unknown option: $1" >&2; usage 2 ;;
    esac
done
[ "$DO_PLAIN$DO_TLS" != 00 ] || { echo "--no-tls with --tls-only leaves nothing to run" >&2; exit 2; }

PY=$(command -v python3)
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# ---------------------------------------------------------------- tools
if [ -z "$BROKER" ]; then
    BDIR="$ROOT/build-bench"
    if [ ! -f "$BDIR/build.ninja" ]; then
        cmake -S "$ROOT" -B "$BDIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
            -DFERRY_TESTS=OFF >/dev/null
    fi
    cmake --build "$BDIR" --target ferry-broker >/dev/null
    BROKER="$BDIR/broker/ferry-broker"
fi
[ -x "$BROKER" ] || { echo "no broker binary at $BROKER" >&2; exit 1; }

if [ -z "$RDPERF" ]; then
    # shared/ sits beside the repository (see DEVELOPERS.md)
    shared_perf=$(cd "$(dirname "$0")/../../.." && pwd)/shared/tools/rdkafka-perf
    if [ -x "$shared_perf" ]; then
        RDPERF=$("$shared_perf" | tail -n1)
    else
        RDPERF=/var/cache/ferry-tools/librdkafka-2.0.2/examples/rdkafka_performance
    fi
fi
[ -x "$RDPERF" ] || { echo "no rdkafka_performance at $RDPERF" >&2; exit 1; }

TICKS=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/ferry-kbench.XXXXXX)
BPID=""
PORT=""
TLS_ARGS=()   # extra rdkafka_performance options of the current workload

stop_broker() {
    [ -n "$BPID" ] || return 0
    if kill -0 "$BPID" 2>/dev/null; then
        kill -TERM "$BPID" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$BPID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$BPID" 2>/dev/null || true
    fi
    wait "$BPID" 2>/dev/null || true
    BPID=""
}
cleanup() {
    stop_broker
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$DO_TLS" = 1 ]; then
    command -v openssl >/dev/null ||
        { echo "TLS rows need the openssl command (or pass --no-tls)" >&2; exit 1; }
    "$ROOT/tools/tls/make-certs.sh" "$WORK/certs" >/dev/null
fi

free_port() {
    "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_broker FLUSHTYPE [tls]  -> PORT is the port the clients use (the SSL one for tls)
start_broker() {
    local flush=$1 tls=${2:-} listen tlsopt=()
    rm -rf "$WORK/data"; mkdir -p "$WORK/data"
    PORT=$(free_port)
    listen="PLAINTEXT://127.0.0.1:$PORT"
    TLS_ARGS=()
    if [ "$tls" = tls ]; then
        local plain_port=$PORT
        while [ "$PORT" = "$plain_port" ]; do PORT=$(free_port); done
        listen="$listen,SSL://127.0.0.1:$PORT"
        tlsopt=(--ssl.certificate.location="$WORK/certs/server.pem"
                --ssl.key.location="$WORK/certs/server.key")
        TLS_ARGS=(-X security.protocol=ssl -X ssl.ca.location="$WORK/certs/ca.pem")
    fi
    "$BROKER" --storePathRootDir="$WORK/data" --listeners="$listen" "${tlsopt[@]}" \
        --flushDiskType="$flush" --num.partitions=1 --logLevel=warn \
        >"$WORK/broker.log" 2>&1 &
    BPID=$!
    for _ in $(seq 1 300); do
        if ! kill -0 "$BPID" 2>/dev/null; then
            echo "broker exited at start:" >&2; cat "$WORK/broker.log" >&2; exit 1
        fi
        if "$PY" -c "import socket,sys; socket.create_connection(('127.0.0.1',$PORT),0.2)" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    echo "broker not listening after 30 s" >&2; exit 1
}

# "utime stime minflt majflt" (ticks, ticks, count, count) of the broker
bstat() {
    sed 's/^.*) //' "/proc/$BPID/stat" | awk '{print $12, $13, $8, $10}'
}
# rchar/wchar of the broker (bytes through read()/write()-family calls)
bio() { awk '/^rchar|^wchar/{printf "%s ", $2} END{print ""}' "/proc/$BPID/io"; }
bctx() { awk '/^voluntary_ctxt|^nonvoluntary_ctxt/{printf "%s ", $2} END{print ""}' "/proc/$BPID/status"; }

median() { sort -g | awk '{a[NR]=$1} END{ if (NR==0) {print "-"; exit}
    if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }

# run_phase NAME CMD...  -> sets PH_OUT (tool output file) and PH_* deltas
run_phase() {
    local name=$1; shift
    local s0 s1 i0 i1 c0 c1
    s0=$(bstat); i0=$(bio); c0=$(bctx)
    PH_OUT="$WORK/$name.out"
    if ! timeout "$PHASE_TIMEOUT" "$@" >"$PH_OUT" 2>&1; then
        echo "phase $name failed or timed out (${PHASE_TIMEOUT}s):" >&2
        tail -n 5 "$PH_OUT" >&2
        return 1
    fi
    s1=$(bstat); i1=$(bio); c1=$(bctx)
    read -r PH_UT PH_ST PH_MINF PH_MAJF <<<"$(paste -d' ' <(echo "$s0") <(echo "$s1") |
        awk '{print $5-$1, $6-$2, $7-$3, $8-$4}')"
    read -r PH_RCHAR PH_WCHAR <<<"$(paste -d' ' <(echo "$i0") <(echo "$i1") |
        awk '{print $3-$1, $4-$2}')"
    read -r PH_VCS PH_NVCS <<<"$(paste -d' ' <(echo "$c0") <(echo "$c1") |
        awk '{print $3-$1, $4-$2}')"
}

produce_cmd() { # TOPIC ACKS CODEC
    local codec=()
    [ "$3" = none ] || codec=(-z "$3")
    echo "$RDPERF" -P -t "$1" -p 0 -s "$SIZE" -c "$MSGS" -b "127.0.0.1:$PORT" -a "$2" "${codec[@]}" \
        "${TLS_ARGS[@]}"
}
consume_cmd() { # TOPIC
    echo "$RDPERF" -C -t "$1" -p 0 -o beginning -e -b "127.0.0.1:$PORT" "${TLS_ARGS[@]}"
}

# "TLSv1.3 TLS_AES_256_GCM_SHA384" as negotiated by openssl s_client with the broker's
# SSL listener (the same OpenSSL defaults librdkafka uses; not necessarily identical)
tls_params() {
    openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$WORK/certs/ca.pem" \
        -servername localhost </dev/null 2>/dev/null |
        awk '/^New, /{print $2, $NF; exit}' | tr -d ,
}

# --------------------------------------------------------------- header
echo "== Ferry Kafka produce/consume benchmark"
echo "date:      $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine:   $(nproc) CPUs, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/{printf "%.0f GiB RAM", $2/1048576}' /proc/meminfo)"
echo "kernel:    $(uname -sr)"
echo "commit:    $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD -- broker store wire 2>/dev/null || echo ' (+ uncommitted changes in broker/ store/ wire/)')"
CCVER=$({ strings "$BROKER" 2>/dev/null || true; } | grep -m1 -E '^GCC: ' || true)
echo "broker:    $BROKER (${CCVER:-compiler unknown})"
echo "load tool: $RDPERF ($("$RDPERF" -h 2>&1 | grep -m1 -o 'librdkafka version [^ ]*' || true))"
echo "python:    $("$PY" --version 2>&1) (raw-socket reference)"
[ "$DO_TLS" = 1 ] && echo "tls:       $(openssl version) (openssl CLI); certificates from tools/tls/make-certs.sh (EC P-256)"
echo "workload:  $MSGS x $SIZE-byte messages per run, $RUNS runs, one new 1-partition topic per run"
echo "data dir:  $WORK/data ($(df -T "$WORK" | awk 'NR==2{print $2}'))"
echo

RESULTS="$WORK/results.txt"   # workload run p_msgs p_mb p_cpu c_msgs c_mb c_cpu p_sys p_minflt
: >"$RESULTS"

# bench_workload LABEL FLUSH ACKS CODEC [tls]
bench_workload() {
    local label=$1 flush=$2 acks=$3 codec=$4 tls=${5:-} run topic p_line c_line
    start_broker "$flush" "$tls"
    if [ "$tls" = tls ]; then
        echo "-- $label (flushDiskType=$flush, acks=$acks, compression=$codec, TLS: $(tls_params || true), broker pid $BPID, SSL port $PORT)"
    else
        echo "-- $label (flushDiskType=$flush, acks=$acks, compression=$codec, broker pid $BPID, port $PORT)"
    fi
    printf '%4s %11s %8s %9s %9s %9s %11s %8s %9s %9s\n' run prod_msg/s MB/s cpu_s/M usr_s/M sys_s/M \
        cons_msg/s MB/s cpu_s/M minflt/M
    for run in $(seq 1 "$RUNS"); do
        topic="bench-$label-$run-$$"
        # shellcheck disable=SC2046
        run_phase "p-$label-$run" $(produce_cmd "$topic" "$acks" "$codec") || return 1
        p_line=$(grep 'delivered' "$PH_OUT" | tail -n1)
        if ! grep -q "$MSGS delivered .* 0 failed" <<<"$p_line"; then
            echo "producer did not deliver all messages: $p_line" >&2; return 1
        fi
        local p_msgs p_mb p_ut=$PH_UT p_st=$PH_ST p_minf=$PH_MINF p_rchar=$PH_RCHAR
        p_msgs=$(sed -E 's/.* ([0-9]+) msgs\/s and ([0-9.]+) MB\/s.*/\1/' <<<"$p_line")
        p_mb=$(sed -E 's/.* ([0-9]+) msgs\/s and ([0-9.]+) MB\/s.*/\2/' <<<"$p_line")
        echo "$p_rchar" >"$WORK/last_rchar"

        # shellcheck disable=SC2046
        run_phase "c-$label-$run" $(consume_cmd "$topic") || return 1
        c_line=$(grep 'consumed in' "$PH_OUT" | tail -n1)
        if ! grep -q "^% $MSGS messages" <<<"$c_line"; then
            echo "consumer did not read all messages: $c_line" >&2; return 1
        fi
        local c_msgs c_mb
        c_msgs=$(sed -E 's/.*: ([0-9]+) msgs\/s \(([0-9.]+) MB\/s\).*/\1/' <<<"$c_line")
        c_mb=$(sed -E 's/.*: ([0-9]+) msgs\/s \(([0-9.]+) MB\/s\).*/\2/' <<<"$c_line")

        local scale p_cpu p_usr p_sys c_cpu minf
        scale=$(awk -v t="$TICKS" -v n="$MSGS" 'BEGIN{print 1e6/(t*n)}')
        p_cpu=$(awk -v a="$p_ut" -v b="$p_st" -v s="$scale" 'BEGIN{printf "%.3f", (a+b)*s}')
        p_usr=$(awk -v a="$p_ut" -v s="$scale" 'BEGIN{printf "%.3f", a*s}')
        p_sys=$(awk -v b="$p_st" -v s="$scale" 'BEGIN{printf "%.3f", b*s}')
        c_cpu=$(awk -v a="$PH_UT" -v b="$PH_ST" -v s="$scale" 'BEGIN{printf "%.3f", (a+b)*s}')
        minf=$(awk -v m="$p_minf" -v n="$MSGS" 'BEGIN{printf "%.0f", m*1e6/n}')
        printf '%4s %11s %8s %9s %9s %9s %11s %8s %9s %9s\n' "$run" "$p_msgs" "$p_mb" "$p_cpu" \
            "$p_usr" "$p_sys" "$c_msgs" "$c_mb" "$c_cpu" "$minf"
        echo "$label $run $p_msgs $p_mb $p_cpu $c_msgs $c_mb $c_cpu $p_usr $p_sys $minf $p_rchar" >>"$RESULTS"
    done
    if [ -n "$PROFILE_DIR" ] && [ "$flush" = ASYNC_FLUSH ]; then
        profile_workload "$label" "$acks" "$codec"
    fi
    stop_broker
    rm -rf "$WORK/data"
    echo
}

# attach TOOL-CMD... to the broker for one produce and one consume of a fresh topic
profile_phase() { # OUTBASE PHASE(p|c) TOPIC ACKS CODEC -- attacher args
    local out=$1 ph=$2 topic=$3 acks=$4 codec=$5; shift 6
    "$@" >"$out.txt" 2>&1 &
    local apid=$!
    sleep 1
    if [ "$ph" = p ]; then
        # shellcheck disable=SC2046
        timeout "$PHASE_TIMEOUT" $(produce_cmd "$topic" "$acks" "$codec") >/dev/null 2>&1 || true
    else
        # shellcheck disable=SC2046
        timeout "$PHASE_TIMEOUT" $(consume_cmd "$topic") >/dev/null 2>&1 || true
    fi
    kill -INT "$apid" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$apid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$apid" 2>/dev/null || true
    wait "$apid" 2>/dev/null || true
}

profile_workload() { # LABEL ACKS CODEC
    local label=$1 acks=$2 codec=$3 d t
    command -v perf >/dev/null || { echo "(no perf: skipping --profile)"; return 0; }
    mkdir -p "$PROFILE_DIR"
    d=$PROFILE_DIR/$label
    echo "   profiling $label into $d-* (unmeasured extra runs)"
    # the consume runs read back the topics written by the produce runs
    for ph in p c; do
        t="prof-$label-$$"
        profile_phase "$d-$ph-stat" $ph "$t-stat" "$acks" "$codec" -- \
            perf stat -e task-clock,page-faults,minor-faults,major-faults,context-switches,cpu-migrations -p "$BPID"
        profile_phase "$d-$ph-trace" $ph "$t-trace" "$acks" "$codec" -- \
            perf trace -s -p "$BPID" -o "$d-$ph-trace.summary"
        profile_phase "$d-$ph-record" $ph "$t-rec" "$acks" "$codec" -- \
            perf record -g -F 2000 -p "$BPID" -o "$d-$ph.perf.data"
        perf report -i "$d-$ph.perf.data" --no-children --sort symbol --stdio 2>/dev/null |
            grep -E '^ +[0-9.]+%' | head -n 40 >"$d-$ph-top.txt" || true
        perf report -i "$d-$ph.perf.data" --children --sort symbol --stdio -g none 2>/dev/null |
            grep -E '^ +[0-9.]+%' | head -n 60 >"$d-$ph-children.txt" || true
    done
}

# ------------------------------------------------------------ raw socket
# Reference: the same number of bytes the broker read from its socket during a produce
# run, pushed over one loopback TCP connection into a sink that reads and discards.
# The sink reports its own CPU (os.times) from accept() to EOF.
write_sink() {
    cat >"$WORK/rawsink.py" <<'EOF'
import os, socket, sys, time, resource
rs, total = int(sys.argv[1]), int(sys.argv[2])
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(1)
port = ls.getsockname()[1]
pid = os.fork()
if pid == 0:  # sender: 256 KiB sendall() calls
    ls.close()
    s = socket.create_connection(("127.0.0.1", port))
    chunk = memoryview(b"x" * 262144); left = total
    while left > 0:
        n = min(left, len(chunk)); s.sendall(chunk[:n]); left -= n
    s.close(); os._exit(0)
c, _ = ls.accept()
buf = bytearray(rs); got = 0
t0 = os.times(); f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt; w0 = time.monotonic()
while True:
    k = c.recv_into(buf)
    if not k: break
    got += k
w1 = time.monotonic(); t1 = os.times(); f1 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
os.waitpid(pid, 0)
print(got, w1 - w0, t1.user - t0.user, t1.system - t0.system, f1 - f0)
EOF
}
write_sink

# ------------------------------------------------------------------ main
if [ "$DO_PLAIN" = 1 ]; then
    bench_workload acks1-none ASYNC_FLUSH 1 none
    bench_workload acks1-zstd ASYNC_FLUSH 1 zstd
fi
if [ "$DO_TLS" = 1 ]; then
    bench_workload acks1-none-tls ASYNC_FLUSH 1 none tls
    bench_workload acks1-zstd-tls ASYNC_FLUSH 1 zstd tls
fi
[ "$DO_SYNC" = 1 ] && bench_workload acksall-sync SYNC_FLUSH -1 none

RAW_BYTES=$(awk '$1=="acks1-none"{print $12}' "$RESULTS" | median)
RAW_BYTES=${RAW_BYTES%.*}
[ -n "$RAW_BYTES" ] && [ "$RAW_BYTES" != "-" ] || RAW_BYTES=$((MSGS * SIZE))
# push RAW_SCALE times those bytes so the CPU time is well above the 1/CLK_TCK grain
RAW_TOTAL=$((RAW_BYTES * RAW_SCALE))
echo "-- raw loopback TCP sink: $RAW_SCALE x $RAW_BYTES bytes per run (= ${RAW_SCALE} x broker rchar of one"
echo "   uncompressed produce run of $MSGS messages), python recv_into; per million equivalent messages"
printf '%9s %4s %10s %9s %9s %9s %9s\n' readsize run MB/s 'eq_msg/s' cpu_s/M usr_s/M sys_s/M
for rs in 65536 4096; do
    for run in $(seq 1 "$RUNS"); do
        read -r got secs ut st _minf <<<"$(timeout "$PHASE_TIMEOUT" "$PY" "$WORK/rawsink.py" "$rs" "$RAW_TOTAL")"
        [ "$got" = "$RAW_TOTAL" ] || { echo "raw sink got $got of $RAW_TOTAL bytes" >&2; exit 1; }
        # equivalent messages: MSGS per RAW_BYTES (the bytes of one produce run)
        awk -v rs="$rs" -v r="$run" -v g="$got" -v s="$secs" -v u="$ut" -v y="$st" -v n="$((MSGS * RAW_SCALE))" 'BEGIN{
            printf "%9s %4s %10.1f %9.0f %9.3f %9.3f %9.3f\n", rs, r, g/s/1e6, n/s, (u+y)*1e6/n, u*1e6/n, y*1e6/n}' |
            tee -a "$WORK/raw.txt"
    done
done
echo

# ---------------------------------------------------------------- medians
echo "== medians over $RUNS runs ($MSGS x $SIZE B messages; CPU = broker utime+stime per 1e6 messages)"
printf '%-14s %11s %8s %9s %9s %9s %11s %8s %9s %10s\n' workload prod_msg/s MB/s cpu_s/M usr_s/M sys_s/M \
    cons_msg/s MB/s cpu_s/M minflt/M
for w in acks1-none acks1-zstd acks1-none-tls acks1-zstd-tls acksall-sync; do
    grep -q "^$w " "$RESULTS" || continue
    printf '%-14s' "$w"
    for col in 3:11 4:8 5:9 9:9 10:9 6:11 7:8 8:9 11:10; do
        printf ' %*s' "${col#*:}" "$(awk -v c="${col%:*}" -v w="$w" '$1==w{print $c}' "$RESULTS" | median)"
    done
    echo
done
for rs in 65536 4096; do
    printf '%-14s %11s %8s %9s %9s %9s\n' "raw-tcp-$((rs / 1024))K" \
        "$(awk -v rs=$rs '$1==rs{print $4}' "$WORK/raw.txt" | median)" \
        "$(awk -v rs=$rs '$1==rs{print $3}' "$WORK/raw.txt" | median)" \
        "$(awk -v rs=$rs '$1==rs{print $5}' "$WORK/raw.txt" | median)" \
        "$(awk -v rs=$rs '$1==rs{print $6}' "$WORK/raw.txt" | median)" \
        "$(awk -v rs=$rs '$1==rs{print $7}' "$WORK/raw.txt" | median)"
done
