// NsRoute: the real RocketMQ Java client (rocketmq-client 4.9.8) asks
// ferry-namesrv for routes. Usage: NsRoute NAMESRV TOPIC QUEUES BROKER
//   - fetchPublishMessageQueues(TOPIC) must give QUEUES queues on BROKER
//     (the client parses our TopicRouteData JSON and builds its publish
//     info from it);
//   - the cluster info must list BROKER;
//   - an unknown topic must fail the way the client fails on
//     TOPIC_NOT_EXIST (no queues, MQClientException).
import java.util.List;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.common.protocol.body.ClusterInfo;

public class NsRoute {
    static int fails = 0;

    static void check(String what, boolean ok, Object detail) {
        System.out.printf("%s %-50s %s%n", ok ? "ok  " : "FAIL", what, detail);
        if (!ok) fails++;
    }

    @SuppressWarnings("deprecation")
    public static void main(String[] a) throws Exception {
        String ns = a[0], topic = a[1], broker = a[3];
        int queues = Integer.parseInt(a[2]);
        DefaultMQProducer p = new DefaultMQProducer("ferry_ns_probe");
        p.setNamesrvAddr(ns);
        p.setInstanceName("ns-probe-" + System.nanoTime());
        p.start();
        try {
            List<MessageQueue> qs = p.fetchPublishMessageQueues(topic);
            check("publish queues for " + topic, qs.size() == queues, qs);
            boolean allOnBroker = !qs.isEmpty();
            for (MessageQueue q : qs)
                allOnBroker &= q.getBrokerName().equals(broker)
                        && q.getTopic().equals(topic);
            check("every queue is on " + broker, allOnBroker, qs);
            ClusterInfo ci = p.getDefaultMQProducerImpl().getmQClientFactory()
                    .getMQClientAPIImpl().getBrokerClusterInfo(3000);
            check("cluster info lists " + broker,
                    ci.getBrokerAddrTable().containsKey(broker),
                    ci.getBrokerAddrTable().keySet());
            boolean threw = false;
            try {
                List<MessageQueue> none =
                        p.fetchPublishMessageQueues("NoSuchTopicAtAll");
                threw = none.isEmpty();
            } catch (MQClientException e) {
                threw = true;
            }
            check("unknown topic has no route", threw, "");
        } finally {
            p.shutdown();
        }
        System.out.println(fails == 0 ? "PASS" : "FAIL " + fails);
        System.exit(fails == 0 ? 0 : 1);
    }
}
