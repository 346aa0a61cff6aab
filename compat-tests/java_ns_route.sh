#!/usr/bin/env bash
# The real RocketMQ Java client (rocketmq-client 4.9.8) reads routes and
# cluster info from ferry-namesrv (java/NsRoute.java). A stand-in broker
# (lib/ns_register.py) registers the topic, since the broker's own remoting
# face is not written yet.
#
# env: FERRY_NAMESRV, FERRY_COMPAT_CACHE (lib/clients.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/clients.sh"
compat_java_prepare
bin=${FERRY_NAMESRV:?FERRY_NAMESRV must name the ferry-namesrv binary}
[ -x "$bin" ] || { echo "FAIL: $bin is not built"; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log=$(mktemp /tmp/ferry-namesrv.XXXXXX.log)
setpriv --pdeathsig KILL -- "$bin" --listenPort="$port" \
    --bindAddress=127.0.0.1 >"$log" 2>&1 &
ns=$!
reg=
trap 'kill -9 $ns ${reg:-} 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),1)" \
        2>/dev/null && break
    sleep 0.1
done
fifo=$(mktemp -u /tmp/ferry-nsreg.XXXXXX)
mkfifo "$fifo"
python3 "$here/lib/ns_register.py" "$port" TopicTest 8 broker-a >"$fifo" &
reg=$!
read -r -t 10 line <"$fifo" || true
rm -f "$fifo"
[ "$line" = registered ] || { cat "$log"; echo "FAIL: stand-in broker did not register"; exit 1; }
rc=0
timeout 90 java "${JAVA_LOG_OPTS[@]}" -Drocketmq.client.logUseSlf4j=true \
    -cp "$JAVA_CP" NsRoute "127.0.0.1:$port" TopicTest 8 broker-a || rc=$?
if [ "$rc" -ne 0 ]; then
    echo "---- ferry-namesrv log"; cat "$log"
    echo "FAIL: the Java RocketMQ client's route checks (rc=$rc)"
    exit 1
fi
echo "PASS: rocketmq-client reads routes and cluster info from ferry-namesrv"
