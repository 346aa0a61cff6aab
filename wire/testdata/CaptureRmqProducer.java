// Capture helper for capture_rocketmq.py: a DefaultMQProducer that starts
// against the fake name server and tries one send, so the client emits its
// GET_ROUTEINFO_BY_TOPIC requests, then (when the fake name server returns
// a route to its fake broker) the SEND_MESSAGE_V2.
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.Message;

public class CaptureRmqProducer {
    public static void main(String[] args) throws Exception {
        DefaultMQProducer p = new DefaultMQProducer("CapturePG");
        p.setNamesrvAddr(args[0]);
        p.setInstanceName("capture");
        p.setSendMsgTimeout(2000);
        p.setRetryTimesWhenSendFailed(0);
        p.start();
        try {
            System.out.println(p.send(new Message("TopicTest", "TagA", "k1", "hello".getBytes("UTF-8"))));
        } catch (Exception e) {
            System.out.println("send failed as expected: " + e.getClass().getSimpleName());
        }
        p.shutdown();
    }
}
