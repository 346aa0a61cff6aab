#!/usr/bin/env bash
# ferry-namesrv over the remoting protocol (namesrv_proto.py): broker
# registration, routes, cluster info, topic lists, KV config, oneway
# requests, garbage closing only its own connection, and removal of a
# broker's routes when its connection closes. Then SIGTERM must stop the
# name server cleanly (exit 0).
#
# env: FERRY_NAMESRV (path of ferry-namesrv)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${FERRY_NAMESRV:?FERRY_NAMESRV must name the ferry-namesrv binary}
[ -x "$bin" ] || { echo "FAIL: $bin is not built"; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log=$(mktemp /tmp/ferry-namesrv.XXXXXX.log)
setpriv --pdeathsig KILL -- "$bin" --listenPort="$port" \
    --bindAddress=127.0.0.1 >"$log" 2>&1 &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),1)" \
        2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "FAIL: exited"; exit 1; }
    sleep 0.1
done
rc=0
timeout 60 python3 "$here/namesrv_proto.py" "$port" || rc=$?
kill -TERM "$pid"
st=0
timeout 10 tail --pid="$pid" -f /dev/null || st=1
wait "$pid" || st=$?
if [ "$rc" -ne 0 ] || [ "$st" -ne 0 ]; then
    echo "---- ferry-namesrv log"; cat "$log"
    echo "FAIL: protocol checks rc=$rc, exit status $st"
    exit 1
fi
echo "PASS: ferry-namesrv protocol checks, clean stop"
