// Produce / group-consume / commit-and-resume with the Java client
// (kafka-clients from Maven Central), driven by compat-tests/resume.sh.
//
//   java Resume BOOTSTRAP TOPIC GROUP M
//
// 1. A producer with the Java defaults (enable.idempotence=true, acks=all,
//    so InitProducerId is needed) writes M keyed messages, k<i> / v<i>;
//    every send must be acknowledged.
// 2. Consumer A in GROUP (subscribe, auto commit off, earliest) processes
//    exactly M/2 messages, commits per partition the offset after the last
//    one it processed (commitSync), and closes.
// 3. Consumer B in GROUP must get exactly the other messages: none of A's,
//    none missing, none twice, its first offset per partition equal to A's
//    commit. After a quiet period it commits; committed offsets must then
//    equal the end offsets.
// Exit 0 on success, 1 on a failed check.

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public final class Resume {
    private Resume() {}

    static void say(String s) {
        System.err.println("Resume.java: " + s);
    }

    static void die(String s) {
        say("FAIL: " + s);
        System.exit(1);
    }

    static KafkaConsumer<String, String> consumer(String bs, String topic, String group, String id) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bs);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, id);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1000");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "100");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        KafkaConsumer<String, String> c = new KafkaConsumer<>(p);
        c.subscribe(Collections.singletonList(topic));
        return c;
    }

    /** Seen messages: index -> "p@offset". */
    static final class Run {
        final Map<Integer, String> seen = new HashMap<>();
        final Map<Integer, Long> next = new TreeMap<>();
        final Map<Integer, Long> first = new TreeMap<>();
        int got;
    }

    /** Process until stopAt messages (rest of the batch dropped), or until
     *  want messages and quietMs without more. */
    static Run consume(KafkaConsumer<String, String> c, int want, Integer stopAt, long quietMs,
                       long deadlineMs, Map<Integer, String> other) {
        Run r = new Run();
        long lastMsg = System.currentTimeMillis();
        while (System.currentTimeMillis() < deadlineMs) {
            if (stopAt != null && r.got >= stopAt) break;
            if (stopAt == null && r.got >= want && System.currentTimeMillis() - lastMsg >= quietMs) break;
            for (ConsumerRecord<String, String> rec : c.poll(Duration.ofMillis(300))) {
                if (stopAt != null && r.got >= stopAt) break;
                lastMsg = System.currentTimeMillis();
                int i;
                try {
                    i = Integer.parseInt(rec.value().substring(1));
                } catch (RuntimeException e) {
                    die("unexpected value " + rec.value() + " at p" + rec.partition() + "@" + rec.offset());
                    return r;
                }
                if (!("k" + i).equals(rec.key())) die("v" + i + " has key " + rec.key());
                String where = "p" + rec.partition() + "@" + rec.offset();
                if (r.seen.containsKey(i)) die("v" + i + " delivered twice: " + r.seen.get(i) + ", " + where);
                if (other != null && other.containsKey(i))
                    die("B got v" + i + " at " + where + ", which A processed and committed");
                Long exp = r.next.get(rec.partition());
                if (exp != null && rec.offset() != exp)
                    die("p" + rec.partition() + ": offset " + rec.offset() + " after " + (exp - 1));
                r.seen.put(i, where);
                r.first.putIfAbsent(rec.partition(), rec.offset());
                r.next.put(rec.partition(), rec.offset() + 1);
                r.got++;
            }
        }
        return r;
    }

    static Map<TopicPartition, OffsetAndMetadata> offsets(String topic, Map<Integer, Long> next) {
        Map<TopicPartition, OffsetAndMetadata> m = new HashMap<>();
        for (Map.Entry<Integer, Long> e : next.entrySet())
            m.put(new TopicPartition(topic, e.getKey()), new OffsetAndMetadata(e.getValue()));
        return m;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: Resume BOOTSTRAP TOPIC GROUP M");
            System.exit(2);
        }
        String bs = args[0], topic = args[1], group = args[2];
        int m = Integer.parseInt(args[3]), half = m / 2;
        long t0 = System.currentTimeMillis();

        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bs);
        pp.put(ProducerConfig.CLIENT_ID_CONFIG, "resume-producer");
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        pp.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        pp.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        pp.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000");
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        Set<Integer> parts = new HashSet<>();
        try (KafkaProducer<String, String> prod = new KafkaProducer<>(pp)) {
            List<Future<RecordMetadata>> fs = new ArrayList<>();
            for (int i = 0; i < m; i++) fs.add(prod.send(new ProducerRecord<>(topic, "k" + i, "v" + i)));
            prod.flush();
            for (int i = 0; i < m; i++) {
                try {
                    parts.add(fs.get(i).get(30, TimeUnit.SECONDS).partition());
                } catch (Exception e) {
                    die("send v" + i + ": " + e);
                }
            }
        }
        say("produced " + m + " messages (idempotent producer) into partitions "
                + new java.util.TreeSet<>(parts));

        Run a;
        try (KafkaConsumer<String, String> ca = consumer(bs, topic, group, "resume-a")) {
            a = consume(ca, half, half, 0, System.currentTimeMillis() + 60000, null);
            if (a.got != half) die("consumer A processed " + a.got + " of " + half + " in 60 s");
            ca.commitSync(offsets(topic, a.next), Duration.ofSeconds(15));
        }
        say("A processed " + a.got + ", committed " + a.next + ", closed");

        try (KafkaConsumer<String, String> cb = consumer(bs, topic, group, "resume-b")) {
            Run b = consume(cb, m - half, null, 3000, System.currentTimeMillis() + 60000, a.seen);
            int missing = 0, example = -1;
            for (int i = 0; i < m; i++)
                if (!a.seen.containsKey(i) && !b.seen.containsKey(i)) {
                    if (missing++ == 0) example = i;
                }
            if (missing > 0) die(missing + " messages never delivered to A or B, e.g. v" + example);
            for (Map.Entry<Integer, Long> e : b.first.entrySet()) {
                long want = a.next.getOrDefault(e.getKey(), 0L);
                if (e.getValue() != want)
                    die("B started p" + e.getKey() + " at " + e.getValue() + ", A committed " + want);
            }
            say("B got exactly the other " + b.got + " messages");
            Map<Integer, Long> fin = new TreeMap<>(a.next);
            fin.putAll(b.next);
            cb.commitSync(offsets(topic, fin), Duration.ofSeconds(15));
            Set<TopicPartition> tps = new HashSet<>();
            for (int p : parts) tps.add(new TopicPartition(topic, p));
            Map<TopicPartition, OffsetAndMetadata> committed = cb.committed(tps, Duration.ofSeconds(15));
            Map<TopicPartition, Long> ends = cb.endOffsets(tps, Duration.ofSeconds(15));
            for (TopicPartition tp : tps) {
                OffsetAndMetadata om = committed.get(tp);
                if (om == null || om.offset() != ends.get(tp))
                    die("committed " + tp + " = " + om + ", end offset " + ends.get(tp));
            }
        }
        say("PASS: " + m + " messages, resume from the committed offsets, "
                + (System.currentTimeMillis() - t0) + " ms");
    }
}
