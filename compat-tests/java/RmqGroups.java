// RmqGroups: consumption models with the real RocketMQ Java client
// (rocketmq-client 4.9.8). Usage: RmqGroups NAMESRV TOPIC N
//   1. async and oneway sends (N/2 each) all arrive;
//   2. two DefaultMQPushConsumer instances of one CLUSTERING group (started
//      and settled before the sends) get every message exactly once
//      between them, and both get some;
//   3. two BROADCASTING consumers each get every message;
//   4. committed offsets survive a consumer restart: after the CLUSTERING
//      group has consumed everything and shut down, N more messages are
//      sent and a restarted group member gets exactly those.
import java.nio.charset.StandardCharsets;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.protocol.heartbeat.MessageModel;

public class RmqGroups {
    static int fails = 0;
    static String ns;

    static void check(String what, boolean ok, Object detail) {
        System.out.printf("%s %-58s %s%n", ok ? "ok  " : "FAIL", what, detail);
        if (!ok) fails++;
    }

    static DefaultMQPushConsumer consumer(String group, String name,
            MessageModel model, String topic, Map<String, Integer> got)
            throws Exception {
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(group);
        c.setNamesrvAddr(ns);
        c.setInstanceName(name);
        c.setMessageModel(model);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs)
                synchronized (got) {
                    got.merge(new String(m.getBody(), StandardCharsets.UTF_8),
                            1, Integer::sum);
                }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        return c;
    }

    static void waitFor(java.util.function.BooleanSupplier done, long ms)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + ms;
        while (!done.getAsBoolean() && System.currentTimeMillis() < deadline)
            Thread.sleep(200);
    }

    static int sum(Map<String, Integer> m) {
        synchronized (m) {
            return m.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    public static void main(String[] a) throws Exception {
        ns = a[0];
        String topic = a[1];
        int n = Integer.parseInt(a[2]);
        String run = Long.toString(System.nanoTime());
        DefaultMQProducer p = new DefaultMQProducer("grp_pg_" + run);
        p.setNamesrvAddr(ns);
        p.setInstanceName("p-" + run);
        p.start();
        // make the topic (4 queues) before any consumer starts
        p.createTopic("TBW102", topic, 4);
        waitFor(() -> false, 1500);
        Map<String, Integer> c1 = new HashMap<>(), c2 = new HashMap<>();
        DefaultMQPushConsumer k1 = consumer("grp_cl_" + run, "k1-" + run,
                MessageModel.CLUSTERING, topic, c1);
        DefaultMQPushConsumer k2 = consumer("grp_cl_" + run, "k2-" + run,
                MessageModel.CLUSTERING, topic, c2);
        k1.start();
        k2.start();
        Map<String, Integer> b1 = new HashMap<>(), b2 = new HashMap<>();
        DefaultMQPushConsumer bc1 = consumer("grp_bc_" + run, "b1-" + run,
                MessageModel.BROADCASTING, topic, b1);
        DefaultMQPushConsumer bc2 = consumer("grp_bc_" + run, "b2-" + run,
                MessageModel.BROADCASTING, topic, b2);
        bc1.start();
        bc2.start();
        // let both groups settle (each member rebalanced onto its queues)
        // before anything is sent: exactly-once between the CLUSTERING
        // members is then a property of the broker, not of timing
        Thread.sleep(6000);
        CountDownLatch acked = new CountDownLatch(n / 2);
        AtomicInteger asyncOk = new AtomicInteger();
        for (int i = 0; i < n / 2; i++)
            p.send(new Message(topic, "T", ("async-" + i).getBytes(StandardCharsets.UTF_8)),
                    new SendCallback() {
                        public void onSuccess(SendResult r) { asyncOk.incrementAndGet(); acked.countDown(); }
                        public void onException(Throwable e) { acked.countDown(); }
                    });
        acked.await(30, TimeUnit.SECONDS);
        check("async sends acknowledged", asyncOk.get() == n / 2, asyncOk.get());
        for (int i = 0; i < n / 2; i++)
            p.sendOneway(new Message(topic, "T", ("oneway-" + i).getBytes(StandardCharsets.UTF_8)));

        waitFor(() -> sum(c1) + sum(c2) >= n && b1.size() >= n && b2.size() >= n, 90000);
        Thread.sleep(2000); // duplicates, if any, would arrive now
        Set<String> union = new HashSet<>(c1.keySet());
        union.addAll(c2.keySet());
        check("oneway and async messages all stored", union.size() == n, union.size() + "/" + n);
        check("CLUSTERING: every message once between the two",
                union.size() == n && sum(c1) + sum(c2) == n,
                "c1=" + sum(c1) + " c2=" + sum(c2));
        check("CLUSTERING: both members consumed", sum(c1) > 0 && sum(c2) > 0,
                "c1=" + sum(c1) + " c2=" + sum(c2));
        check("BROADCASTING: each member got every message",
                b1.size() == n && b2.size() == n, "b1=" + b1.size() + " b2=" + b2.size());
        bc1.shutdown();
        bc2.shutdown();
        k1.shutdown(); // persists the group's offsets on the broker
        k2.shutdown();

        for (int i = 0; i < n; i++)
            p.send(new Message(topic, "T", ("later-" + i).getBytes(StandardCharsets.UTF_8)));
        p.shutdown();
        Map<String, Integer> c3 = new HashMap<>();
        DefaultMQPushConsumer k3 = consumer("grp_cl_" + run, "k3-" + run,
                MessageModel.CLUSTERING, topic, c3);
        k3.start();
        waitFor(() -> sum(c3) >= n, 60000);
        Thread.sleep(2000);
        k3.shutdown();
        boolean onlyLater = c3.keySet().stream().allMatch(s -> s.startsWith("later-"));
        check("restarted member resumes at the committed offsets",
                onlyLater && c3.size() == n && sum(c3) == n,
                "got " + sum(c3) + ", only later: " + onlyLater);
        System.out.println(fails == 0 ? "PASS" : "FAIL " + fails);
        System.exit(fails == 0 ? 0 : 1);
    }
}
