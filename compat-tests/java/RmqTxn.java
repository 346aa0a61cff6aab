// RmqTxn: transactional messages with the real RocketMQ Java client
// (TransactionMQProducer, rocketmq-client 4.9.8) against ferry-broker
// --standalone started with short check settings. Driven by java_rmq_txn.sh.
//
// Usage: RmqTxn outcomes NAMESRV TOPIC DIR CHECKMAX
//   Sends commit-0..4 (COMMIT in executeLocalTransaction), rollback-0..4
//   (ROLLBACK), unknown-0..2 (UNKNOW; checkLocalTransaction answers UNKNOW
//   until DIR/go exists, then COMMIT), laterrb-0..1 (the same, then
//   ROLLBACK) and never-0..1 (UNKNOW, always).
//   Prints "PENDING" once every send returned and each unknown-* was
//   checked at least once, then waits for DIR/go (the script reads the
//   topic with kcat meanwhile). Then a push consumer must get exactly
//   commit-* and unknown-* (once each, msgId = the send's), never
//   rollback-*, laterrb-* or never-*; each never-* must have been checked exactly
//   CHECKMAX times (then the broker rolls it back).
// Usage: RmqTxn restart NAMESRV TOPIC DIR N
//   Sends pending-0..N-1, all UNKNOW; once each was checked (and answered
//   UNKNOW) prints "PENDING"; the script kill -9s
//   and restarts the broker and creates DIR/go. From then on checks answer
//   COMMIT; every transaction must be checked after the restart and all N
//   must reach a push consumer.
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.LocalTransactionState;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.client.producer.TransactionListener;
import org.apache.rocketmq.client.producer.TransactionMQProducer;
import org.apache.rocketmq.client.producer.TransactionSendResult;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

public class RmqTxn {
    static int fails = 0;

    static void check(String what, boolean ok, Object detail) {
        System.out.printf("%s %-60s %s%n", ok ? "ok  " : "FAIL", what, detail);
        System.out.flush();
        if (!ok) fails++;
    }

    static String body(Message m) {
        return new String(m.getBody(), StandardCharsets.UTF_8);
    }

    static final Map<String, AtomicInteger> checks = new ConcurrentHashMap<>();
    static final Map<String, AtomicInteger> checksAfterGo = new ConcurrentHashMap<>();
    static volatile boolean go = false;

    static TransactionMQProducer producer(String ns, String run) throws Exception {
        TransactionMQProducer p = new TransactionMQProducer("ferry_txn_pg_" + run);
        p.setNamesrvAddr(ns);
        p.setInstanceName("tp-" + run);
        p.setTransactionListener(new TransactionListener() {
            public LocalTransactionState executeLocalTransaction(Message m, Object arg) {
                String b = body(m);
                if (b.startsWith("commit-")) return LocalTransactionState.COMMIT_MESSAGE;
                if (b.startsWith("rollback-")) return LocalTransactionState.ROLLBACK_MESSAGE;
                return LocalTransactionState.UNKNOW;
            }

            public LocalTransactionState checkLocalTransaction(MessageExt m) {
                String b = body(m);
                checks.computeIfAbsent(b, k -> new AtomicInteger()).incrementAndGet();
                if (go)
                    checksAfterGo.computeIfAbsent(b, k -> new AtomicInteger()).incrementAndGet();
                if (b.startsWith("never-")) return LocalTransactionState.UNKNOW;
                if (!go) return LocalTransactionState.UNKNOW;
                return b.startsWith("laterrb-") ? LocalTransactionState.ROLLBACK_MESSAGE
                                                : LocalTransactionState.COMMIT_MESSAGE;
            }
        });
        p.start();
        return p;
    }

    static Map<String, String> send(TransactionMQProducer p, String topic,
                                    List<String> bodies) throws Exception {
        Map<String, String> ids = new HashMap<>();
        int ok = 0;
        for (String b : bodies) {
            Message m = new Message(topic, "TagT", "k-" + b, b.getBytes(StandardCharsets.UTF_8));
            TransactionSendResult r = p.sendMessageInTransaction(m, null);
            if (r.getSendStatus() == SendStatus.SEND_OK) ok++;
            ids.put(b, r.getMsgId());
        }
        check("sendMessageInTransaction SEND_OK", ok == bodies.size(), ok + "/" + bodies.size());
        return ids;
    }

    static void waitGo(String dir, int secs) throws Exception {
        long deadline = System.currentTimeMillis() + secs * 1000L;
        File f = new File(dir, "go");
        while (!f.exists() && System.currentTimeMillis() < deadline)
            Thread.sleep(100);
        check("script said go", f.exists(), f);
        go = true;
    }

