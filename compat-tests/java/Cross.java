// Cross: the RocketMQ side of the cross-protocol test (cross_protocol.sh).
//   Cross send NAMESRV TOPIC N     makes TOPIC with one queue, then
//       sync-sends N messages (tag TagX, key k-i, user property
//       color=blue); prints "queue offset body" per send
//   Cross push NAMESRV TOPIC N EXPR  a CLUSTERING push consumer with tag
//       expression EXPR, from the first offset, until N messages; prints
//       "queue offset body tags keys" per message
//   Cross pull NAMESRV TOPIC N EXPR  a lite pull consumer (assigned every
//       queue, from offset 0) with tag expression EXPR reads until N
//       messages; prints "queue offset body tags keys" per message
import java.nio.charset.StandardCharsets;
import java.util.*;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

public class Cross {
    public static void main(String[] a) throws Exception {
        String mode = a[0], ns = a[1], topic = a[2];
        int n = Integer.parseInt(a[3]);
        String run = Long.toString(System.nanoTime());
        if (mode.equals("send")) {
            DefaultMQProducer p = new DefaultMQProducer("cross_pg_" + run);
            p.setNamesrvAddr(ns);
            p.setInstanceName("cp-" + run);
            p.start();
            p.createTopic("TBW102", topic, 1);
            Thread.sleep(1500);
            for (int i = 0; i < n; i++) {
                Message m = new Message(topic, "TagX", "k-" + i,
                        ("rmq-" + i).getBytes(StandardCharsets.UTF_8));
                m.putUserProperty("color", "blue");
                SendResult r = p.send(m, 5000);
                System.out.println(r.getMessageQueue().getQueueId() + " "
                        + r.getQueueOffset() + " rmq-" + i);
            }
            p.shutdown();
            return;
        }
        if (mode.equals("push")) {
            java.util.concurrent.ConcurrentLinkedQueue<String> lines =
                    new java.util.concurrent.ConcurrentLinkedQueue<>();
            org.apache.rocketmq.client.consumer.DefaultMQPushConsumer pc =
                    new org.apache.rocketmq.client.consumer.DefaultMQPushConsumer(
                            "cross_push_" + run);
            pc.setNamesrvAddr(ns);
            pc.setInstanceName("cpush-" + run);
            pc.setConsumeFromWhere(
                    org.apache.rocketmq.common.consumer.ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
            pc.subscribe(topic, a[4]);
            pc.registerMessageListener(
                    (org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently)
                    (msgs, ctx) -> {
                        for (MessageExt m : msgs)
                            lines.add(m.getQueueId() + " " + m.getQueueOffset() + " "
                                    + new String(m.getBody(), StandardCharsets.UTF_8)
                                    + " " + m.getTags() + " " + m.getKeys());
                        return org.apache.rocketmq.client.consumer.listener
                                .ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
                    });
            pc.start();
            long deadline = System.currentTimeMillis() + 90000;
            while (lines.size() < n && System.currentTimeMillis() < deadline)
                Thread.sleep(200);
            Thread.sleep(1500);
            pc.shutdown();
            for (String l : lines)
                System.out.println(l);
            return;
        }
        DefaultLitePullConsumer c = new DefaultLitePullConsumer("cross_cg_" + run);
        c.setNamesrvAddr(ns);
        c.setInstanceName("cc-" + run);
        c.setSubExpressionForAssign(topic, a[4]);
        c.start();
        Collection<MessageQueue> mqs = c.fetchMessageQueues(topic);
        c.assign(mqs);
        for (MessageQueue mq : mqs)
            c.seek(mq, 0);
        int got = 0;
        long deadline = System.currentTimeMillis() + 60000;
        while (got < n && System.currentTimeMillis() < deadline) {
            for (MessageExt m : c.poll(1000)) {
                System.out.println(m.getQueueId() + " " + m.getQueueOffset() + " "
                        + new String(m.getBody(), StandardCharsets.UTF_8) + " "
                        + m.getTags() + " " + m.getKeys());
                got++;
            }
        }
        c.shutdown();
    }
}
