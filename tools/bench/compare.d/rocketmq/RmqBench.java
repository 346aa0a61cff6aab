// RmqBench: RocketMQ's benchmark pair (rocketmq-example's
// org.apache.rocketmq.example.benchmark.Producer and Consumer) rewritten
// small, because rocketmq-example is not published to Maven Central. Used by
// tools/bench/compare; compiled against the Java rocketmq-client of
// compat-tests/java (4.9.8).
//
// Usage:
//   RmqBench produce NAMESRV TOPIC SECONDS THREADS SIZE
//     THREADS threads share one DefaultMQProducer and send SIZE-byte messages
//     synchronously for SECONDS seconds (like the example's Producer -w -s,
//     which runs until killed). Every second one line, as the example prints:
//       "tick=S send_tps=N max_rt_ms=M avg_rt_ms=A failed=F"
//     and at the end:
//       "produce sent=N failed=F secs=S msgs_per_s=R"
//   RmqBench consume NAMESRV TOPIC GROUP COUNT TIMEOUT_S
//     one DefaultMQPushConsumer (new group, CONSUME_FROM_FIRST_OFFSET, 20
//     consume threads, the client's defaults otherwise) until COUNT messages
//     arrived or TIMEOUT_S passed. Every second "tick=S consume_tps=N", and:
//       "consume got=N secs=S msgs_per_s=R"   (from the first message to the
//       COUNTth; exits 1 when fewer than COUNT arrived)
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.*;
import org.apache.rocketmq.client.producer.*;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;

public class RmqBench {
    public static void main(String[] a) throws Exception {
        if (a.length == 6 && a[0].equals("produce"))
            System.exit(produce(a[1], a[2], Integer.parseInt(a[3]), Integer.parseInt(a[4]),
                    Integer.parseInt(a[5])));
        if (a.length == 6 && a[0].equals("consume"))
            System.exit(consume(a[1], a[2], a[3], Long.parseLong(a[4]), Integer.parseInt(a[5])));
        System.err.println("usage: RmqBench produce NAMESRV TOPIC SECONDS THREADS SIZE\n"
                + "       RmqBench consume NAMESRV TOPIC GROUP COUNT TIMEOUT_S");
        System.exit(2);
    }

    static int produce(String ns, String topic, int secs, int threads, int size) throws Exception {
        byte[] body = new byte[size];
        Arrays.fill(body, (byte) 'x');
        String run = Long.toString(System.nanoTime());
        DefaultMQProducer p = new DefaultMQProducer("bench_pg_" + run);
        p.setNamesrvAddr(ns);
        p.setInstanceName("bench-" + run);
        p.setCompressMsgBodyOverHowmuch(Integer.MAX_VALUE);
        p.start();
        p.send(new Message(topic, body)); // route and connection
        AtomicLong sent = new AtomicLong(), failed = new AtomicLong(), rtSum = new AtomicLong();
        AtomicLong rtMax = new AtomicLong();
        long t0 = System.nanoTime(), end = t0 + secs * 1_000_000_000L;
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            ts[i] = new Thread(() -> {
                while (System.nanoTime() < end) {
                    long s = System.nanoTime();
                    try {
                        SendResult r = p.send(new Message(topic, body));
                        if (r.getSendStatus() != SendStatus.SEND_OK) {
                            failed.incrementAndGet();
                            continue;
                        }
                        long rt = (System.nanoTime() - s) / 1000;
                        sent.incrementAndGet();
                        rtSum.addAndGet(rt);
                        rtMax.accumulateAndGet(rt, Math::max);
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }
            });
            ts[i].start();
        }
        long lastN = 0, lastRt = 0;
        for (int tick = 1; tick <= secs; tick++) {
            long wake = t0 + tick * 1_000_000_000L - System.nanoTime();
            if (wake > 0)
                Thread.sleep(wake / 1_000_000, (int) (wake % 1_000_000));
            long n = sent.get(), rt = rtSum.get(), d = n - lastN;
            System.out.printf("tick=%d send_tps=%d max_rt_ms=%.3f avg_rt_ms=%.3f failed=%d%n", tick, d,
                    rtMax.getAndSet(0) / 1000.0, d > 0 ? (rt - lastRt) / 1000.0 / d : 0.0, failed.get());
            lastN = n;
            lastRt = rt;
        }
        for (Thread t : ts)
            t.join();
        double el = (System.nanoTime() - t0) / 1e9;
        System.out.printf("produce sent=%d failed=%d secs=%.3f msgs_per_s=%.0f%n", sent.get(),
                failed.get(), el, sent.get() / el);
        p.shutdown();
        return failed.get() == 0 ? 0 : 1;
    }

    static int consume(String ns, String topic, String group, long count, int timeout)
            throws Exception {
        AtomicLong got = new AtomicLong(), first = new AtomicLong(), last = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(group);
        c.setNamesrvAddr(ns);
        c.setInstanceName("bench-" + System.nanoTime());
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            long now = System.nanoTime();
            first.compareAndSet(0, now);
            long n = got.addAndGet(msgs.size());
            if (n >= count && last.compareAndSet(0, now))
                done.countDown();
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        long t0 = System.nanoTime();
        c.start();
        long lastN = 0;
        for (int tick = 1; tick <= timeout && done.getCount() > 0; tick++) {
            done.await(t0 + tick * 1_000_000_000L - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (done.getCount() == 0)
                break;
            long n = got.get();
            System.out.printf("tick=%d consume_tps=%d%n", tick, n - lastN);
            lastN = n;
        }
        long n = got.get(), t1 = last.get() != 0 ? last.get() : System.nanoTime();
        double el = first.get() != 0 ? (t1 - first.get()) / 1e9 : 0;
        System.out.printf("consume got=%d secs=%.3f msgs_per_s=%.0f%n", n, el, el > 0 ? n / el : 0.0);
        c.shutdown();
        return n >= count ? 0 : 1;
    }
}
