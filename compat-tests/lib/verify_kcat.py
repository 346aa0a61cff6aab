#!/usr/bin/env python3
"""Check what kcat consumed against what kcat produced (kcat_roundtrip.sh).

Usage: verify_kcat.py gen COUNT         (kcat -P -K: input on stdout)
       verify_kcat.py COUNT PARTITIONS HEADERS FILE_P0 [FILE_P1 ...]

Each FILE_Pn holds kcat -C output for partition n in the format
'%p\\t%o\\t%k\\t%h\\t%s\\n'. The producer sent keys k000000.. and values
v000000-<filler> (same sequence number), all with the same headers.
Checks: every message exactly once, key/value/headers intact, each key in
the partition librdkafka's default partitioner picks (crc32(key) % N),
offsets dense from 0 per partition, sequence numbers increasing per
partition (production order).
"""
import sys
import zlib


def value_for(seq):
    return "v%06d-%s" % (seq, "x" * (seq % 61))


def main():
    if sys.argv[1] == "gen":
        out = sys.stdout
        for seq in range(int(sys.argv[2])):
            out.write("k%06d:%s\n" % (seq, value_for(seq)))
        return
    count = int(sys.argv[1])
    nparts = int(sys.argv[2])
    headers = sys.argv[3]
    files = sys.argv[4:]
    if len(files) != nparts:
        sys.exit("verify_kcat: want %d files, got %d" % (nparts, len(files)))
    seen = [False] * count
    errors = []
    total = 0

    def err(msg):
        if len(errors) < 20:
            errors.append(msg)

    for part, path in enumerate(files):
        with open(path, "rb") as f:
            lines = f.read().decode("utf-8", "replace").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        last_seq = -1
        for i, line in enumerate(lines):
            fields = line.split("\t")
            if len(fields) != 5:
                err("p%d line %d: %d fields: %r" % (part, i, len(fields), line))
                continue
            p, o, k, h, v = fields
            total += 1
            if p != str(part):
                err("p%d line %d: partition field %s" % (part, i, p))
            if o != str(i):
                err("p%d: offset %s at position %d (not dense from 0)"
                    % (part, o, i))
            if not (k.startswith("k") and k[1:].isdigit()):
                err("p%d offset %s: bad key %r" % (part, o, k))
                continue
            seq = int(k[1:])
            if seq >= count:
                err("p%d offset %s: key %s out of range" % (part, o, k))
                continue
            if seen[seq]:
                err("p%d offset %s: key %s seen twice" % (part, o, k))
            seen[seq] = True
            if v != value_for(seq):
                err("p%d offset %s: key %s value %r, want %r"
                    % (part, o, k, v[:40], value_for(seq)[:40]))
            if h != headers:
                err("p%d offset %s: headers %r, want %r" % (part, o, h, headers))
            want_part = zlib.crc32(k.encode()) % nparts
            if want_part != part:
                err("p%d offset %s: key %s belongs in partition %d"
                    % (part, o, k, want_part))
            if seq <= last_seq:
                err("p%d offset %s: seq %d after seq %d (order broken)"
                    % (part, o, seq, last_seq))
            last_seq = seq
        print("verify_kcat: partition %d: %d messages" % (part, len(lines)))
    missing = [i for i in range(count) if not seen[i]]
    if missing:
        err("%d messages missing, first: k%06d" % (len(missing), missing[0]))
    if total != count:
        err("consumed %d messages, produced %d" % (total, count))
    if errors:
        for e in errors:
            print("verify_kcat: FAIL: " + e, file=sys.stderr)
        sys.exit(1)
    print("verify_kcat: OK: %d messages in %d partitions" % (total, nparts))


if __name__ == "__main__":
    main()
