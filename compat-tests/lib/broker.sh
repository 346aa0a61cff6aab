# shellcheck shell=bash
# Broker lifecycle for the compat tests: start ferry-broker on 127.0.0.1 with a
# free Kafka port and a fresh data dir, wait (bounded) until the port accepts,
# stop it with SIGTERM (SIGKILL after a timeout) and always on exit. On
# failure the broker log tail is printed. Source it from a bash script:
#
#   . "$(dirname "$0")/lib/broker.sh"
#   ferry_start --flushDiskType=SYNC_FLUSH    # sets FERRY_PORT, FERRY_PID
#   ... use 127.0.0.1:$FERRY_PORT ...
#   ferry_stop                                # fails unless exit status 0
#
# Inputs (env): FERRY_BROKER (path of ferry-broker, required),
# FERRY_EXTRA_ARGS (extra --key=value words for every start),
# FERRY_START_TIMEOUT (s, default 15), FERRY_STOP_TIMEOUT (s, default 20),
# FERRY_KEEP_WORK=1 keeps the temp dir after a passing run.

set -euo pipefail

FERRY_START_TIMEOUT=${FERRY_START_TIMEOUT:-15}
FERRY_STOP_TIMEOUT=${FERRY_STOP_TIMEOUT:-20}
FERRY_PID=
FERRY_PORT=${FERRY_PORT:-}
FERRY_STARTS=0
FERRY_LOG=

say() {
    printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2
}

fail() {
    say "FAIL: $*"
    exit 1
}

# step SECS WHAT CMD...: run CMD with a time limit, failing the test (named
# WHAT) on timeout or non-zero exit. Redirect CMD, not step, through
# STEP_IN/STEP_OUT/STEP_ERR (files), so failure messages stay visible:
#   STEP_OUT=out.txt step 60 "kcat -C" kcat -C ...
step() {
    local secs=$1 what=$2
    shift 2
    local rc=0
    # Unset STEP_OUT/STEP_ERR: inherit fd 1/2 as they are. (Opening
    # /dev/stdout with > would truncate the file a caller's stdout is
    # redirected to, wiping the log of a run by hand.)
    local out err
    if [ -n "${STEP_OUT:-}" ]; then exec {out}>"$STEP_OUT"; else exec {out}>&1; fi
    if [ -n "${STEP_ERR:-}" ]; then exec {err}>"$STEP_ERR"; else exec {err}>&2; fi
    timeout --kill-after=5 "$secs" "$@" <"${STEP_IN:-/dev/null}" \
        >&"$out" 2>&"$err" || rc=$?
    exec {out}>&- {err}>&-
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        fail "$what: timed out after ${secs}s"
    elif [ "$rc" -ne 0 ]; then
        fail "$what: exit status $rc"
    fi
}

free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

ferry_require() {
    [ -n "${FERRY_BROKER:-}" ] || fail "FERRY_BROKER is not set"
    [ -x "$FERRY_BROKER" ] ||
        fail "broker binary missing: $FERRY_BROKER (build target ferry-broker)"
    local t
    for t in python3 timeout setpriv "$@"; do
        command -v "$t" >/dev/null 2>&1 || [ -x "$t" ] ||
            fail "required tool missing: $t"
    done
}

FERRY_WORK=$(mktemp -d "${TMPDIR:-/tmp}/ferry-compat.XXXXXX")
FERRY_DATA=$FERRY_WORK/data

_ferry_on_exit() {
    local rc=$?
    set +e
    if [ -n "$FERRY_PID" ] && kill -0 "$FERRY_PID" 2>/dev/null; then
        kill -TERM "$FERRY_PID" 2>/dev/null
        _ferry_wait_gone "$FERRY_STOP_TIMEOUT" || kill -KILL "$FERRY_PID"
        wait "$FERRY_PID" 2>/dev/null
    fi
    if [ "$rc" -ne 0 ]; then
        ferry_log_tail
        say "work dir kept: $FERRY_WORK"
    elif [ "${FERRY_KEEP_WORK:-0}" = 1 ]; then
        say "work dir kept: $FERRY_WORK"
    else
        rm -rf "$FERRY_WORK"
    fi
    exit "$rc"
}
trap _ferry_on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ferry_log_tail() {
    local f
    for f in "$FERRY_WORK"/broker.*.log; do
        [ -f "$f" ] || continue
        echo "---- last 60 lines of $f ----" >&2
        tail -n 60 "$f" >&2
        echo "---- end of $f ----" >&2
    done
}

