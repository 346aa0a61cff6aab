// The admin round trip through the Java AdminClient (kafka-clients from
// Maven Central), driven by compat-tests/java_admin.sh.
//
//   java AdminRoundTrip BOOTSTRAP TOPIC
//
//  0. describeCluster: one node, a cluster id;
//  1. createTopics: TOPIC, 3 partitions, retention.ms=3600000 and
//     max.message.bytes=1048576;
//  2. describeConfigs: both values, source DYNAMIC_TOPIC_CONFIG;
//  3. createPartitions to 5; describeTopics shows 5;
//  4. 10 records per partition (idempotent producer, the Java default); a
//     consumer in group TOPIC-admin reads all 50 and commits 10,4,7,10,1;
//  5. listConsumerGroups lists the group; describeConsumerGroups: Stable,
//     one member with our client id owning the 5 partitions;
//  6. listConsumerGroupOffsets + listOffsets(latest): lag 0,6,3,0,9;
//  7. after the consumer closes: Empty, no members, offsets kept;
//     deleteConsumerGroups, then the group is no longer listed;
//  8. deleteTopics; listTopics no longer shows TOPIC.
// Exit 0 on success, 1 on a failed check.

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ConsumerGroupState;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public final class AdminRoundTrip {
    private AdminRoundTrip() {}

    static final int BEFORE = 3, AFTER = 5, PER = 10;
    static final long[] COMMIT = {10, 4, 7, 10, 1};
    static final long[] LAG = {0, 6, 3, 0, 9};
    static int failures;

    static void say(String s) {
        System.err.println("AdminRoundTrip.java: " + s);
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            say("FAIL: " + what);
            failures++;
        }
    }

    /** Wait for a future; on failure print the API and the exception. */
    static <T> T get(String api, KafkaFuture<T> f) {
        try {
            return f.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            say("FAIL: " + api + ": " + e.getCause());
        } catch (Exception e) {
            say("FAIL: " + api + ": " + e);
        }
        System.exit(1);
        return null;
    }

    @SuppressWarnings("deprecation")
    static ConsumerGroupState state(ConsumerGroupDescription d) {
        return d.state();
    }

    static ConsumerGroupDescription describe(Admin admin, String group) {
        return get("describeConsumerGroups",
                admin.describeConsumerGroups(Collections.singleton(group)).describedGroups().get(group));
    }

    static boolean listed(Admin admin, String group) {
        Collection<ConsumerGroupListing> all = get("listConsumerGroups", admin.listConsumerGroups().all());
        for (ConsumerGroupListing l : all)
            if (l.groupId().equals(group)) return true;
        return false;
    }

    static void checkLag(Admin admin, String group, String topic) {
        Map<TopicPartition, OffsetAndMetadata> committed = get("listConsumerGroupOffsets",
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
        Map<TopicPartition, OffsetSpec> req = new HashMap<>();
        for (int p = 0; p < AFTER; p++) req.put(new TopicPartition(topic, p), OffsetSpec.latest());
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                get("listOffsets(latest)", admin.listOffsets(req).all());
        StringBuilder lags = new StringBuilder();
        for (int p = 0; p < AFTER; p++) {
            TopicPartition tp = new TopicPartition(topic, p);
            OffsetAndMetadata om = committed.get(tp);
            ListOffsetsResult.ListOffsetsResultInfo end = ends.get(tp);
            check(om != null && om.offset() == COMMIT[p], "committed offset of " + tp + ": " + om
                    + ", want " + COMMIT[p]);
            check(end != null && end.offset() == PER, "end offset of " + tp + ": " + end + ", want " + PER);
            if (om != null && end != null) {
                long lag = end.offset() - om.offset();
                check(lag == LAG[p], "lag of " + tp + ": " + lag + ", want " + LAG[p]);
                lags.append(p == 0 ? "" : ",").append(lag);
            }
        }
        say("   lag per partition " + lags);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: AdminRoundTrip BOOTSTRAP TOPIC");
            System.exit(2);
        }
        String bs = args[0], topic = args[1], group = topic + "-admin";
        Properties ap = new Properties();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bs);
        ap.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        ap.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        try (Admin admin = Admin.create(ap)) {
            DescribeClusterResult dc = admin.describeCluster();
            int nodes = get("describeCluster", dc.nodes()).size();
            String cid = get("describeCluster", dc.clusterId());
            check(nodes == 1 && cid != null && !cid.isEmpty(), "describeCluster: " + nodes + " nodes, id " + cid);
            say("0. describeCluster: " + nodes + " node, cluster id " + cid);

            Map<String, String> cfg = new HashMap<>();
            cfg.put("retention.ms", "3600000");
            cfg.put("max.message.bytes", "1048576");
            get("createTopics", admin.createTopics(Collections.singleton(
                    new NewTopic(topic, BEFORE, (short) 1).configs(cfg))).all());
            say("1. createTopics " + topic + ": " + BEFORE + " partitions, 2 configs");

            ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Map<ConfigResource, Config> configs = get("describeConfigs",
                    admin.describeConfigs(Collections.singleton(res)).all());
            Config c = configs.get(res);
            check(c != null, "describeConfigs: no answer for " + topic);
            if (c != null) {
                for (Map.Entry<String, String> e : cfg.entrySet()) {
                    ConfigEntry ce = c.get(e.getKey());
                    check(ce != null && e.getValue().equals(ce.value()),
                            "describeConfigs: " + e.getKey() + " = " + ce + ", want " + e.getValue());
                    check(ce != null && ce.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG,
                            "describeConfigs: " + e.getKey() + " source " + (ce == null ? null : ce.source())
                                    + ", want DYNAMIC_TOPIC_CONFIG");
                }
                say("2. describeConfigs: " + c.entries().size() + " entries, both set on the topic");
            }

            get("createPartitions", admin.createPartitions(
                    Collections.singletonMap(topic, NewPartitions.increaseTo(AFTER))).all());
            int parts = 0;
            long deadline = System.currentTimeMillis() + 10000;
            while (System.currentTimeMillis() < deadline) {
                TopicDescription td = get("describeTopics",
                        admin.describeTopics(Collections.singleton(topic)).topicNameValues().get(topic));
                parts = td.partitions().size();
                if (parts == AFTER) break;
                Thread.sleep(200);
            }
            check(parts == AFTER, "describeTopics after createPartitions: " + parts + " partitions, want " + AFTER);
            say("3. createPartitions: " + topic + " has " + parts + " partitions");

            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bs);
            pp.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
            pp.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
            pp.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000");
            pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            try (KafkaProducer<String, String> prod = new KafkaProducer<>(pp)) {
                for (int p = 0; p < AFTER; p++)
                    for (int i = 0; i < PER; i++)
                        prod.send(new ProducerRecord<>(topic, p, null, "p" + p + "-" + i)).get(30, TimeUnit.SECONDS);
            }

            Properties cp = new Properties();
            cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bs);
            cp.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            cp.put(ConsumerConfig.CLIENT_ID_CONFIG, "admin-rt-consumer");
            cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            try (KafkaConsumer<String, String> cons = new KafkaConsumer<>(cp)) {
                cons.subscribe(Collections.singleton(topic));
                int got = 0;
                deadline = System.currentTimeMillis() + 45000;
                while (got < AFTER * PER && System.currentTimeMillis() < deadline)
                    got += cons.poll(Duration.ofMillis(300)).count();
                if (got != AFTER * PER) {
                    say("FAIL: group consumer read " + got + " of " + AFTER * PER + " in 45 s");
                    System.exit(1);
                }
                Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
                for (int p = 0; p < AFTER; p++)
                    commit.put(new TopicPartition(topic, p), new OffsetAndMetadata(COMMIT[p]));
                cons.commitSync(commit, Duration.ofSeconds(15));
                say("4. group " + group + " read " + got + " records, committed 10,4,7,10,1");

                check(listed(admin, group), "listConsumerGroups does not list " + group);
                ConsumerGroupDescription d = describe(admin, group);
                check(state(d) == ConsumerGroupState.STABLE, "describeConsumerGroups: state " + state(d)
                        + ", want STABLE");
                check(d.members().size() == 1, "describeConsumerGroups: " + d.members().size() + " members, want 1");
                for (MemberDescription md : d.members()) {
                    check("admin-rt-consumer".equals(md.clientId()), "member client id " + md.clientId());
                    Set<TopicPartition> owned = md.assignment().topicPartitions();
                    check(owned.size() == AFTER, "member owns " + owned + ", want " + AFTER + " partitions");
                }
                say("5. group listed; described " + state(d) + " with " + d.members().size()
                        + " member, assignor " + d.partitionAssignor());
                say("6. offsets and lag with the member active:");
                checkLag(admin, group, topic);
            }
            ConsumerGroupDescription d = describe(admin, group);
            check(state(d) == ConsumerGroupState.EMPTY, "after close: state " + state(d) + ", want EMPTY");
            check(d.members().isEmpty(), "after close: " + d.members().size() + " members, want 0");
            say("7. consumer closed: group " + state(d) + ", " + d.members().size() + " members");
            checkLag(admin, group, topic);
            get("deleteConsumerGroups", admin.deleteConsumerGroups(Collections.singleton(group)).all());
            check(!listed(admin, group), "listConsumerGroups still lists " + group + " after delete");
            say("   deleteConsumerGroups: gone");

            get("deleteTopics", admin.deleteTopics(Collections.singleton(topic)).all());
            boolean gone = false;
            deadline = System.currentTimeMillis() + 10000;
            while (!gone && System.currentTimeMillis() < deadline) {
                gone = !get("listTopics", admin.listTopics().names()).contains(topic);
                if (!gone) Thread.sleep(200);
            }
            check(gone, "listTopics still shows " + topic + " after deleteTopics");
            say("8. deleteTopics: " + topic + " gone");
        }
        if (failures > 0) {
            say(failures + " check(s) failed");
            System.exit(1);
        }
        say("PASS: admin round trip through the Java AdminClient");
    }
}
