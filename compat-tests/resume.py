#!/usr/bin/env python3
"""Produce / group-consume / commit-and-resume with a Python Kafka client.

    resume.py {kafka-python|confluent} BOOTSTRAP TOPIC GROUP M

1. A producer (acks=all) writes M keyed messages (key k<i>, value v<i>) to
   TOPIC, which the broker auto-creates with its num.partitions; every send
   must be acknowledged.
2. Consumer A joins GROUP (subscribe, auto commit off, earliest), processes
   exactly M/2 messages, commits for each partition the offset after the
   last message it processed there, and closes.
3. Consumer B joins GROUP and must get exactly the other M - M/2 messages:
   none that A processed (else the commit was lost or ignored), none
   missing, nothing twice; its first message in each partition is at A's
   committed offset. B waits 3 s more for strays, commits, and the
   committed offsets must then equal the log end offsets.

Exit 0 on success, 1 on a failed check (printed). Every wait is bounded.
"""

import sys
import time

QUIET_S = 3.0


def say(msg):
    sys.stderr.write("resume.py[%s]: %s\n" % (CLIENT, msg))
    sys.stderr.flush()


def die(msg):
    say("FAIL: " + msg)
    sys.exit(1)


class KafkaPython:
    """kafka-python (Debian python3-kafka)."""

    def __init__(self, bootstrap):
        import kafka  # noqa: F401

        self.kafka = kafka
        self.bootstrap = bootstrap
        say("kafka-python %s" % kafka.__version__)

    def produce(self, topic, m):
        p = self.kafka.KafkaProducer(
            bootstrap_servers=self.bootstrap,
            acks="all",
            linger_ms=5,
            client_id="resume-producer",
        )
        futs = [
            p.send(topic, key=b"k%d" % i, value=b"v%d" % i) for i in range(m)
        ]
        p.flush(timeout=30)
        parts = set()
        for i, f in enumerate(futs):
            try:
                md = f.get(timeout=30)
            except Exception as e:  # noqa: BLE001 - report any client error
                die("send %d: %r" % (i, e))
            parts.add(md.partition)
        p.close(timeout=10)
        return parts

    def consumer(self, topic, group, name):
        c = self.kafka.KafkaConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=group,
            client_id=name,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=10000,
            heartbeat_interval_ms=1000,
            max_poll_records=100,
        )
        c.subscribe([topic])
        return c

    def poll(self, c, timeout_s):
        """Yield (partition, offset, key, value) tuples."""
        recs = c.poll(timeout_ms=int(timeout_s * 1000))
        for tp, rs in sorted(recs.items(), key=lambda kv: kv[0].partition):
            for r in rs:
                yield (tp.partition, r.offset, r.key, r.value)

    def commit(self, c, topic, offsets):
        from kafka.structs import OffsetAndMetadata, TopicPartition

        c.commit(
            {
                TopicPartition(topic, p): OffsetAndMetadata(o, "")
                for p, o in offsets.items()
            }
        )

    def committed(self, c, topic, parts):
        from kafka.structs import TopicPartition

        return {p: c.committed(TopicPartition(topic, p)) for p in parts}

    def end_offsets(self, c, topic, parts):
        from kafka.structs import TopicPartition

        tps = [TopicPartition(topic, p) for p in parts]
        return {tp.partition: o for tp, o in c.end_offsets(tps).items()}

    def close(self, c):
        c.close(autocommit=False)


class Confluent:
    """confluent-kafka-python (Debian python3-confluent-kafka)."""

    def __init__(self, bootstrap):
        import confluent_kafka

        self.ck = confluent_kafka
        self.bootstrap = bootstrap
        say(
            "confluent-kafka %s on librdkafka %s"
            % (confluent_kafka.version()[0], confluent_kafka.libversion()[0])
        )

    def produce(self, topic, m):
        p = self.ck.Producer(
            {
                "bootstrap.servers": self.bootstrap,
                "acks": "all",
                "linger.ms": 5,
                "client.id": "resume-producer",
            }
        )
        results = {}

        def dr(err, msg):
            results[msg.key()] = (err, msg.partition())

        for i in range(m):
            while True:
                try:
                    p.produce(topic, key=b"k%d" % i, value=b"v%d" % i,
                              on_delivery=dr)
                    break
                except BufferError:
                    p.poll(0.05)
            p.poll(0)
        left = p.flush(30)
        if left:
            die("%d messages not delivered after 30 s" % left)
        parts = set()
        for i in range(m):
            err, part = results.get(b"k%d" % i, ("no delivery report", -1))
            if err:
                die("delivery of k%d: %s" % (i, err))
            parts.add(part)
        return parts

    def consumer(self, topic, group, name):
        c = self.ck.Consumer(
            {
                "bootstrap.servers": self.bootstrap,
                "group.id": group,
                "client.id": name,
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
                "session.timeout.ms": 10000,
                "heartbeat.interval.ms": 1000,
            }
        )
        c.subscribe([topic])
        return c

    def poll(self, c, timeout_s):
        msg = c.poll(timeout_s)
        if msg is None:
            return
        if msg.error():
            say("consumer error: %s" % msg.error())
            return
        yield (msg.partition(), msg.offset(), msg.key(), msg.value())

    def commit(self, c, topic, offsets):
        tps = [self.ck.TopicPartition(topic, p, o) for p, o in offsets.items()]
        res = c.commit(offsets=tps, asynchronous=False)
        for tp in res or []:
            if tp.error:
                die("commit p%d: %s" % (tp.partition, tp.error))

    def committed(self, c, topic, parts):
        tps = [self.ck.TopicPartition(topic, p) for p in parts]
        return {tp.partition: tp.offset for tp in c.committed(tps, timeout=10)}

    def end_offsets(self, c, topic, parts):
        out = {}
        for p in parts:
            lo, hi = c.get_watermark_offsets(
                self.ck.TopicPartition(topic, p), timeout=10
            )
            out[p] = hi
        return out

    def close(self, c):
        c.close()


