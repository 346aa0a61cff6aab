// Cross: the RocketMQ side of the cross-protocol test (cross_protocol.sh).
//   Cross send NAMESRV TOPIC N     sync-sends N messages (tag TagX, key
//       k-i, user property color=blue); prints "queue offset body" per send
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
