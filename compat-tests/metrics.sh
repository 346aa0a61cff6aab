#!/usr/bin/env bash
# Prometheus metrics (metricsPort): promtool (Debian's prometheus package)
# accepts the page, and the counters move by exactly what the test does:
# 50 messages produced with kcat raise ferry_topic_messages_in_total by 50,
# a kcat consumer reading them raises ferry_topic_messages_out_total by 50
# and the Produce/Fetch request counters; a committed group offset shows
# as ferry_consumer_group_lag 0, and 7 more messages make it 7.
# env: FERRY_BROKER
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
ferry_require kcat curl promtool
mport=$(free_port)
ferry_start --metricsPort="$mport" --metricsBindAddress=127.0.0.1 \
    --num.partitions=1 --auto.create.topics.enable=true
page=$FERRY_WORK/metrics.txt
scrape() {
    curl -fsS --max-time 10 "http://127.0.0.1:$mport/metrics" >"$page" ||
        fail "GET /metrics"
}
# value NAME LABELS: the sample's value, or 0 when absent
value() {
    awk -v want="$1{$2}" '$1 == want { print $2; found = 1 }
        END { if (!found) print 0 }' "$page"
}

scrape
promtool check metrics <"$page" >"$FERRY_WORK/promtool.out" 2>&1 || {
    cat "$FERRY_WORK/promtool.out" >&2; fail "promtool rejects the idle page"; }

for i in $(seq 1 50); do echo "k$i:v$i"; done |
    timeout 30 kcat -b "127.0.0.1:$FERRY_PORT" -t mtopic -P -K: ||
    fail "produce"
scrape
in=$(value ferry_topic_messages_in_total 'topic="mtopic"')
[ "$in" = 50 ] || fail "messages_in after 50 produced: $in"
produce=$(awk '/^ferry_requests_total\{protocol="kafka",api="Produce"/ { s += $2 } END { print s + 0 }' "$page")
[ "$produce" -ge 1 ] || fail "no Produce requests counted"

timeout 30 kcat -b "127.0.0.1:$FERRY_PORT" -G mgroup -o beginning -c 50 \
    -q -f '%s\n' mtopic >"$FERRY_WORK/consumed" ||
    fail "consume with group"
[ "$(wc -l <"$FERRY_WORK/consumed")" = 50 ] || fail "consumed $(wc -l <"$FERRY_WORK/consumed")"
# kcat commits on close; the broker writes the commit before answering it
scrape
out=$(value ferry_topic_messages_out_total 'topic="mtopic",protocol="kafka"')
[ "$out" -ge 50 ] || fail "messages_out after consuming 50: $out"
lag=$(value ferry_consumer_group_lag 'group="mgroup",topic="mtopic",queue="0"')
committed=$(value ferry_consumer_group_committed_offset 'group="mgroup",topic="mtopic",queue="0"')
[ "$committed" = 50 ] || fail "committed offset: $committed, want 50"
[ "$lag" = 0 ] || fail "lag after consuming everything: $lag"

for i in $(seq 1 7); do echo "more$i"; done |
    timeout 30 kcat -b "127.0.0.1:$FERRY_PORT" -t mtopic -P || fail "produce 7"
scrape
lag=$(value ferry_consumer_group_lag 'group="mgroup",topic="mtopic",queue="0"')
[ "$lag" = 7 ] || fail "lag after 7 more: $lag"
in=$(value ferry_topic_messages_in_total 'topic="mtopic"')
[ "$in" = 57 ] || fail "messages_in after 57 produced: $in"
end=$(value ferry_queue_end_offset 'topic="mtopic",queue="0"')
[ "$end" = 57 ] || fail "end offset: $end"
promtool check metrics <"$page" >"$FERRY_WORK/promtool.out" 2>&1 || {
    cat "$FERRY_WORK/promtool.out" >&2; fail "promtool rejects the page"; }
conns=$(value ferry_connections 'protocol="kafka"')
[ -n "$conns" ] || fail "no connection gauge"

# anything but /metrics is a 404, and the broker keeps serving
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$mport/nope")
[ "$code" = 404 ] || fail "GET /nope: $code"
printf 'GARBAGE\r\n\r\n' | timeout 5 python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.sendall(sys.stdin.buffer.read()); s.recv(100)' "$mport" || true
scrape
ferry_alive || fail "broker died"
ferry_stop
say "PASS: metrics page valid for promtool, counters follow the traffic"
