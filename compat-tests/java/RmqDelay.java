// RmqDelay: delayed delivery, retry and dead letters with the real RocketMQ
// Java client (rocketmq-client 4.9.8) against ferry-broker --standalone.
// Usage:
//   RmqDelay delay NAMESRV TOPIC   (broker with the default level table)
//     A push consumer is live (a plain message reached it) before:
//     1. a level-3 message (10 s): not delivered before 10 s after the send
//        started, delivered under 20 s;
//     2. __STARTDELIVERTIME = now + 4 s and TIMER_DELIVER_MS = now + 6 s
//        messages: not delivered before their time, at most 3 s late (the
//        lateness is printed).
//   RmqDelay retry NAMESRV TOPIC MAX   (broker with a short level table)
//     3. a push consumer (setMaxReconsumeTimes(MAX)) answers RECONSUME_LATER:
//        it sees the message MAX + 1 times with reconsumeTimes 0..MAX, then
//        never again; the message is in %DLQ%<group> (lite pull consumer):
//        same body and msgId, RETRY_TOPIC = TOPIC, reconsumeTimes MAX + 1;
//        found there by key and by msgId (QUERY_MESSAGE);
//     4. that dead letter re-sent to TOPIC (as mqadmin queryMsgById -s does:
//        the client reads it and sends it) is consumed by the group.
import java.nio.charset.StandardCharsets;
import java.util.*;
import java.util.concurrent.*;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.QueryResult;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

public class RmqDelay {
    static int fails = 0;

    static void check(String what, boolean ok, Object detail) {
        System.out.printf("%s %-62s %s%n", ok ? "ok  " : "FAIL", what, detail);
        if (!ok) fails++;
    }

    static String body(MessageExt m) {
        return new String(m.getBody(), StandardCharsets.UTF_8);
    }

    @SuppressWarnings("deprecation")
    public static void main(String[] a) throws Exception {
        String mode = a[0], ns = a[1], topic = a[2];
        String run = Long.toString(System.nanoTime());
        DefaultMQProducer p = new DefaultMQProducer("ferry_dpg_" + run);
        p.setNamesrvAddr(ns);
        p.setInstanceName("p-" + run);
        p.start();
        // create the topic before the consumer subscribes
        SendResult first = p.send(new Message(topic, "warm",
                "first".getBytes(StandardCharsets.UTF_8)), 5000);
        check("first send", first.getSendStatus() == SendStatus.SEND_OK, first);
        if (mode.equals("delay"))
            delay(p, ns, topic, run);
        else
            retry(p, ns, topic, run, Integer.parseInt(a[3]));
        p.shutdown();
        System.out.println(fails == 0 ? "PASS" : "FAILURES: " + fails);
        System.exit(fails == 0 ? 0 : 1);
    }

    static void delay(DefaultMQProducer p, String ns, String topic, String run)
            throws Exception {
        ConcurrentHashMap<String, Long> got = new ConcurrentHashMap<>();
        DefaultMQPushConsumer c = new DefaultMQPushConsumer("ferry_dcg_" + run);
        c.setNamesrvAddr(ns);
        c.setInstanceName("c-" + run);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            long now = System.currentTimeMillis();
            for (MessageExt m : msgs)
                got.putIfAbsent(body(m), now);
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        long until = System.currentTimeMillis() + 60000;
        while (!got.containsKey("first") && System.currentTimeMillis() < until)
            Thread.sleep(50);
        check("consumer live (plain message received)", got.containsKey("first"), "");

        long t0 = System.currentTimeMillis();
        Message lv = new Message(topic, "TagD", "kd",
                "level3".getBytes(StandardCharsets.UTF_8));
        lv.setDelayTimeLevel(3);
        SendResult r = p.send(lv, 5000);
        check("level-3 send", r.getSendStatus() == SendStatus.SEND_OK, r.getMsgId());
        long t1 = System.currentTimeMillis();
        long due1 = t1 + 4000, due2 = t1 + 6000;
        Message ali = new Message(topic, "TagT", "ka",
                "startdeliver".getBytes(StandardCharsets.UTF_8));
        ali.putUserProperty("__STARTDELIVERTIME", Long.toString(due1));
        SendResult r1 = p.send(ali, 5000);
        Message tm = new Message(topic, "TagT", "kt",
                "timerms".getBytes(StandardCharsets.UTF_8));
        tm.putUserProperty("TIMER_DELIVER_MS", Long.toString(due2));
        SendResult r2 = p.send(tm, 5000);
        check("timer sends", r1.getSendStatus() == SendStatus.SEND_OK &&
                r2.getSendStatus() == SendStatus.SEND_OK, "");

        until = t0 + 25000;
        while (got.size() < 4 && System.currentTimeMillis() < until)
            Thread.sleep(50);
        c.shutdown();
        Long g = got.get("level3");
        check("level-3 delivered", g != null, "");
        if (g != null) {
            check("level-3 not before 10 s", g - t0 >= 10000, (g - t0) + " ms after send");
            check("level-3 under 20 s", g - t0 < 20000, (g - t0) + " ms");
        }
        Long ga = got.get("startdeliver"), gt = got.get("timerms");
        check("__STARTDELIVERTIME delivered", ga != null, "");
        check("TIMER_DELIVER_MS delivered", gt != null, "");
        if (ga != null) {
            check("__STARTDELIVERTIME not early", ga >= due1, "late by " + (ga - due1) + " ms");
            check("__STARTDELIVERTIME at most 3 s late", ga - due1 <= 3000, "");
            System.out.println("LATENESS __STARTDELIVERTIME " + (ga - due1) + " ms");
        }
        if (gt != null) {
            check("TIMER_DELIVER_MS not early", gt >= due2, "late by " + (gt - due2) + " ms");
            check("TIMER_DELIVER_MS at most 3 s late", gt - due2 <= 3000, "");
            System.out.println("LATENESS TIMER_DELIVER_MS " + (gt - due2) + " ms");
        }
    }

