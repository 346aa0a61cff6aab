// TwoBrokers: a topic spread over two brokers registered with two name
// servers. Usage: TwoBrokers NAMESRVS TOPIC PHASE
//   PHASE "spread": createTopic on every broker (through TBW102's route),
//     then 100 sends must land on both brokers.
//   PHASE "survive": (one broker was killed) 50 sends must all succeed, on
//     the surviving broker only.
import java.nio.charset.StandardCharsets;
import java.util.*;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;

public class TwoBrokers {
    public static void main(String[] a) throws Exception {
        String ns = a[0], topic = a[1], phase = a[2];
        String run = Long.toString(System.nanoTime());
        DefaultMQProducer p = new DefaultMQProducer("two_pg_" + run);
        p.setNamesrvAddr(ns);
        p.setInstanceName("tb-" + run);
        p.setPollNameServerInterval(1000);
        p.setSendLatencyFaultEnable(true);
        p.start();
        int fails = 0;
        if (phase.equals("spread")) {
            p.createTopic("TBW102", topic, 4);
            Thread.sleep(2000);
        }
        int n = phase.equals("spread") ? 100 : 50;
        Map<String, Integer> perBroker = new TreeMap<>();
        int ok = 0;
        for (int i = 0; i < n; i++) {
            try {
                SendResult r = p.send(new Message(topic, "T",
                        (phase + "-" + i).getBytes(StandardCharsets.UTF_8)), 3000);
                if (r.getSendStatus() == SendStatus.SEND_OK) {
                    ok++;
                    perBroker.merge(r.getMessageQueue().getBrokerName(), 1, Integer::sum);
                }
            } catch (Exception e) {
                System.out.println("send " + i + ": " + e.getMessage());
            }
        }
        p.shutdown();
        System.out.println("sent " + ok + "/" + n + " " + perBroker);
        if (ok != n) fails++;
        if (phase.equals("spread") && perBroker.size() != 2) fails++;
        if (phase.equals("survive")
                && !(perBroker.size() == 1 && perBroker.containsKey(a[3]))) fails++;
        System.out.println(fails == 0 ? "PASS" : "FAIL");
        System.exit(fails == 0 ? 0 : 1);
    }
}
