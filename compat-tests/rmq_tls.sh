#!/usr/bin/env bash
# TLS on the RocketMQ side: the broker's remoting ports (listenPort and the
# old VIP port listenPort-2), the embedded name server and ferry-namesrv,
# with RocketMQ's tls.server.mode.
#
#   rmq_tls.sh probe   rmq_tls_probe.py (Python ssl) against
#     1. ferry-broker --standalone with only a certificate (permissive by
#        default): TLS and plain both answered on the broker port, the VIP
#        port and the name server; garbage before, inside and after a
#        handshake closes only its own connection;
#     2. ferry-namesrv (keys from a RocketMQ tls.properties) and a broker,
#        both enforcing, the broker registering over TLS (tls.enable):
#        plain refused everywhere, TLS answered, and the name server has
#        the broker's route;
#        a broker trusting another CA refuses the name server's certificate;
#     3. enforcing with client certificates required: refused without one.
#   rmq_tls.sh java    the RocketMQ Java client 4.9.8 (RmqBasic) with
#     -Dtls.enable=true sends and consumes through ferry-namesrv and a
#     broker that are both enforcing (so a plain connection could not
#     work), and the broker logs its TLS connections; then, against a
#     permissive standalone broker, a plain Java client works beside a TLS
#     one; finally, with client certificates required, a client in
#     RocketMQ's non-test TLS mode (tls.test.mode.enable=false, verifying
#     the server, presenting client.pem) works and is logged by subject.
# Every broker and name server must stop cleanly (exit 0), in probe mode
# with TLS, plain, half-sent and silent connections still open.
# Certificates come from tools/tls/make-certs.sh.
#
# env: FERRY_BROKER, FERRY_NAMESRV, FERRY_COMPAT_CACHE (java)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
. "$here/lib/clients.sh"

mode=${1:?usage: rmq_tls.sh probe|java}
root=$(cd "$here/.." && pwd)
ns_bin=${FERRY_NAMESRV:?FERRY_NAMESRV must name the ferry-namesrv binary}
[ -x "$ns_bin" ] || fail "ferry-namesrv missing: $ns_bin"
case $mode in
probe) ferry_require openssl ;;
java) ferry_require openssl && compat_java_prepare ;;
*) fail "unknown mode $mode" ;;
esac
certs=$FERRY_WORK/certs
STEP_OUT=$FERRY_WORK/make-certs.out step 60 "make-certs.sh" \
    sh "$root/tools/tls/make-certs.sh" "$certs"
CERT_ARGS=(--ssl.certificate.location="$certs/server.pem"
    --ssl.key.location="$certs/server.key")

# ---- ferry-namesrv beside the broker --------------------------------------
NS_PID=
NS_LOG=
ns_start() { # ns_start PORT ARGS...: start ferry-namesrv, wait for its port
    local port=$1
    shift
    NS_LOG=$FERRY_WORK/namesrv.$port.log
    say "namesrv: $ns_bin --listenPort=$port $*"
    setpriv --pdeathsig KILL -- "$ns_bin" --listenPort="$port" \
        --bindAddress=127.0.0.1 "$@" </dev/null >"$NS_LOG" 2>&1 &
    NS_PID=$!
    local deadline=$((SECONDS + 10))
    until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        kill -0 "$NS_PID" 2>/dev/null || {
            cat "$NS_LOG" >&2
            NS_PID=
            fail "ferry-namesrv exited at start"
        }
        [ "$SECONDS" -lt "$deadline" ] || fail "ferry-namesrv not listening"
        sleep 0.1
    done
}
ns_stop() { # SIGTERM; must exit 0
    local rc=0
    kill -TERM "$NS_PID"
    timeout 10 tail --pid="$NS_PID" -f /dev/null || rc=124
    wait "$NS_PID" || rc=$?
    NS_PID=
    [ "$rc" -eq 0 ] || { cat "$NS_LOG" >&2; fail "ferry-namesrv exit $rc"; }
    say "ferry-namesrv stopped cleanly"
}
_rmq_tls_exit() {
    local rc=$?
    if [ -n "$NS_PID" ]; then
        kill -KILL "$NS_PID" 2>/dev/null || true
        if [ "$rc" -ne 0 ] && [ -f "$NS_LOG" ]; then
            echo "---- last 40 lines of $NS_LOG ----" >&2
            tail -n 40 "$NS_LOG" >&2
        fi
    fi
    (exit "$rc")
    _ferry_on_exit
}
trap _rmq_tls_exit EXIT

# RocketMQ's tls.properties layout, read by ferry-namesrv (tls.config.file)
cat >"$FERRY_WORK/tls.properties" <<EOF
# as in RocketMQ's docs/en/Configuration_TLS.md
tls.test.mode.enable=false
tls.server.need.client.auth=none
tls.server.keyPath=$certs/server.key
tls.server.certPath=$certs/server.pem
tls.server.trustCertPath=$certs/ca.pem
EOF

