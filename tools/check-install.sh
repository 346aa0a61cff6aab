#!/usr/bin/env bash
# check-install.sh BUILD_DIR - `cmake --install` into a scratch prefix and
# check what an operator gets: the programs (they run), man pages that man
# can render with their OPTIONS from --help, the systemd units pointing at
# the installed programs, and (once client/ installs them) the library,
# headers and pkg-config file.
set -euo pipefail
build=${1:?usage: check-install.sh BUILD_DIR}
prefix=$(mktemp -d "${TMPDIR:-/tmp}/ferry-install.XXXXXX")
trap 'rm -rf "$prefix"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cmake --install "$build" --prefix "$prefix" >"$prefix.log" 2>&1 || {
    cat "$prefix.log" >&2; rm -f "$prefix.log"; fail "cmake --install"; }
rm -f "$prefix.log"
for p in ferry-broker ferry-namesrv; do
    [ -x "$prefix/bin/$p" ] || fail "bin/$p not installed"
    "$prefix/bin/$p" --help >/dev/null || fail "$p --help"
    man1=$prefix/share/man/man1/$p.1
    [ -s "$man1" ] || fail "man page $p.1 missing"
    grep -q "^\.SH OPTIONS" "$man1" || fail "$p.1 has no OPTIONS"
    grep -q "logFile" "$man1" || fail "$p.1 OPTIONS do not come from --help"
    command -v groff >/dev/null 2>&1 || fail "groff missing (groff-base)"
    groff -man -Tutf8 -ww -z "$man1" 2>"$prefix/groff.err" ||
        fail "groff rejects $p.1"
    if [ -s "$prefix/groff.err" ]; then
        cat "$prefix/groff.err" >&2
        fail "groff warns about $p.1"
    fi
    unit=$prefix/share/doc/ferry/contrib/$p.service
    [ -s "$unit" ] || fail "$p.service missing"
    grep -q "^ExecStart=$prefix/bin/$p " "$unit" ||
        fail "$p.service does not start the installed program"
done
# ferryctl: installed, runs, and its man page lists every command
[ -x "$prefix/bin/ferryctl" ] || fail "bin/ferryctl not installed"
"$prefix/bin/ferryctl" --help >/dev/null || fail "ferryctl --help"
man1=$prefix/share/man/man1/ferryctl.1
[ -s "$man1" ] || fail "man page ferryctl.1 missing"
grep -q "reset-offsets" "$man1" || fail "ferryctl.1 lacks the commands"
grep -q "kafka-consumer-groups" "$man1" || fail "ferryctl.1 lacks the correspondence"
groff -man -Tutf8 -ww -z "$man1" 2>"$prefix/groff.err" || fail "groff rejects ferryctl.1"
if [ -s "$prefix/groff.err" ]; then
    cat "$prefix/groff.err" >&2
    fail "groff warns about ferryctl.1"
fi
[ -s "$prefix/share/doc/ferry/contrib/ferry-broker.properties" ] ||
    fail "example properties missing"
# the example configuration must be one the broker accepts
"$prefix/bin/ferry-broker" -c "$prefix/share/doc/ferry/contrib/ferry-broker.properties" \
    --help >/dev/null || fail "the example properties are refused"
if [ -d "$(dirname "$0")/../client/include" ]; then
    ls "$prefix"/lib*/libferry* >/dev/null 2>&1 || fail "libferry not installed"
    ls "$prefix"/include/ferry/*.h >/dev/null 2>&1 || fail "headers not installed"
    ls "$prefix"/lib*/pkgconfig/ferry.pc >/dev/null 2>&1 ||
        ls "$prefix"/share/pkgconfig/ferry.pc >/dev/null 2>&1 ||
        fail "ferry.pc not installed"
fi
echo "PASS: installed tree complete under a scratch prefix"
