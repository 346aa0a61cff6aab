#!/usr/bin/env bash
# TLS on the Kafka listener with required client certificates, with kcat
# and the Java client:
#   tls.sh kcat   kcat produces and consumes 2,000 messages over SSL:// with
#                 CA verification and a client certificate; kcat -L is
#                 refused without a client certificate, with one from
#                 another CA, and (client side) when the broker's
#                 certificate does not chain to the CA the client trusts.
#                 The PLAINTEXT listener keeps working beside it.
#   tls.sh java   the Java client (PEM trust/key stores) produces with the
#                 idempotent defaults and reads back through a group over
#                 SSL://; refused without a certificate, with another CA's,
#                 and against the wrong CA.
# Certificates come from tools/tls/make-certs.sh (SAN localhost, 127.0.0.1).
#
# env: FERRY_BROKER, FERRY_COMPAT_CACHE (lib/clients.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
. "$here/lib/clients.sh"

mode=${1:?usage: tls.sh kcat|java}
root=$(cd "$here/.." && pwd)
certs=$FERRY_WORK/certs
case $mode in
kcat) ferry_require kcat openssl ;;
java) ferry_require openssl && compat_java_prepare ;;
*) fail "unknown mode $mode" ;;
esac
STEP_OUT=$FERRY_WORK/make-certs.out step 60 "make-certs.sh" \
    sh "$root/tools/tls/make-certs.sh" "$certs"
for f in ca.pem server.pem server.key client.pem client.key other-ca.pem \
    other-client.pem other-client.key client-keystore.pem; do
    [ -s "$certs/$f" ] || fail "make-certs.sh did not write $f"
done
# Kafka's PEM keystore layout (key, then chain) for the other CA's client
cat "$certs/other-client.key" "$certs/other-client.pem" \
    >"$certs/other-client-keystore.pem"

FERRY_PORT=$(free_port)
tls_port=$(free_port)
ferry_start --listeners="PLAINTEXT://127.0.0.1:$FERRY_PORT,SSL://127.0.0.1:$tls_port" \
    --ssl.certificate.location="$certs/server.pem" \
    --ssl.key.location="$certs/server.key" \
    --ssl.ca.location="$certs/ca.pem" --ssl.client.auth=required \
    --num.partitions=2
deadline=$((SECONDS + 10))
until (exec 3<>"/dev/tcp/127.0.0.1/$tls_port") 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] ||
        fail "nothing accepts on the SSL:// port 127.0.0.1:$tls_port"
    sleep 0.1
done
# bootstrap by name: SNI and host name verification against the SAN
tbs=localhost:$tls_port
topic=tls-$mode-$$
w=$FERRY_WORK

ssl_args() { # ssl_args CA CERT|- KEY|-: kcat's TLS options into SSLX
    SSLX=(-X security.protocol=ssl -X "ssl.ca.location=$1")
    [ "$2" = - ] ||
        SSLX+=(-X "ssl.certificate.location=$2" -X "ssl.key.location=$3")
}

# refused_kcat WHAT CA CERT KEY: kcat -L must not get metadata
refused_kcat() {
    local what=$1 rc=0
    ssl_args "$2" "$3" "$4"
    timeout --kill-after=5 30 kcat -b "$tbs" "${SSLX[@]}" -L -m 5 \
        >"$w/refused.out" 2>&1 || rc=$?
    if [ "$rc" -eq 0 ] || grep -q "topic \"" "$w/refused.out"; then
        cat "$w/refused.out" >&2
        fail "kcat $what: got metadata over TLS, want the handshake refused"
    fi
    [ "$rc" -ne 124 ] || fail "kcat $what: hung for 30 s instead of failing"
    # refused by TLS, not by something else (a closed port, a crash)
    grep -qi 'ssl\|certificate\|handshake' "$w/refused.out" || {
        cat "$w/refused.out" >&2
        fail "kcat $what: failed, but not with a TLS error"
    }
    say "kcat $what: refused: $(grep -m1 -io 'ssl routines::.*' \
        "$w/refused.out" | cut -c1-160 || true)"
}

run_java() { # run_java WHAT SECS OUT ARGS...: TlsClient, output shown on failure
    local what=$1 secs=$2 out=$3 rc=0
    shift 3
    timeout --kill-after=5 "$secs" java "${JAVA_LOG_OPTS[@]}" -cp "$JAVA_CP" \
        TlsClient "$@" >"$out" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
        tail -n 40 "$out" >&2
        fail "Java client $what: exit status $rc (124: timed out)"
    fi
}

refused_java() { # refused_java WHAT TRUSTSTORE KEYSTORE|-
    local what=$1
    run_java "$what" 60 "$w/java-refused.out" "$tbs" "$topic" "$2" "$3" refused
    say "Java client $what: $(grep -m1 'refused as expected' "$w/java-refused.out" |
        sed 's/.*refused as expected: //' | head -c 200)"
}

case $mode in
kcat)
    seq 1 2000 | sed 's/^/tls-message-/' >"$w/in.txt"
    ssl_args "$certs/ca.pem" "$certs/client.pem" "$certs/client.key"
    STEP_IN=$w/in.txt step 60 "kcat -P over TLS" \
        kcat -b "$tbs" "${SSLX[@]}" -P -t "$topic" -p 0
    STEP_OUT=$w/out.txt step 60 "kcat -C over TLS" \
        kcat -b "$tbs" "${SSLX[@]}" -C -t "$topic" -p 0 -o beginning -e -q
    cmp -s "$w/in.txt" "$w/out.txt" || {
        diff "$w/in.txt" "$w/out.txt" | head -n 10 >&2
        fail "kcat over TLS: consumed messages differ from the 2,000 produced"
    }
    say "kcat produced and consumed 2,000 messages over TLS with a client certificate"
    STEP_OUT=$w/plain.meta step 30 "kcat -L on PLAINTEXT" \
        kcat -b "127.0.0.1:$FERRY_PORT" -L -t "$topic"
    grep -q "topic \"$topic\"" "$w/plain.meta" ||
        fail "the PLAINTEXT listener does not show $topic"
    refused_kcat "without a client certificate" "$certs/ca.pem" - -
    refused_kcat "with another CA's client certificate" "$certs/ca.pem" \
        "$certs/other-client.pem" "$certs/other-client.key"
    refused_kcat "trusting another CA" "$certs/other-ca.pem" \
        "$certs/client.pem" "$certs/client.key"
    # and the good client still works afterwards
    ssl_args "$certs/ca.pem" "$certs/client.pem" "$certs/client.key"
    STEP_OUT=$w/ok.meta step 30 "kcat -L over TLS" kcat -b "$tbs" "${SSLX[@]}" -L
    grep -q "topic \"$topic\"" "$w/ok.meta" ||
        fail "kcat -L over TLS does not show $topic"
    ;;
java)
    run_java "over TLS" 120 "$w/java.out" "$tbs" "$topic" \
        "$certs/ca.pem" "$certs/client-keystore.pem" roundtrip 500
    grep 'TlsClient.java' "$w/java.out" >&2 || true
    refused_java "without a client certificate" "$certs/ca.pem" -
    refused_java "with another CA's client certificate" "$certs/ca.pem" \
        "$certs/other-client-keystore.pem"
    refused_java "trusting another CA" "$certs/other-ca.pem" \
        "$certs/client-keystore.pem"
    ;;
esac
ferry_alive || fail "broker died during the test"
ferry_stop
say "PASS: TLS with $mode"
