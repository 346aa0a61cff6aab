// What the Java AdminClient says a Kafka group's lag is, for
// compat-tests/java_ferryctl_lag.sh to compare with ferryctl's.
//
//   java FerryctlLag BOOTSTRAP TOPIC GROUP commit P0,P1,...
//       a consumer in GROUP reads TOPIC (every partition), then commits
//       the given offset per partition and leaves;
//   java FerryctlLag BOOTSTRAP TOPIC GROUP lag
//       listConsumerGroupOffsets(GROUP) + listOffsets(latest) for every
//       partition of TOPIC; prints one line per partition:
//       "PARTITION COMMITTED END LAG" (COMMITTED -1 when none), then
//       "total LAG".
// Exit 0 on success, 1 on a failure.

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

public final class FerryctlLag {
    private FerryctlLag() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: FerryctlLag BOOTSTRAP TOPIC GROUP commit P0,P1,.. | lag");
            System.exit(1);
        }
        String bootstrap = args[0], topic = args[1], group = args[2];
        Properties ap = new Properties();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        ap.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15000);
        try (Admin admin = Admin.create(ap)) {
            TopicDescription td = admin.describeTopics(Collections.singleton(topic))
                    .allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            int parts = td.partitions().size();
            if (args[3].equals("commit")) {
                commit(bootstrap, topic, group, parts, args[4]);
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> committed = admin
                    .listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> req = new HashMap<>();
            for (int p = 0; p < parts; p++) req.put(new TopicPartition(topic, p), OffsetSpec.latest());
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                    admin.listOffsets(req).all().get(30, TimeUnit.SECONDS);
            long total = 0;
            for (int p = 0; p < parts; p++) {
                TopicPartition tp = new TopicPartition(topic, p);
                OffsetAndMetadata om = committed.get(tp);
                long end = ends.get(tp).offset();
                long c = om == null ? -1 : om.offset();
                long lag = om == null ? 0 : Math.max(0, end - c);
                total += lag;
                System.out.println(p + " " + c + " " + end + " " + lag);
            }
            System.out.println("total " + total);
        }
    }

    static void commit(String bootstrap, String topic, String group, int parts, String spec)
            throws Exception {
        String[] want = spec.split(",");
        if (want.length != parts) throw new IllegalArgumentException("need " + parts + " offsets");
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(cp)) {
            c.subscribe(Collections.singleton(topic));
            long deadline = System.currentTimeMillis() + 30000;
            int got = 0;
            while (System.currentTimeMillis() < deadline && c.assignment().size() < parts) {
                ConsumerRecords<String, String> rs = c.poll(Duration.ofMillis(200));
                got += rs.count();
            }
            if (c.assignment().size() < parts) {
                System.err.println("no assignment of all " + parts + " partitions");
                System.exit(1);
            }
            Map<TopicPartition, OffsetAndMetadata> offs = new HashMap<>();
            for (int p = 0; p < parts; p++)
                offs.put(new TopicPartition(topic, p), new OffsetAndMetadata(Long.parseLong(want[p])));
            c.commitSync(offs, Duration.ofSeconds(15));
            System.out.println("committed " + spec + " (read " + got + ")");
        }
    }
}