# start: ferry_start, then wait until every listener is up
start() {
    ferry_start "$@"
    wait_log "$FERRY_LOG" "ferry-broker ready" "broker start"
}

# wait_log FILE PATTERN WHAT: the pattern must show up within 15 s
wait_log() {
    local deadline=$((SECONDS + 15))
    until grep -q "$2" "$1"; do
        [ "$SECONDS" -lt "$deadline" ] || fail "$3: '$2' not in $1"
        sleep 0.2
    done
}

# the VIP port is bound only if free: probe it when the broker has it
vip_arg() { # vip_arg RPORT
    if grep -q "remoting listener on 127.0.0.1:$(($1 - 2))" "$FERRY_LOG"; then
        echo "vip=$(($1 - 2)):28"
    fi
}

# stop_holding MODE PORTSPEC...: stop the broker (and ferry-namesrv, if
# running) while TLS, half-sent, plain and silent connections are open
stop_holding() {
    local mode=$1 out=$FERRY_WORK/hold.out
    shift
    python3 "$here/rmq_tls_probe.py" --ca "$certs/ca.pem" --mode "$mode" \
        --hold 60 "$@" >"$out" 2>&1 &
    local hp=$! deadline=$((SECONDS + 20))
    until grep -q '^held' "$out"; do
        kill -0 "$hp" 2>/dev/null || { cat "$out" >&2; fail "holder died"; }
        [ "$SECONDS" -lt "$deadline" ] || fail "holder not ready"
        sleep 0.1
    done
    ferry_stop
    [ -z "$NS_PID" ] || ns_stop
    kill "$hp" 2>/dev/null || true
    wait "$hp" 2>/dev/null || true
    say "stopped cleanly with connections open"
}

probe() { # probe MODE PORTSPEC... (rmq_tls_probe.py)
    step 120 "rmq_tls_probe.py $1" python3 "$here/rmq_tls_probe.py" \
        --ca "$certs/ca.pem" --client-cert "$certs/client.pem" \
        --client-key "$certs/client.key" --mode "$@"
}

if [ "$mode" = probe ]; then
    # 1. standalone, certificate only: permissive
    nsport=$(free_port)
    rport=$(free_port)
    start --standalone --namesrvListenPort="$nsport" \
        --listenPort="$rport" "${CERT_ARGS[@]}"
    grep -q "remoting listener on 127.0.0.1:$rport (TLS permissive)" \
        "$FERRY_LOG" || fail "the remoting port is not permissive by default"
    # shellcheck disable=SC2046
    probe permissive broker="$rport:28" $(vip_arg "$rport") \
        namesrv="$nsport:105:topic=TBW102"
    grep -q "rmq .*TLS connection: TLSv1" "$FERRY_LOG" ||
        fail "no TLS connection logged by the broker"
    grep -q "namesrv .*TLS connection: TLSv1" "$FERRY_LOG" ||
        fail "no TLS connection logged by the embedded name server"
    stop_holding permissive broker="$rport:28" \
        namesrv="$nsport:105:topic=TBW102"

    # 2. ferry-namesrv and broker enforcing; registration over TLS
    nsport=$(free_port)
    ns_start "$nsport" --tls.config.file="$FERRY_WORK/tls.properties" \
        --tls.server.mode=enforcing
    grep -q "TLS enforcing" "$NS_LOG" || fail "ferry-namesrv not enforcing"
    rport=$(free_port)
    start --listenPort="$rport" --namesrvAddr="127.0.0.1:$nsport" \
        "${CERT_ARGS[@]}" --tls.server.mode=enforcing --tls.enable=true \
        --tls.client.trustCertPath="$certs/ca.pem"
    wait_log "$FERRY_LOG" "connected to name server over TLS" \
        "broker registration over TLS"
    # shellcheck disable=SC2046
    probe enforcing broker="$rport:28" $(vip_arg "$rport") \
        namesrv="$nsport:105:topic=TBW102"
    grep -q "plain connection refused" "$FERRY_LOG" ||
        fail "the broker did not log the refused plain connection"
    grep -q "plain connection refused" "$NS_LOG" ||
        fail "ferry-namesrv did not log the refused plain connection"
    stop_holding enforcing broker="$rport:28" \
        namesrv="$nsport:105:topic=TBW102"

    # 2b. the broker verifies the name server: trusting another CA fails
    nsport=$(free_port)
    ns_start "$nsport" --tls.config.file="$FERRY_WORK/tls.properties"
    rport=$(free_port)
    start --listenPort="$rport" --namesrvAddr="127.0.0.1:$nsport" \
        --tls.enable=true --tls.client.trustCertPath="$certs/other-ca.pem"
    wait_log "$FERRY_LOG" "name server TLS: .*certificate verify failed" \
        "broker trusting another CA"
    ! grep -q "connected to name server over TLS" "$FERRY_LOG" ||
        fail "the broker registered with a name server it cannot verify"
    ferry_stop
    ns_stop

    # 3. client certificates required
    nsport=$(free_port)
    rport=$(free_port)
    start --standalone --namesrvListenPort="$nsport" \
        --listenPort="$rport" "${CERT_ARGS[@]}" --tlsMode=enforcing \
        --tls.server.need.client.auth=require \
        --tls.server.trustCertPath="$certs/ca.pem"
    probe mtls broker="$rport:28" namesrv="$nsport:105:topic=TBW102"
    grep -q "TLS connection: .*client certificate CN=" "$FERRY_LOG" ||
        fail "the client certificate's subject was not logged"
    ferry_stop
    say "PASS: RocketMQ remoting TLS: permissive, enforcing, client certificates"
    exit 0
