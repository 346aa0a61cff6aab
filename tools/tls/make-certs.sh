#!/bin/sh
# make-certs.sh - throw-away CA and certificates for Ferry's TLS tests and for
# trying TLS by hand.  NOT for production: keys are unencrypted and the CA key
# sits next to the certificates.
#
#   tools/tls/make-certs.sh OUTDIR [HOST...]
#
# Writes into OUTDIR (created if needed), all PEM, EC P-256, PKCS#8 keys:
#   ca.pem, ca.key                    test CA (trust anchor for both sides)
#   server.pem, server.key            broker/name-server certificate; SAN covers
#                                     localhost, 127.0.0.1, ::1 and every HOST
#   client.pem, client.key            client certificate from the same CA (mTLS)
#   other-ca.pem, other-ca.key        an unrelated CA ...
#   other-client.pem, other-client.key  ... and a client cert it signed, which a
#                                     broker trusting ca.pem must refuse
#   server-keystore.pem, client-keystore.pem
#                                     key + certificate in one file, for
#                                     Kafka's ssl.keystore.type=PEM layout
#
# Certificates are valid for FERRY_CERT_DAYS days (default 7).  Running it
# again keeps whatever is still valid and consistent (so ca.pem already
# handed to clients keeps working) and remakes the rest: a certificate that
# expires within the hour, no longer verifies against its CA, or (server)
# misses one of the requested hosts.
#
# Java clients read these files directly (Kafka 2.7+ PEM stores), no keytool:
#   ssl.truststore.type=PEM  ssl.truststore.location=OUTDIR/ca.pem
# Needs only the openssl command-line tool (Debian package `openssl`).
set -eu

usage() {
    echo "usage: $0 OUTDIR [HOST...]" >&2
    exit 2
}
[ $# -ge 1 ] || usage
case "$1" in -h | --help) usage ;; esac

out=$1
shift
days=${FERRY_CERT_DAYS:-7}
command -v openssl >/dev/null 2>&1 || {
    echo "$0: the openssl command is missing (apt-get install openssl)" >&2
    exit 1
}

umask 077
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-certs.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# Subject alternative names for the server certificate.
san="DNS:localhost,IP:127.0.0.1,IP:::1"
for h in "$@"; do
    case "$h" in localhost | 127.0.0.1 | ::1) continue ;; esac
    if printf '%s' "$h" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$|:'; then
        san="$san,IP:$h"
    else
        san="$san,DNS:$h"
    fi
done

# Our own config: independent of the system openssl.cnf.
cat >"$work/openssl.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
[dn]
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $san
[client_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

made=""
kept=""

# fresh CERT: exists and does not expire within the hour.
fresh() {
    [ -s "$1" ] && openssl x509 -in "$1" -noout -checkend 3600 >/dev/null 2>&1
}

# signed_by CERT CA: CERT verifies against CA alone.
signed_by() {
    openssl verify -CAfile "$2" "$1" >/dev/null 2>&1
}

# key_matches CERT KEY: the key's public half is the certificate's.
key_matches() {
    [ -s "$2" ] || return 1
    a=$(openssl x509 -in "$1" -noout -pubkey 2>/dev/null) || return 1
    b=$(openssl pkey -in "$2" -pubout 2>/dev/null) || return 1
    [ "$a" = "$b" ]
}

# make_ca NAME CN
make_ca() {
    if fresh "$out/$1.pem" && key_matches "$out/$1.pem" "$out/$1.key"; then
        kept="$kept $1.pem"
        return 0
    fi
    openssl req -x509 -config "$work/openssl.cnf" -extensions ca_ext \
        -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -subj "/O=Ferry test/CN=$2" -days "$days" \
        -keyout "$work/$1.key" -out "$work/$1.pem" 2>"$work/err" ||
        { cat "$work/err" >&2; exit 1; }
    mv -f "$work/$1.key" "$out/$1.key"
    mv -f "$work/$1.pem" "$out/$1.pem"
    made="$made $1.pem $1.key"
}

# make_leaf NAME CN EXT CA [SAN-NEEDED...]
make_leaf() {
    name=$1 cn=$2 ext=$3 ca=$4
    shift 4
    ok=1
    fresh "$out/$name.pem" || ok=0
    [ $ok = 1 ] && { signed_by "$out/$name.pem" "$out/$ca.pem" || ok=0; }
    [ $ok = 1 ] && { key_matches "$out/$name.pem" "$out/$name.key" || ok=0; }
    if [ $ok = 1 ] && [ $# -gt 0 ]; then
        have=$(openssl x509 -in "$out/$name.pem" -noout -ext subjectAltName \
            2>/dev/null | tr -d ' \n')
        for want in "$@"; do
            case ",$have," in
            *"DNS:$want,"* | *"IPAddress:$want,"*) ;;
            *) ok=0 ;;
            esac
        done
    fi
    if [ $ok = 1 ]; then
        kept="$kept $name.pem"
        return 0
    fi
    openssl req -new -config "$work/openssl.cnf" \
        -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -subj "/O=Ferry test/CN=$cn" \
        -keyout "$work/$name.key" -out "$work/$name.csr" 2>"$work/err" ||
        { cat "$work/err" >&2; exit 1; }
    openssl x509 -req -in "$work/$name.csr" -days "$days" \
        -CA "$out/$ca.pem" -CAkey "$out/$ca.key" \
        -set_serial "0x$(openssl rand -hex 16)" \
        -extfile "$work/openssl.cnf" -extensions "$ext" \
        -out "$work/$name.pem" 2>"$work/err" ||
        { cat "$work/err" >&2; exit 1; }
    mv -f "$work/$name.key" "$out/$name.key"
    mv -f "$work/$name.pem" "$out/$name.pem"
    made="$made $name.pem $name.key"
}

# Hosts as openssl prints them in the SAN (IPv6 shown expanded, so only the
# names and IPv4 literals are re-checked; ::1 is always in the template).
need="localhost 127.0.0.1"
for h in "$@"; do
    case "$h" in *:*) ;; *) need="$need $h" ;; esac
done

make_ca ca "Ferry test CA"
make_ca other-ca "Ferry unrelated test CA"
# shellcheck disable=SC2086
make_leaf server localhost server_ext ca $need
make_leaf client ferry-test-client client_ext ca
make_leaf other-client ferry-other-client client_ext other-ca

# Key + certificate in one file (Kafka PEM keystores); rebuilt every run so
# they always match the separate files.
for name in server client; do
    cat "$out/$name.key" "$out/$name.pem" >"$work/$name-keystore.pem"
    mv -f "$work/$name-keystore.pem" "$out/$name-keystore.pem"
done

# Certificates are public; keys stay owner-only (umask 077).
chmod 644 "$out"/ca.pem "$out"/other-ca.pem "$out"/server.pem \
    "$out"/client.pem "$out"/other-client.pem

echo "make-certs: $out (valid $days days; server SAN asked: $san)"
[ -n "$made" ] && echo "  made:$made"
[ -n "$kept" ] && echo "  kept:$kept"
exit 0
