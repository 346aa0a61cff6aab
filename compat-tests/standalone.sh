#!/usr/bin/env bash
# ferry-broker --standalone: the embedded name server answers the remoting
# protocol (namesrv_proto.py) on its own port while the Kafka listener
# serves kcat, in one process that then stops cleanly on SIGTERM.
#
# env: FERRY_BROKER
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"

ferry_require kcat
nsport=$(free_port)
ferry_start --standalone --namesrvListenPort="$nsport" \
    --listenPort="$(free_port)" \
    --auto.create.topics.enable=true
step 60 "name server protocol checks" python3 "$here/namesrv_proto.py" "$nsport"
echo "k:standalone" | timeout 20 kcat -b "127.0.0.1:$FERRY_PORT" -t sa -P -K: ||
    fail "kcat produce"
got=$(timeout 20 kcat -b "127.0.0.1:$FERRY_PORT" -t sa -C -e -q -f '%k=%s\n')
[ "$got" = "k=standalone" ] || fail "kcat read back '$got'"
ferry_stop
say "PASS: standalone broker with embedded name server"
