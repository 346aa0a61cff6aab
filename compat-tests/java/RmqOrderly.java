// RmqOrderly: MessageListenerOrderly with queue locks (LOCK_BATCH_MQ).
// Usage: RmqOrderly NAMESRV TOPIC
//   8 orders x 40 steps, each order sent to one queue (selector by order
//   id); an orderly consumer consumes about half and shuts down; a second
//   member of the same group takes over. Within each consumer, every
//   order's steps must arrive strictly increasing; together they must
//   cover every step, and the second must start no later than where the
//   first stopped (committed offsets).
import java.nio.charset.StandardCharsets;
import java.util.*;
import java.util.concurrent.*;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeOrderlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerOrderly;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

public class RmqOrderly {
    static final int ORDERS = 8, STEPS = 40;

    static DefaultMQPushConsumer consumer(String ns, String group, String name,
            String topic, List<int[]> seen, int delayMs) throws Exception {
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(group);
        c.setNamesrvAddr(ns);
        c.setInstanceName(name);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerOrderly) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                String[] p = new String(m.getBody(), StandardCharsets.UTF_8).split(":");
                synchronized (seen) {
                    seen.add(new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])});
                }
                if (delayMs > 0) {
                    try { Thread.sleep(delayMs); } catch (InterruptedException e) { }
                }
            }
            return ConsumeOrderlyStatus.SUCCESS;
        });
        return c;
    }

    static boolean inOrder(List<int[]> seen, StringBuilder why) {
        int[] last = new int[ORDERS];
        Arrays.fill(last, -1);
        synchronized (seen) {
            for (int[] s : seen) {
                if (s[1] <= last[s[0]]) {
                    why.append("order " + s[0] + ": step " + s[1] + " after " + last[s[0]]);
                    return false;
                }
                last[s[0]] = s[1];
            }
        }
        return true;
    }

    public static void main(String[] a) throws Exception {
        String ns = a[0], topic = a[1];
        String run = Long.toString(System.nanoTime());
        DefaultMQProducer p = new DefaultMQProducer("ord_pg_" + run);
        p.setNamesrvAddr(ns);
        p.setInstanceName("op-" + run);
        p.start();
        p.createTopic("TBW102", topic, 4);
        Thread.sleep(1500);
        for (int s = 0; s < STEPS; s++)
            for (int o = 0; o < ORDERS; o++)
                p.send(new Message(topic, "O", (o + ":" + s).getBytes(StandardCharsets.UTF_8)),
                        (mqs, msg, arg) -> mqs.get((Integer) arg % mqs.size()), o);
        p.shutdown();
        int total = ORDERS * STEPS;
        String group = "ord_cg_" + run;
        List<int[]> first = new ArrayList<>(), second = new ArrayList<>();
        DefaultMQPushConsumer c1 = consumer(ns, group, "o1-" + run, topic, first, 25);
        c1.start();
        long deadline = System.currentTimeMillis() + 60000;
        while (first.size() < total / 2 && System.currentTimeMillis() < deadline)
            Thread.sleep(20);
        c1.shutdown();
        DefaultMQPushConsumer c2 = consumer(ns, group, "o2-" + run, topic, second, 0);
        c2.start();
        Set<String> all = new HashSet<>();
        deadline = System.currentTimeMillis() + 90000;
        while (System.currentTimeMillis() < deadline) {
            all.clear();
            synchronized (first) { for (int[] s : first) all.add(s[0] + ":" + s[1]); }
            synchronized (second) { for (int[] s : second) all.add(s[0] + ":" + s[1]); }
            if (all.size() >= total)
                break;
            Thread.sleep(200);
        }
        c2.shutdown();
        int fails = 0;
        StringBuilder why = new StringBuilder();
        boolean o1 = inOrder(first, why), o2 = inOrder(second, why);
        System.out.printf("%s per-order sequence in each consumer %s%n",
                o1 && o2 ? "ok  " : "FAIL", why);
        if (!(o1 && o2)) fails++;
        System.out.printf("%s every step consumed (%d/%d; first %d, second %d)%n",
                all.size() == total ? "ok  " : "FAIL", all.size(), total,
                first.size(), second.size());
        if (all.size() != total) fails++;
        boolean bothWorked = first.size() > 0 && second.size() > 0;
        System.out.printf("%s the restarted member took over (second got %d)%n",
                bothWorked ? "ok  " : "FAIL", second.size());
        if (!bothWorked) fails++;
        System.out.println(fails == 0 ? "PASS" : "FAIL");
        System.exit(fails == 0 ? 0 : 1);
    }
}
