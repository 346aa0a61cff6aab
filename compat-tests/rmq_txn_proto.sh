#!/usr/bin/env bash
# Transactional messages in hand-made remoting frames (rmq_txn_proto.py):
# refusals of bad END_TRANSACTION requests, idempotent ends, a check-back
# seen byte by byte, the transaction metrics (promtool-valid), and ends
# after a clean restart (the op log survived) that read the half queue
# only from the progress mark.
# env: FERRY_BROKER
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
ferry_require curl promtool
rport=$(free_port)
mport=$(free_port)
args=(--listenPort="$rport" --auto.create.topics.enable=true
    --transactionCheckInterval=500 --transactionTimeOut=1000
    --metricsPort="$mport" --metricsBindAddress=127.0.0.1)
ferry_start "${args[@]}"
step 60 "rmq_txn_proto.py before" python3 "$here/rmq_txn_proto.py" before \
    "$rport" "$FERRY_WORK/state.json"
# the metrics follow: 4 halves, 2 commits (one from a check), 1 rollback,
# 1 pending, at least one check
page=$FERRY_WORK/metrics.txt
curl -fsS --max-time 10 "http://127.0.0.1:$mport/metrics" >"$page" ||
    fail "metrics page"
promtool check metrics <"$page" >"$FERRY_WORK/promtool.out" 2>&1 || {
    cat "$FERRY_WORK/promtool.out" >&2; fail "promtool rejects the page"; }
for want in 'ferry_rmq_transactions_pending 1' \
    'ferry_rmq_transactions_total{outcome="half"} 4' \
    'ferry_rmq_transactions_total{outcome="commit"} 2' \
    'ferry_rmq_transactions_total{outcome="rollback"} 1' \
    'ferry_rmq_transactions_total{outcome="given_up"} 0'; do
    grep -qxF "$want" "$page" || { grep ferry_rmq_trans "$page" >&2; fail "metrics lack: $want"; }
done
checks=$(awk '$1 == "ferry_rmq_transaction_checks_total" {print $2}' "$page")
[ "${checks:-0}" -ge 1 ] || fail "ferry_rmq_transaction_checks_total is ${checks:-absent}"
say "transaction metrics follow the traffic"
sleep 2 # two check runs and a flush: the progress file moves past the ended
ferry_stop
ferry_start "${args[@]}"
for _ in $(seq 50); do
    grep -q "half records (from offset" "$FERRY_LOG" && break
    sleep 0.1
done
grep -qE "half records \(from offset [1-9]" "$FERRY_LOG" || {
    grep "transactions:" "$FERRY_LOG" >&2
    fail "the restart read the half queue from 0 despite the progress file"; }
step 60 "rmq_txn_proto.py after" python3 "$here/rmq_txn_proto.py" after \
    "$rport" "$FERRY_WORK/state.json"
ferry_stop
say "PASS: transactional messages byte by byte"