# 0 when the broker pid is gone or a zombie; 1 after $1 seconds.
_ferry_wait_gone() {
    local deadline=$((SECONDS + $1)) st
    while [ "$SECONDS" -lt "$deadline" ]; do
        if ! kill -0 "$FERRY_PID" 2>/dev/null; then
            return 0
        fi
        st=$(awk '{print $3}' "/proc/$FERRY_PID/stat" 2>/dev/null || echo X)
        [ "$st" = Z ] || [ "$st" = X ] && return 0
        sleep 0.1
    done
    return 1
}

ferry_port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$FERRY_PORT") 2>/dev/null
}

# ferry_start [--key=value ...]: start (or restart, same port and data dir).
# Segments are 4 MiB so that the tests roll over several of them; not
# smaller, since the broker caps maxMessageSize at half a segment (minus
# 64 KiB) and librdkafka sends batches of up to 1,000,000 bytes.
ferry_start() {
    ferry_require
    [ -z "$FERRY_PID" ] || fail "ferry_start: broker $FERRY_PID still running"
    [ -n "$FERRY_PORT" ] || FERRY_PORT=$(free_port)
    FERRY_STARTS=$((FERRY_STARTS + 1))
    FERRY_LOG=$FERRY_WORK/broker.$FERRY_STARTS.log
    mkdir -p "$FERRY_DATA"
    local args=(--storePathRootDir="$FERRY_DATA"
        --listeners="PLAINTEXT://127.0.0.1:$FERRY_PORT"
        --mappedFileSizeCommitLog=4194304 --logLevel=info
        --listenPort=0) # RocketMQ face off unless a test asks (port clashes)
    # shellcheck disable=SC2206
    [ -z "${FERRY_EXTRA_ARGS:-}" ] || args+=($FERRY_EXTRA_ARGS)
    args+=("$@")
    say "start #$FERRY_STARTS: $FERRY_BROKER ${args[*]}"
    # setpriv: the broker gets SIGKILL if this script dies without its trap
    # (e.g. killed by ctest's timeout), so no broker outlives its test.
    setpriv --pdeathsig KILL -- "$FERRY_BROKER" "${args[@]}" \
        </dev/null >"$FERRY_LOG" 2>&1 &
    FERRY_PID=$!
    local deadline=$((SECONDS + FERRY_START_TIMEOUT))
    while ! ferry_port_open; do
        if ! kill -0 "$FERRY_PID" 2>/dev/null; then
            local rc=0
            wait "$FERRY_PID" || rc=$?
            FERRY_PID=
            fail "broker exited with status $rc before accepting on" \
                "127.0.0.1:$FERRY_PORT"
        fi
        [ "$SECONDS" -lt "$deadline" ] ||
            fail "broker not accepting on 127.0.0.1:$FERRY_PORT" \
                "after ${FERRY_START_TIMEOUT}s"
        sleep 0.1
    done
    say "broker pid $FERRY_PID accepting on 127.0.0.1:$FERRY_PORT"
}

# ferry_stop: SIGTERM; the broker must exit 0 within FERRY_STOP_TIMEOUT.
ferry_stop() {
    [ -n "$FERRY_PID" ] || fail "ferry_stop: no broker running"
    kill -0 "$FERRY_PID" 2>/dev/null || {
        local rc=0
        wait "$FERRY_PID" || rc=$?
        FERRY_PID=
        fail "broker died before ferry_stop (exit status $rc)"
    }
    kill -TERM "$FERRY_PID"
    if ! _ferry_wait_gone "$FERRY_STOP_TIMEOUT"; then
        kill -KILL "$FERRY_PID" 2>/dev/null || true
        wait "$FERRY_PID" 2>/dev/null || true
        FERRY_PID=
        fail "broker ignored SIGTERM for ${FERRY_STOP_TIMEOUT}s (killed)"
    fi
    local rc=0
    wait "$FERRY_PID" || rc=$?
    FERRY_PID=
    [ "$rc" -eq 0 ] || fail "broker exit status $rc after SIGTERM, want 0"
    say "broker stopped cleanly"
}

# ferry_reap_killed: after someone sent SIGKILL to FERRY_PID, reap it.
ferry_reap_killed() {
    _ferry_wait_gone 10 || fail "broker $FERRY_PID still alive after SIGKILL"
    local rc=0
    wait "$FERRY_PID" || rc=$?
    FERRY_PID=
    [ "$rc" -eq 137 ] || fail "broker exit status $rc, want 137 (SIGKILL)"
}

ferry_kill9() {
    [ -n "$FERRY_PID" ] || fail "ferry_kill9: no broker running"
    kill -KILL "$FERRY_PID"
    ferry_reap_killed
}

ferry_alive() {
    [ -n "$FERRY_PID" ] && kill -0 "$FERRY_PID" 2>/dev/null
}
