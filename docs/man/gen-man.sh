#!/bin/sh
# gen-man.sh TEMPLATE PROGRAM VERSION OUT [HELPFLAG] - a man page from
# TEMPLATE with @FERRY_HELP@ replaced by PROGRAM --help (or HELPFLAG,
# e.g. ferryctl's --help-all) (so the OPTIONS section lists
# exactly the keys the program accepts), @FERRY_VERSION@ and @FERRY_DATE@
# (SOURCE_DATE_EPOCH when set, for reproducible builds).
set -eu
tmpl=$1 prog=$2 version=$3 out=$4 helpflag=${5:---help}
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
    date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)
else
    date=$(date -u +%Y-%m-%d)
fi
help=$(mktemp)
trap 'rm -f "$help"' EXIT
# roff: a leading dot or quote would start a request; backslashes escape
"$prog" "$helpflag" | sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/" >"$help"
awk -v helpfile="$help" -v version="$version" -v date="$date" '
    /@FERRY_HELP@/ { while ((getline l < helpfile) > 0) print l; next }
    { gsub(/@FERRY_VERSION@/, version); gsub(/@FERRY_DATE@/, date); print }
' "$tmpl" >"$out.tmp"
mv "$out.tmp" "$out"
