#!/usr/bin/env bash
# Starting with a bad configuration fails at once with a message naming
# what is wrong, and nothing listens: an unknown key on the command line
# and in a properties file (with its line), an ill-typed value, an
# out-of-range one, for ferry-broker and ferry-namesrv.
# env: FERRY_BROKER, FERRY_NAMESRV
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
ferry_require
ns=${FERRY_NAMESRV:?FERRY_NAMESRV must name ferry-namesrv}
dir=$FERRY_WORK

# refuse WANT_TEXT CMD...: exit status 1 within 10 s, WANT_TEXT in the output
refuse() {
    local want=$1 out st=0
    shift
    out=$(timeout 10 "$@" 2>&1) || st=$?
    [ "$st" = 1 ] || fail "$*: exit status $st, want 1 (output: $out)"
    grep -qF -- "$want" <<<"$out" || fail "$*: '$want' not in: $out"
    say "refused as expected: $want"
}

base=(--storePathRootDir="$dir/data" --listeners=PLAINTEXT://127.0.0.1:0
      --listenPort=0)
refuse "unknown config key 'no.such.key'" \
    "$FERRY_BROKER" "${base[@]}" --no.such.key=1
printf 'brokerName=b\n# fine\nnumPartitons=3\n' >"$dir/broker.conf"
refuse "broker.conf:3: unknown config key 'numPartitons'" \
    "$FERRY_BROKER" -c "$dir/broker.conf" "${base[@]}"
refuse "config key 'num.partitions': 'three' is not an integer" \
    "$FERRY_BROKER" "${base[@]}" --num.partitions=three
refuse "config key 'diskMaxUsedSpaceRatio': 99 is out of range" \
    "$FERRY_BROKER" "${base[@]}" --diskMaxUsedSpaceRatio=99
refuse "config key 'flushDiskType'" \
    "$FERRY_BROKER" "${base[@]}" --flushDiskType=SOMETIMES
[ ! -e "$dir/data/commitlog" ] || fail "a refused start created the store"
refuse "no.such.key" "$ns" --listenPort=0 --no.such.key=1
refuse "listenPort=abc" "$ns" --listenPort=abc
say "PASS: bad configurations are refused by name"
