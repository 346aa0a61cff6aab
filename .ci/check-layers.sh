#!/usr/bin/env bash
# Layering check: store/ knows no protocol and no event loop; wire/ knows no
# sockets, no event loop and no store; client/ (libferry) sits on wire/ only.
# Fails (listing file:line) when
#   - a file under store/ includes a wire codec header (kafka*.h,
#     remoting*.h) or <event2/...>, or its CMakeLists links ferry_wire or
#     libevent;
#   - a file under wire/ includes <event2/...>, <sys/socket.h> or a store
#     header, or its CMakeLists links ferry_store or libevent.
# The shared byte helpers (wire/bytes/) are allowed everywhere.
# usage: .ci/check-layers.sh [REPO_ROOT]
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"
bad=0
inc='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]'

# forbid WHAT ERE FILE...: report every line of FILE... matching ERE
forbid() {
    local what=$1 re=$2 out
    shift 2
    [ "$#" -gt 0 ] || return 0
    out=$(grep -HnE "$re" "$@" || true)
    if [ -n "$out" ]; then
        printf 'layering: %s: %s\n' "$what" "${out//$'\n'/$'\n'  }"
        bad=1
    fi
}

# forbid_link WHAT ERE DIR: ERE inside target_link_libraries() in DIR's
# CMakeLists.txt files
forbid_link() {
    local what=$1 re=$2 dir=$3 f out=
    while IFS= read -r f; do
        out+=$(awk -v pat="$re" -v file="$f" '
            /target_link_libraries[[:space:]]*\(/ { on = 1 }
            on && $0 ~ pat { printf "%s:%d:%s\n", file, NR, $0 }
            on && /\)/ { on = 0 }' "$f")
    done < <(find "$dir" -name CMakeLists.txt 2>/dev/null | sort)
    if [ -n "$out" ]; then
        printf 'layering: %s: %s\n' "$what" "$out"
        bad=1
    fi
}

src() {
    find "$1" -type f \( -name '*.c' -o -name '*.h' \) 2>/dev/null | sort
}
mapfile -t store_files < <(src store)
mapfile -t wire_files < <(src wire)
mapfile -t client_files < <(src client)

forbid "store/ includes a wire codec header" \
    "${inc}([^>\"]*/)?(kafka|remoting)[^/>\"]*\.h[>\"]" "${store_files[@]}"
forbid "store/ includes libevent" "${inc}event2?/" "${store_files[@]}"

forbid "wire/ includes libevent" "${inc}event2?/" "${wire_files[@]}"
forbid "wire/ includes sockets" "${inc}sys/socket\.h>" "${wire_files[@]}"
forbid "wire/ includes store/" "${inc}([^>\"]*/)?store/" "${wire_files[@]}"
# any header living in store/, unless wire/ has one of the same name
while IFS= read -r h; do
    [ -z "$(find wire -name "$h" -print -quit 2>/dev/null)" ] || continue
    forbid "wire/ includes store header $h" \
        "${inc}([^>\"]*/)?${h//./\\.}[>\"]" "${wire_files[@]}"
done < <(find store -type f -name '*.h' -printf '%f\n' 2>/dev/null | sort -u)

forbid "client/ includes store/ or broker/" \
    "${inc}([^>\"]*/)?(store|broker)/" "${client_files[@]}"
# any header living in store/ or broker/ (or nameserver/), unless wire/ or
# client/ has one of the same name
while IFS= read -r h; do
    [ -z "$(find wire client -name "$h" -print -quit 2>/dev/null)" ] ||
        continue
    forbid "client/ includes server header $h" \
        "${inc}([^>\"]*/)?${h//./\\.}[>\"]" "${client_files[@]}"
done < <(find store broker nameserver -type f -name '*.h' -printf '%f\n' \
    2>/dev/null | sort -u)

forbid_link "store/ links protocol or libevent code" \
    'ferry_wire|ferry_broker|LIBEVENT|event_core' store
forbid_link "wire/ links store or libevent" \
    'ferry_store|ferry_broker|LIBEVENT|event_core' wire
forbid_link "client/ links store or broker code" \
    'ferry_store|ferry_broker|ferry_namesrv|ferry_log' client

if [ "$bad" -ne 0 ]; then
    echo "layering: FAILED"
    exit 1
fi
echo "layering: ok (store/: ${#store_files[@]} files, wire/: ${#wire_files[@]}" \
    "files, client/: ${#client_files[@]} files)"
