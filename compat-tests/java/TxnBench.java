// TxnBench: transactions (half + commit) per second through the real
// RocketMQ Java client, next to plain sync sends by the same client as the
// reference. Used by tools/bench/rmq_txn_bench.sh.
// Usage: TxnBench txn|plain NAMESRV TOPIC N THREADS SIZE
//   THREADS threads share one producer and send N messages of SIZE bytes
//   in all (sendMessageInTransaction committing in executeLocalTransaction,
//   or send). Then it waits until the topic's max offsets sum to N (the
//   one-way END_TRANSACTIONs have all landed). Prints one line:
//   "mode=.. n=.. threads=.. size=.. send_s=.. send_per_s=.. visible_s=..
//   visible_per_s=..".
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.producer.*;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

public class TxnBench {
    @SuppressWarnings("deprecation")
    public static void main(String[] a) throws Exception {
        String mode = a[0], ns = a[1], topic = a[2];
        int n = Integer.parseInt(a[3]), threads = Integer.parseInt(a[4]);
        byte[] body = new byte[Integer.parseInt(a[5])];
        Arrays.fill(body, (byte) 'x');
        String run = Long.toString(System.nanoTime());
        DefaultMQProducer p;
        if (mode.equals("txn")) {
            TransactionMQProducer tp = new TransactionMQProducer("bench_pg_" + run);
            tp.setTransactionListener(new TransactionListener() {
                public LocalTransactionState executeLocalTransaction(Message m, Object arg) {
                    return LocalTransactionState.COMMIT_MESSAGE;
                }
                public LocalTransactionState checkLocalTransaction(MessageExt m) {
                    return LocalTransactionState.COMMIT_MESSAGE;
                }
            });
            p = tp;
        } else {
            p = new DefaultMQProducer("bench_pg_" + run);
        }
        p.setNamesrvAddr(ns);
        p.setInstanceName("bench-" + run);
        p.start();
        // warm-up: route and connection
        Message w = new Message(topic + "_warm", body);
        if (p instanceof TransactionMQProducer)
            p.sendMessageInTransaction(w, null);
        else
            p.send(w);
        AtomicInteger next = new AtomicInteger(), errors = new AtomicInteger();
        long t0 = System.nanoTime();
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            ts[i] = new Thread(() -> {
                while (next.getAndIncrement() < n) {
                    try {
                        Message m = new Message(topic, body);
                        SendResult r = p instanceof TransactionMQProducer
                                ? p.sendMessageInTransaction(m, null) : p.send(m);
                        if (r.getSendStatus() != SendStatus.SEND_OK) errors.incrementAndGet();
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                }
            });
            ts[i].start();
        }
        for (Thread t : ts) t.join();
        long t1 = System.nanoTime();
        List<MessageQueue> mqs = p.fetchPublishMessageQueues(topic);
        long sum = 0, deadline = System.currentTimeMillis() + 60000;
        while (System.currentTimeMillis() < deadline) {
            sum = 0;
            for (MessageQueue mq : mqs) sum += p.maxOffset(mq);
            if (sum >= n) break;
            Thread.sleep(5);
        }
        long t2 = System.nanoTime();
        p.shutdown();
        double s1 = (t1 - t0) / 1e9, s2 = (t2 - t0) / 1e9;
        System.out.printf(Locale.ROOT, "mode=%s n=%d threads=%d size=%d errors=%d visible=%d "
                + "send_s=%.2f send_per_s=%.0f visible_s=%.2f visible_per_s=%.0f%n",
                mode, n, threads, body.length, errors.get(), sum, s1, n / s1, s2, n / s2);
        System.exit(errors.get() == 0 && sum == n ? 0 : 1);
    }
}
