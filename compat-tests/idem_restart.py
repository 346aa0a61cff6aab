#!/usr/bin/env python3
# idem_restart.py - idempotent producer state survives a broker restart.
#
# Speaks the Kafka protocol by hand (helpers from garbage.py) so that the
# exact retry a client would make can be replayed after the restart:
#   phase "before": InitProducerId, then two idempotent batches
#     (seq 0..2 -> offsets 0..2, seq 3..4 -> offsets 3..4); prints the pid.
#   phase "after" (new broker process on the same data): the second batch is
#     sent again (a retry whose reply was lost in the crash): it must be
#     answered with its original base offset 3 and NOT appended (latest
#     offset stays 5); the next batch (seq 5) goes to offset 5; a batch with
#     a sequence gap is refused with OUT_OF_ORDER_SEQUENCE_NUMBER (45); a
#     batch with an older epoch with INVALID_PRODUCER_EPOCH (47) only if the
#     epoch is known, so it is not checked here.
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from garbage import (Conn, Fail, Reader, crc32c, i8, i16, i32, i64,  # noqa
                     karray, kbytes, kstr, parse_produce, record, u32)

TOPIC = "idem-restart"


def idem_batch(pid, epoch, seq, n, tag):
    recs = b"".join(record(i, b"k%d" % (seq + i), tag + b"-%d" % (seq + i))
                    for i in range(n))
    ts = int(time.time() * 1000)
    after_crc = (i16(0) + i32(n - 1) + i64(ts) + i64(ts) + i64(pid)
                 + i16(epoch) + i32(seq) + i32(n) + recs)
    inner = i32(-1) + i8(2) + u32(crc32c(after_crc)) + after_crc
    return i64(0) + i32(len(inner)) + inner


def produce(c, corr, batch):
    body = (kstr(None) + i16(-1) + i32(10000)
            + karray([kstr(TOPIC) + karray([i32(0) + kbytes(batch)])]))
    return parse_produce(7, c.call(0, 7, corr, body))


def latest(c, corr):
    body = i32(-1) + karray([kstr(TOPIC) + karray([i32(0) + i64(-1)])])
    r = Reader(c.call(2, 1, corr, body))
    t = r.array(lambda: (r.str(), r.array(
        lambda: (r.i32(), r.i16(), r.i64(), r.i64()))))
    return t[0][1][0][3]


def expect(what, got, want):
    if got != want:
        raise Fail("%s: got %r, want %r" % (what, got, want))
    print("ok   %-48s %r" % (what, got))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--phase", choices=["before", "after"], required=True)
    ap.add_argument("--pid", type=int, default=-1)
    a = ap.parse_args()
    c = Conn(a.port, a.phase)
    if a.phase == "before":
        r = Reader(c.call(22, 1, 1, kstr(None) + i32(60000)))
        r.i32()
        err, pid, epoch = r.i16(), r.i64(), r.i16()
        expect("InitProducerId error", err, 0)
        expect("InitProducerId epoch", epoch, 0)
        p = produce(c, 2, idem_batch(pid, 0, 0, 3, b"a"))
        expect("first batch (seq 0-2) error", p["error"], 0)
        expect("first batch base offset", p["base_offset"], 0)
        p = produce(c, 3, idem_batch(pid, 0, 3, 2, b"b"))
        expect("second batch (seq 3-4) base offset", p["base_offset"], 3)
        p = produce(c, 4, idem_batch(pid, 0, 3, 2, b"b"))
        expect("retry before restart: same base offset", p["base_offset"], 3)
        expect("latest offset before restart", latest(c, 5), 5)
        print("PID=%d" % pid)
        return
    pid = a.pid
    p = produce(c, 1, idem_batch(pid, 0, 3, 2, b"b"))
    expect("retry after restart: error", p["error"], 0)
    expect("retry after restart: original base offset", p["base_offset"], 3)
    expect("retry after restart: nothing appended", latest(c, 2), 5)
    p = produce(c, 3, idem_batch(pid, 0, 5, 1, b"c"))
    expect("next batch (seq 5) base offset", p["base_offset"], 5)
    p = produce(c, 4, idem_batch(pid, 0, 9, 1, b"d"))
    expect("sequence gap (seq 9 after 5): error", p["error"], 45)
    expect("latest offset at the end", latest(c, 5), 6)


if __name__ == "__main__":
    try:
        main()
    except Fail as e:
        print("FAIL %s" % e)
        sys.exit(1)