    @SuppressWarnings("deprecation")
    static void retry(DefaultMQProducer p, String ns, String topic, String run,
                      int max) throws Exception {
        String group = "ferry_rcg_" + run;
        List<Integer> times = Collections.synchronizedList(new ArrayList<>());
        ConcurrentHashMap<String, MessageExt> resent = new ConcurrentHashMap<>();
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(group);
        c.setNamesrvAddr(ns);
        c.setInstanceName("c-" + run);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.setMaxReconsumeTimes(max);
        // %RETRY%<group> is created by the first heartbeat, after the
        // client's first route lookup: look again soon, not in 30 s
        c.setPollNameServerInterval(2000);
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                if (!body(m).equals("fail-me"))
                    continue;
                if ("true".equals(m.getUserProperty("resent"))) {
                    resent.put(m.getMsgId(), m);
                    continue;
                }
                times.add(m.getReconsumeTimes());
                System.out.printf("delivery %d: reconsumeTimes=%d topic=%s%n",
                        times.size(), m.getReconsumeTimes(), m.getTopic());
                return ConsumeConcurrentlyStatus.RECONSUME_LATER;
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        Message m = new Message(topic, "TagR", "kr",
                "fail-me".getBytes(StandardCharsets.UTF_8));
        m.putUserProperty("color", "red");
        SendResult r = p.send(m, 5000);
        check("send", r.getSendStatus() == SendStatus.SEND_OK, r.getMsgId());
        long until = System.currentTimeMillis() + 90000;
        while (times.size() < max + 1 && System.currentTimeMillis() < until)
            Thread.sleep(100);
        // no delivery after the last one (it went to the DLQ)
        Thread.sleep(5000);
        List<Integer> seen = new ArrayList<>(times);
        List<Integer> want = new ArrayList<>();
        for (int i = 0; i <= max; i++)
            want.add(i);
        check("reconsumeTimes grow 0.." + max + ", then no more", seen.equals(want), seen);
        // the dead letter
        String dlq = "%DLQ%" + group;
        DefaultLitePullConsumer lc = new DefaultLitePullConsumer("ferry_dlq_reader_" + run);
        lc.setNamesrvAddr(ns);
        lc.setInstanceName("l-" + run);
        lc.setAutoCommit(false);
        MessageExt dead = null;
        lc.start();
        Collection<MessageQueue> qs = lc.fetchMessageQueues(dlq);
        check("DLQ topic routed with 1 queue", qs.size() == 1, qs);
        lc.assign(new ArrayList<>(qs));
        for (MessageQueue q : qs)
            lc.seek(q, 0);
        until = System.currentTimeMillis() + 20000;
        while (dead == null && System.currentTimeMillis() < until)
            for (MessageExt x : lc.poll(1000))
                if (body(x).equals("fail-me"))
                    dead = x;
        lc.shutdown();
        check("dead letter in " + dlq, dead != null, "");
        if (dead != null) {
            check("dead letter keeps msgId", r.getMsgId().equals(dead.getMsgId()), dead.getMsgId());
            check("dead letter RETRY_TOPIC", topic.equals(dead.getProperty("RETRY_TOPIC")),
                    dead.getProperty("RETRY_TOPIC"));
            check("dead letter reconsumeTimes", dead.getReconsumeTimes() == max + 1,
                    dead.getReconsumeTimes());
            check("dead letter keeps properties", "red".equals(dead.getUserProperty("color")),
                    dead.getUserProperty("color"));
            // listed by key and by id in the DLQ topic (QUERY_MESSAGE)
            QueryResult qr = p.queryMessage(dlq, "kr", 32, 0, Long.MAX_VALUE);
            boolean byKey = false;
            for (MessageExt x : qr.getMessageList())
                byKey |= body(x).equals("fail-me") && x.getTopic().equals(dlq);
            check("dead letter found by key in " + dlq, byKey, qr.getMessageList().size());
            MessageExt byId = p.viewMessage(dlq, dead.getMsgId());
            check("dead letter found by msgId in " + dlq,
                    byId != null && body(byId).equals("fail-me"), "");
            // re-send to the original topic, as mqadmin queryMsgById -s does
            Message again = new Message(dead.getProperty("RETRY_TOPIC"), dead.getTags(),
                    dead.getKeys(), dead.getBody());
            again.putUserProperty("color", dead.getUserProperty("color"));
            again.putUserProperty("resent", "true");
            SendResult rs = p.send(again, 5000);
            check("re-send of the dead letter", rs.getSendStatus() == SendStatus.SEND_OK, rs.getMsgId());
            until = System.currentTimeMillis() + 30000;
            while (resent.isEmpty() && System.currentTimeMillis() < until)
                Thread.sleep(100);
            check("re-sent dead letter consumed by the group", !resent.isEmpty(), "");
        }
        c.shutdown();
    }
}
