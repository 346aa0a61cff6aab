#!/usr/bin/env bash
# Idempotent producer state survives a restart (idem_restart.py): a batch
# acknowledged before a SIGTERM restart, and again before a kill -9 restart,
# is answered with its original offset when retried and not appended twice.
#
# env: FERRY_BROKER
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"

for how in term kill; do
    rm -rf "$FERRY_DATA"
    ferry_start --auto.create.topics.enable=true --num.partitions=1
    out=$(python3 "$here/idem_restart.py" --port "$FERRY_PORT" --phase before)
    echo "$out"
    pid=$(echo "$out" | sed -n 's/^PID=//p')
    [ -n "$pid" ] || fail "no producer id from the first phase"
    if [ "$how" = term ]; then
        ferry_stop
    else
        ferry_kill9
    fi
    ferry_start --auto.create.topics.enable=true --num.partitions=1
    python3 "$here/idem_restart.py" --port "$FERRY_PORT" --phase after \
        --pid "$pid" || fail "after the $how restart"
    ferry_stop
done
say "PASS: idempotent producer state survives SIGTERM and kill -9 restarts"
