// RmqBasic: the real RocketMQ Java client (rocketmq-client 4.9.8) against
// ferry-broker --standalone (embedded name server).
// Usage: RmqBasic NAMESRV TOPIC N
//   1. DefaultMQProducer sync-sends N messages (tags TagA/TagB alternating,
//      a key each); every send must be SEND_OK with a queue offset.
//   2. A DefaultMQPushConsumer (CLUSTERING) subscribed to "TagA" must get
//      exactly the N/2 TagA messages (bodies, keys and tags checked), none
//      twice, within a time limit.
//   3. A batch of 10 (SEND_BATCH_MESSAGE) gets 10 message ids.
//   4. A DefaultLitePullConsumer with "*" reads all N + 10, the batch at
//      consecutive offsets.
import java.nio.charset.StandardCharsets;
import java.util.*;
import java.util.concurrent.*;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

public class RmqBasic {
    static int fails = 0;

    static void check(String what, boolean ok, Object detail) {
        System.out.printf("%s %-55s %s%n", ok ? "ok  " : "FAIL", what, detail);
        if (!ok) fails++;
    }

    @SuppressWarnings("deprecation")
    public static void main(String[] a) throws Exception {
        String ns = a[0], topic = a[1];
        int n = Integer.parseInt(a[2]);
        String run = Long.toString(System.nanoTime());

        DefaultMQProducer p = new DefaultMQProducer("ferry_pg_" + run);
        p.setNamesrvAddr(ns);
        p.setInstanceName("p-" + run);
        p.start();
        int ok = 0;
        String firstId = null;
        Set<Integer> queues = new HashSet<>();
        for (int i = 0; i < n; i++) {
            Message m = new Message(topic, i % 2 == 0 ? "TagA" : "TagB",
                    "key-" + i, ("body-" + i).getBytes(StandardCharsets.UTF_8));
            SendResult r = p.send(m, 5000);
            if (r.getSendStatus() == SendStatus.SEND_OK && r.getQueueOffset() >= 0)
                ok++;
            if (i == 0)
                firstId = r.getOffsetMsgId();
            queues.add(r.getMessageQueue().getQueueId());
        }
        // a batch of 10 (SEND_BATCH_MESSAGE), all to one queue
        List<Message> batch = new ArrayList<>();
        for (int i = 0; i < 10; i++)
            batch.add(new Message(topic, "TagB", "bkey-" + i,
                    ("batch-" + i).getBytes(StandardCharsets.UTF_8)));
        SendResult br = p.send(batch, 5000);
        // query by id (VIEW_MESSAGE_BY_ID) and by key (QUERY_MESSAGE)
        MessageExt viewed = p.viewMessage(firstId);
        check("view by offsetMsgId finds body-0",
                "body-0".equals(new String(viewed.getBody(), StandardCharsets.UTF_8)),
                viewed);
        org.apache.rocketmq.client.QueryResult qr =
                p.queryMessage(topic, "key-7", 10, 0, Long.MAX_VALUE);
        boolean foundKey = false;
        for (MessageExt m : qr.getMessageList())
            foundKey |= "body-7".equals(new String(m.getBody(), StandardCharsets.UTF_8));
        check("query by key key-7 finds body-7", foundKey, qr.getMessageList().size());
        // UPDATE_AND_CREATE_TOPIC through the admin API, then its route
        p.createTopic("TBW102", topic + "_made", 3);
        List<org.apache.rocketmq.common.message.MessageQueue> made =
                p.fetchPublishMessageQueues(topic + "_made");
        check("createTopic makes a routed topic with 3 queues",
                made.size() == 3, made);
        p.shutdown();
        check("sync sends SEND_OK", ok == n, ok + "/" + n);
        check("batch send SEND_OK with 10 message ids",
                br.getSendStatus() == SendStatus.SEND_OK
                        && br.getOffsetMsgId() != null
                        && br.getOffsetMsgId().split(",").length == 10,
                br);
        check("sends spread over queues", queues.size() > 1, queues);

        ConcurrentHashMap<String, Integer> got = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<String> bad = new ConcurrentLinkedQueue<>();
        DefaultMQPushConsumer c = new DefaultMQPushConsumer("ferry_cg_" + run);
        c.setNamesrvAddr(ns);
        c.setInstanceName("c-" + run);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe(topic, "TagA");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                String body = new String(m.getBody(), StandardCharsets.UTF_8);
                int i = Integer.parseInt(body.substring(5));
                if (!"TagA".equals(m.getTags()) || !("key-" + i).equals(m.getKeys())
                        || i % 2 != 0)
                    bad.add(body + " tags=" + m.getTags() + " keys=" + m.getKeys());
                got.merge(body, 1, Integer::sum);
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        long deadline = System.currentTimeMillis() + 60000;
        while (got.size() < n / 2 && System.currentTimeMillis() < deadline)
            Thread.sleep(200);
        Thread.sleep(1000); // anything extra would arrive now
        c.shutdown();
        check("push consumer got every TagA message", got.size() == n / 2,
                got.size() + "/" + (n / 2));
        check("only TagA messages, with their keys", bad.isEmpty(), bad);
        check("no message twice",
                got.values().stream().allMatch(v -> v == 1), "");

        DefaultLitePullConsumer lc = new DefaultLitePullConsumer("ferry_lp_" + run);
        lc.setNamesrvAddr(ns);
        lc.setInstanceName("l-" + run);
        lc.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        lc.subscribe(topic, "*");
        lc.start();
        Set<String> all = new HashSet<>();
        Map<String, Long> batchOffsets = new HashMap<>();
        deadline = System.currentTimeMillis() + 60000;
        while (all.size() < n + 10 && System.currentTimeMillis() < deadline)
            for (MessageExt m : lc.poll(1000)) {
                String body = new String(m.getBody(), StandardCharsets.UTF_8);
                all.add(body);
                if (body.startsWith("batch-"))
                    batchOffsets.put(body, m.getQueueOffset());
            }
        lc.shutdown();
        check("lite pull consumer read all messages", all.size() == n + 10,
                all.size() + "/" + (n + 10));
        boolean consecutive = batchOffsets.size() == 10;
        for (int i = 1; consecutive && i < 10; i++)
            consecutive = batchOffsets.get("batch-" + i)
                    == batchOffsets.get("batch-0") + i;
        check("batch messages sit at consecutive offsets", consecutive,
                batchOffsets);
        System.out.println(fails == 0 ? "PASS" : "FAIL " + fails);
        System.exit(fails == 0 ? 0 : 1);
    }
}