def consume(api, c, want, deadline, seen, stop_at=None, quiet=0.0):
    """Process messages from c into seen {i: (partition, offset)} until
    stop_at of them are processed (the rest of that poll is dropped, as an
    application that stops would), or until want are processed and nothing
    more came for `quiet` seconds. Returns {partition: next offset} of the
    processed messages, and the first offset processed per partition."""
    nxt, first = {}, {}
    got = 0
    last_msg = time.monotonic()
    while time.monotonic() < deadline:
        if stop_at is not None and got >= stop_at:
            break
        if stop_at is None and got >= want and \
                time.monotonic() - last_msg >= quiet:
            break
        for part, off, key, val in api.poll(c, 0.5):
            if stop_at is not None and got >= stop_at:
                break
            last_msg = time.monotonic()
            try:
                i = int(val[1:])
            except (TypeError, ValueError):
                die("unexpected value %r at p%d@%d" % (val, part, off))
            if key != b"k%d" % i:
                die("message v%d has key %r" % (i, key))
            if i in seen:
                die(
                    "v%d delivered again at p%d@%d (first at p%d@%d)"
                    % ((i, part, off) + seen[i])
                )
            if part in nxt and off != nxt[part]:
                die("p%d: offset %d after %d" % (part, off, nxt[part] - 1))
            seen[i] = (part, off)
            first.setdefault(part, off)
            nxt[part] = off + 1
            got += 1
    return nxt, first, got


def main():
    global CLIENT
    if len(sys.argv) != 6:
        sys.stderr.write(__doc__)
        sys.exit(2)
    CLIENT, bootstrap, topic, group, m = sys.argv[1:6]
    m = int(m)
    api = {"kafka-python": KafkaPython, "confluent": Confluent}[CLIENT](
        bootstrap
    )
    half = m // 2

    t0 = time.monotonic()
    parts = api.produce(topic, m)
    say("produced %d messages into partitions %s" % (m, sorted(parts)))

    seen_a = {}
    a = api.consumer(topic, group, "resume-a")
    nxt_a, _, got_a = consume(
        api, a, half, time.monotonic() + 60, seen_a, stop_at=half
    )
    if got_a != half:
        die("consumer A processed %d of %d messages in 60 s" % (got_a, half))
    api.commit(a, topic, nxt_a)
    api.close(a)
    say("A processed %d, committed %s, closed" % (got_a, sorted(nxt_a.items())))

    seen_b = {}
    b = api.consumer(topic, group, "resume-b")
    nxt_b, first_b, got_b = consume(
        api, b, m - half, time.monotonic() + 60, seen_b, quiet=QUIET_S
    )
    both = set(seen_a) & set(seen_b)
    if both:
        i = min(both)
        die(
            "B got %d messages A had processed and committed, e.g. v%d at "
            "p%d@%d" % ((len(both), i) + seen_b[i])
        )
    missing = set(range(m)) - set(seen_a) - set(seen_b)
    if missing:
        die(
            "%d messages never delivered to A or B, e.g. v%d (B got %d)"
            % (len(missing), min(missing), got_b)
        )
    for p, off in first_b.items():
        if off != nxt_a.get(p, 0):
            die(
                "B started p%d at offset %d, A committed %s"
                % (p, off, nxt_a.get(p, "nothing"))
            )
    say("B got exactly the other %d messages" % got_b)

    final = dict(nxt_a)
    final.update(nxt_b)
    api.commit(b, topic, final)
    committed = api.committed(b, topic, sorted(parts))
    ends = api.end_offsets(b, topic, sorted(parts))
    api.close(b)
    if committed != ends:
        die("committed %s, log end offsets %s" % (committed, ends))
    say(
        "PASS: %d messages, resume from the committed offsets, %.1f s"
        % (m, time.monotonic() - t0)
    )


CLIENT = "?"
if __name__ == "__main__":
    main()