fi

# ---- java ------------------------------------------------------------------
java_rmq() { # java_rmq WHAT NAMESRV TOPIC N [-D...]: RmqBasic
    local what=$1 ns=$2 topic=$3 n=$4
    shift 4
    STEP_OUT=$FERRY_WORK/java.$topic.out step 300 "$what" \
        java "${JAVA_LOG_OPTS[@]}" -Drocketmq.client.logUseSlf4j=true "$@" \
        -cp "$JAVA_CP" RmqBasic "$ns" "$topic" "$n"
    cat "$FERRY_WORK/java.$topic.out"
}
JAVA_TLS=(-Dtls.enable=true) # RocketMQ's defaults: no server verification

# 1. everything enforcing: the client can only have worked over TLS
nsport=$(free_port)
ns_start "$nsport" "--tls.server.certPath=$certs/server.pem" \
    "--tls.server.keyPath=$certs/server.key" --tls.server.mode=enforcing
rport=$(free_port)
start --listenPort="$rport" --namesrvAddr="127.0.0.1:$nsport" \
    "${CERT_ARGS[@]}" --tls.server.mode=enforcing --tls.enable=true \
    --tls.client.trustCertPath="$certs/ca.pem" --auto.create.topics.enable=true
wait_log "$FERRY_LOG" "connected to name server over TLS" \
    "broker registration over TLS"
java_rmq "RocketMQ Java client over TLS (enforcing)" "127.0.0.1:$nsport" \
    RmqTlsTopic 60 "${JAVA_TLS[@]}"
n=$(grep -c "rmq .*TLS connection: TLSv1" "$FERRY_LOG" || true)
[ "$n" -ge 1 ] || fail "the broker logged no TLS connection from the client"
n_ns=$(grep -c "TLS connection: TLSv1" "$NS_LOG" || true)
# the broker's own link is one; the client's name server link another
[ "$n_ns" -ge 2 ] || fail "ferry-namesrv logged $n_ns TLS connections, want >= 2"
! grep -q "plain connection refused" "$FERRY_LOG" "$NS_LOG" ||
    fail "the Java client tried plain TCP"
say "Java client over TLS: $n broker and $n_ns name server TLS connections"
ferry_stop
ns_stop

# 2. permissive standalone: a plain client and a TLS client side by side
nsport=$(free_port)
rport=$(free_port)
start --standalone --namesrvListenPort="$nsport" --listenPort="$rport" \
    "${CERT_ARGS[@]}" --auto.create.topics.enable=true
java_rmq "RocketMQ Java client, plain, permissive port" "127.0.0.1:$nsport" \
    RmqPlainTopic 40
if grep -q "TLS connection" "$FERRY_LOG"; then
    fail "a plain Java client made a TLS connection"
fi
java_rmq "RocketMQ Java client, TLS, permissive port" "127.0.0.1:$nsport" \
    RmqTlsTopic2 40 "${JAVA_TLS[@]}"
grep -q "rmq .*TLS connection: TLSv1" "$FERRY_LOG" ||
    fail "the TLS Java client made no TLS connection to the broker"
grep -q "namesrv .*TLS connection: TLSv1" "$FERRY_LOG" ||
    fail "the TLS Java client made no TLS connection to the name server"
ferry_stop

# 3. client certificates required; the client in RocketMQ's non-test mode
#    verifies the server and presents client.pem (PKCS#8 key)
nsport=$(free_port)
rport=$(free_port)
start --standalone --namesrvListenPort="$nsport" --listenPort="$rport" \
    "${CERT_ARGS[@]}" --tls.server.mode=enforcing --ssl.client.auth=required \
    --ssl.ca.location="$certs/ca.pem" --auto.create.topics.enable=true
java_rmq "RocketMQ Java client with a client certificate" \
    "127.0.0.1:$nsport" RmqMtlsTopic 40 -Dtls.enable=true \
    -Dtls.test.mode.enable=false -Dtls.client.authServer=true \
    -Dtls.client.trustCertPath="$certs/ca.pem" \
    -Dtls.client.certPath="$certs/client.pem" \
    -Dtls.client.keyPath="$certs/client.key"
for who in rmq namesrv; do
    grep -q "$who .*TLS connection: .*client certificate CN=ferry-test-client" \
        "$FERRY_LOG" || fail "$who logged no TLS connection with client.pem"
done
ferry_stop
say "PASS: the RocketMQ Java client over TLS (enforcing, permissive, client certificates), plain beside it"