    static Map<String, MessageExt> consume(String ns, String topic, String run,
                                           Set<String> want, int secs) throws Exception {
        Map<String, MessageExt> got = new ConcurrentHashMap<>();
        AtomicInteger dup = new AtomicInteger();
        DefaultMQPushConsumer c = new DefaultMQPushConsumer("ferry_txn_cg_" + run);
        c.setNamesrvAddr(ns);
        c.setInstanceName("tc-" + run);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs)
                if (got.put(body(m), m) != null) dup.incrementAndGet();
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        long deadline = System.currentTimeMillis() + secs * 1000L;
        while (!got.keySet().containsAll(want) && System.currentTimeMillis() < deadline)
            Thread.sleep(200);
        Thread.sleep(2000); // anything extra would arrive now
        c.shutdown();
        check("no message consumed twice", dup.get() == 0, dup.get());
        return got;
    }

    public static void main(String[] a) throws Exception {
        String mode = a[0], ns = a[1], topic = a[2], dir = a[3];
        int num = Integer.parseInt(a[4]);
        String run = Long.toString(System.nanoTime());
        TransactionMQProducer p = producer(ns, run);
        if (mode.equals("outcomes")) {
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < 5; i++) bodies.add("commit-" + i);
            for (int i = 0; i < 5; i++) bodies.add("rollback-" + i);
            for (int i = 0; i < 3; i++) bodies.add("unknown-" + i);
            for (int i = 0; i < 2; i++) bodies.add("never-" + i);
            for (int i = 0; i < 2; i++) bodies.add("laterrb-" + i);
            Map<String, String> ids = send(p, topic, bodies);
            // every unknown-* checked (and answered UNKNOW) at least once
            long deadline = System.currentTimeMillis() + 30000;
            while (System.currentTimeMillis() < deadline
                    && !checks.keySet().containsAll(Arrays.asList("unknown-0", "unknown-1",
                            "unknown-2", "laterrb-0", "laterrb-1")))
                Thread.sleep(100);
            check("each UNKNOW transaction is checked back", checks.keySet().containsAll(
                    Arrays.asList("unknown-0", "unknown-1", "unknown-2", "laterrb-0",
                            "laterrb-1")), checks);
            System.out.println("PENDING");
            System.out.flush();
            waitGo(dir, 60);
            Set<String> want = new HashSet<>();
            for (String b : bodies)
                if (b.startsWith("commit-") || b.startsWith("unknown-")) want.add(b);
            Map<String, MessageExt> got = consume(ns, topic, run, want, 60);
            check("committed and later-committed messages are consumed",
                    got.keySet().containsAll(want), got.keySet());
            Set<String> extra = new TreeSet<>(got.keySet());
            extra.removeAll(want);
            check("no rolled-back or never-committed message is consumed",
                    extra.isEmpty(), extra);
            boolean sameIds = true;
            for (String b : want)
                if (got.containsKey(b) && !ids.get(b).equals(got.get(b).getMsgId())) sameIds = false;
            check("consumed msgId = the send result's msgId", sameIds, "");
            boolean tagsKeys = true;
            for (MessageExt m : got.values())
                tagsKeys &= "TagT".equals(m.getTags()) && ("k-" + body(m)).equals(m.getKeys())
                        && m.getProperty("REAL_TOPIC") == null;
            check("committed messages keep tag and key, no REAL_TOPIC", tagsKeys, "");
            // never-*: checked exactly CHECKMAX times, then rolled back
            deadline = System.currentTimeMillis() + 60000;
            while (System.currentTimeMillis() < deadline
                    && !(checks.containsKey("never-0") && checks.get("never-0").get() >= num
                         && checks.containsKey("never-1") && checks.get("never-1").get() >= num))
                Thread.sleep(200);
            Thread.sleep(4000); // no more checks may come
            check("laterrb-* checked after go (answered ROLLBACK) and no more",
                    checksAfterGo.containsKey("laterrb-0") && checksAfterGo.get("laterrb-0").get() == 1
                    && checksAfterGo.containsKey("laterrb-1") && checksAfterGo.get("laterrb-1").get() == 1,
                    checksAfterGo);
            check("never-0 checked transactionCheckMax times",
                    checks.containsKey("never-0") && checks.get("never-0").get() == num, checks.get("never-0"));
            check("never-1 checked transactionCheckMax times",
                    checks.containsKey("never-1") && checks.get("never-1").get() == num, checks.get("never-1"));
            boolean noDecidedChecked = true;
            for (String b : checks.keySet())
                if (b.startsWith("commit-") || b.startsWith("rollback-")) noDecidedChecked = false;
            check("committed / rolled-back transactions are never checked", noDecidedChecked, checks.keySet());
            Map<String, MessageExt> again = consume(ns, topic, run + "b", want, 30);
            Set<String> extra2 = new TreeSet<>(again.keySet());
            extra2.removeAll(want);
            check("after the rollbacks a new group still sees only the committed",
                    again.keySet().equals(want), extra2);
        } else if (mode.equals("restart")) {
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < num; i++) bodies.add("pending-" + i);
            send(p, topic, bodies);
            // checked (UNKNOW) once before the kill: the check copies and
            // their counts must survive it too
            long d0 = System.currentTimeMillis() + 30000;
            while (System.currentTimeMillis() < d0 && !checks.keySet().containsAll(bodies))
                Thread.sleep(100);
            check("each pending transaction is checked before the kill",
                    checks.keySet().containsAll(bodies), checks);
            System.out.println("PENDING");
            System.out.flush();
            waitGo(dir, 90);
            long deadline = System.currentTimeMillis() + 120000;
            while (System.currentTimeMillis() < deadline && !checksAfterGo.keySet().containsAll(bodies))
                Thread.sleep(200);
            check("every pending transaction is checked after the restart",
                    checksAfterGo.keySet().containsAll(bodies), checksAfterGo.keySet());
            Map<String, MessageExt> got = consume(ns, topic, run, new HashSet<>(bodies), 60);
            check("all committed after the restart are consumed",
                    got.keySet().equals(new HashSet<>(bodies)), got.keySet());
        }
        p.shutdown();
        System.out.println(fails == 0 ? "PASS" : "FAIL " + fails);
        System.exit(fails == 0 ? 0 : 1);
    }
}
