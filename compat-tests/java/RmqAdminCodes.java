// The admin codes of Ferry's RocketMQ face read by RocketMQ's own Java
// client code (MQClientAPIImpl from rocketmq-client 4.9.8, what mqadmin
// and the consoles call), so its fastjson bodies - MessageQueue-keyed
// maps included - parse into RocketMQ's classes.  Driven by
// compat-tests/java_rmq_admin.sh.
//
//   java RmqAdminCodes NAMESRV TOPIC GROUP
//
//  1. 6 messages sent; GET_TOPIC_STATS_INFO: sum of max-min over TOPIC's
//     queues is 6, every key a MessageQueue of TOPIC;
//  2. a push consumer in GROUP reads all 6; GET_CONSUMER_CONNECTION_LIST:
//     one connection with its client id, TOPIC in the subscription table;
//  3. GET_CONSUME_STATS: consumer offsets sum to 6 (after its commit),
//     computeTotalDiff() 0; GET_ALL_SUBSCRIPTIONGROUP_CONFIG lists GROUP;
//  4. INVOKE_BROKER_TO_RESET_OFFSET while the consumer is live: refused;
//     after it stops, to timestamp 0: every queue at its first offset,
//     and consume stats then show a total diff of 6;
//  5. GET_BROKER_RUNTIME_INFO has brokerVersionDesc;
//  6. DELETE_SUBSCRIPTIONGROUP, then its consume stats are refused;
//     DELETE_TOPIC_IN_BROKER + DELETE_TOPIC_IN_NAMESRV, then its stats
//     are refused.
// Exit 0 on success, 1 on a failed check.

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.admin.ConsumeStats;
import org.apache.rocketmq.common.admin.OffsetWrapper;
import org.apache.rocketmq.common.admin.TopicOffset;
import org.apache.rocketmq.common.admin.TopicStatsTable;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.common.protocol.body.ConsumerConnection;
import org.apache.rocketmq.common.protocol.body.KVTable;
import org.apache.rocketmq.common.protocol.body.SubscriptionGroupWrapper;

public final class RmqAdminCodes {
    private RmqAdminCodes() {}

    static final long T = 10000;

    static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("FAIL: " + what);
            System.exit(1);
        }
        System.out.println("ok: " + what);
    }

    public static void main(String[] args) throws Exception {
        String ns = args[0], topic = args[1], group = args[2];
        DefaultMQProducer p = new DefaultMQProducer(group + "-producer");
        p.setNamesrvAddr(ns);
        p.start();
        String addr = null;
        for (int i = 0; i < 6; i++) {
            SendResult r = p.send(new Message(topic, "TA", ("admin " + i).getBytes("UTF-8")));
            if (addr == null) {
                addr = p.getDefaultMQProducerImpl().getmQClientFactory()
                        .findBrokerAddressInPublish(r.getMessageQueue().getBrokerName());
            }
        }
        MQClientAPIImpl api = p.getDefaultMQProducerImpl().getmQClientFactory().getMQClientAPIImpl();

        TopicStatsTable ts = api.getTopicStatsInfo(addr, topic, T);
        long total = 0;
        for (Map.Entry<MessageQueue, TopicOffset> e : ts.getOffsetTable().entrySet()) {
            check(e.getKey().getTopic().equals(topic), "topic stats key " + e.getKey());
            total += e.getValue().getMaxOffset() - e.getValue().getMinOffset();
        }
        check(total == 6, "GET_TOPIC_STATS_INFO counts 6 messages (got " + total + ")");

        AtomicInteger got = new AtomicInteger();
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(group);
        c.setNamesrvAddr(ns);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.setPersistConsumerOffsetInterval(500);
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (List<MessageExt> msgs, 
                org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyContext ctx) -> {
            got.addAndGet(msgs.size());
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        long deadline = System.currentTimeMillis() + 60000;
        while (got.get() < 6 && System.currentTimeMillis() < deadline) Thread.sleep(100);
        check(got.get() >= 6, "push consumer read all 6");

        ConsumerConnection cc = api.getConsumerConnectionList(addr, group, T);
        check(cc.getConnectionSet().size() == 1, "one connection in GET_CONSUMER_CONNECTION_LIST");
        String cid = cc.getConnectionSet().iterator().next().getClientId();
        check(cid.equals(c.getDefaultMQPushConsumerImpl().getmQClientFactory().getClientId()),
                "its clientId " + cid);
        check(cc.getSubscriptionTable().containsKey(topic), "subscription table has " + topic);

        long sum = -1;
        ConsumeStats cs = null;
        deadline = System.currentTimeMillis() + 30000;
        while (System.currentTimeMillis() < deadline) {
            cs = api.getConsumeStats(addr, group, T);
            sum = 0;
            for (Map.Entry<MessageQueue, OffsetWrapper> e : cs.getOffsetTable().entrySet())
                if (e.getKey().getTopic().equals(topic)) sum += Math.max(0, e.getValue().getConsumerOffset());
            if (sum == 6) break;
            Thread.sleep(200);
        }
        check(sum == 6, "GET_CONSUME_STATS: committed offsets sum to 6 (got " + sum + ")");
        check(cs.computeTotalDiff() == 0, "computeTotalDiff 0");

        SubscriptionGroupWrapper sg = api.getAllSubscriptionGroup(addr, T);
        check(sg.getSubscriptionGroupTable().containsKey(group),
                "GET_ALL_SUBSCRIPTIONGROUP_CONFIG lists " + group);

        boolean refused = false;
        try {
            api.invokeBrokerToResetOffset(addr, topic, group, 0, true, T);
        } catch (Exception e) {
            refused = true;
            System.out.println("refused as expected: " + e.getMessage());
        }
        check(refused, "reset refused while the consumer is live");
        c.shutdown();
        deadline = System.currentTimeMillis() + 10000;
        Map<MessageQueue, Long> reset = null;
        while (reset == null && System.currentTimeMillis() < deadline) {
            try {
                reset = api.invokeBrokerToResetOffset(addr, topic, group, 0, true, T);
            } catch (Exception e) {
                Thread.sleep(200); // the unregister may still be on its way
            }
        }
        check(reset != null && !reset.isEmpty(), "INVOKE_BROKER_TO_RESET_OFFSET after shutdown");
        for (Map.Entry<MessageQueue, Long> e : reset.entrySet())
            check(e.getValue() == 0, "reset " + e.getKey() + " to 0");
        cs = api.getConsumeStats(addr, group, topic, T);
        check(cs.computeTotalDiff() == 6, "after the reset the diff is 6 (" + cs.computeTotalDiff() + ")");

        KVTable kv = api.getBrokerRuntimeInfo(addr, T);
        check(kv.getTable().containsKey("brokerVersionDesc"), "GET_BROKER_RUNTIME_INFO");

        api.deleteSubscriptionGroup(addr, group, true, T);
        refused = false;
        try {
            api.getConsumeStats(addr, group, T);
        } catch (Exception e) {
            refused = true;
        }
        check(refused, "DELETE_SUBSCRIPTIONGROUP: its stats are gone");

        api.deleteTopicInBroker(addr, topic, T);
        api.deleteTopicInNameServer(ns, topic, null, T);
        refused = false;
        try {
            api.getTopicStatsInfo(addr, topic, T);
        } catch (Exception e) {
            refused = true;
        }
        check(refused, "DELETE_TOPIC_IN_BROKER: its stats are gone");
        p.shutdown();
        System.out.println("PASS");
    }
}
