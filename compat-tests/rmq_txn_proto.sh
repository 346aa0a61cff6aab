#!/usr/bin/env bash
# Transactional messages in hand-made remoting frames (rmq_txn_proto.py):
# refusals of bad END_TRANSACTION requests, idempotent ends, a check-back
# seen byte by byte, and ends after a clean restart (the op log survived).
# env: FERRY_BROKER
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
rport=$(free_port)
args=(--listenPort="$rport" --auto.create.topics.enable=true
    --transactionCheckInterval=500 --transactionTimeOut=1000)
ferry_start "${args[@]}"
step 60 "rmq_txn_proto.py before" python3 "$here/rmq_txn_proto.py" before \
    "$rport" "$FERRY_WORK/state.json"
ferry_stop
ferry_start "${args[@]}"
step 60 "rmq_txn_proto.py after" python3 "$here/rmq_txn_proto.py" after \
    "$rport" "$FERRY_WORK/state.json"
ferry_stop
say "PASS: transactional messages byte by byte"
