// The Java client over TLS (PEM trust and key stores, no keytool), driven
// by compat-tests/tls.sh.
//
//   java TlsClient BOOTSTRAP TOPIC TRUSTSTORE KEYSTORE|- roundtrip N
//     produce N records (idempotent producer, acks=all) and read them back
//     through a group consumer: each once, in order per partition.
//   java TlsClient BOOTSTRAP TOPIC TRUSTSTORE KEYSTORE|- refused
//     an Admin describeCluster must fail with an SSL authentication error
//     (the broker or the client refuses the handshake).
//
// KEYSTORE is a PEM file holding the private key and the certificate chain
// (Kafka's ssl.keystore.type=PEM layout), or "-" for no client certificate.
// Exit 0 on the expected outcome, 1 otherwise.

import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public final class TlsClient {
    private TlsClient() {}

    static void say(String s) {
        System.err.println("TlsClient.java: " + s);
    }

    static void die(String s) {
        say("FAIL: " + s);
        System.exit(1);
    }

    static Properties tls(String bs, String trust, String keystore) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bs);
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, trust);
        if (!"-".equals(keystore)) {
            p.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM");
            p.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, keystore);
        }
        // host name verification stays on (the default "https")
        return p;
    }

    static void roundtrip(String bs, String topic, String trust, String ks, int n) throws Exception {
        Properties pp = tls(bs, trust, ks);
        pp.put(ProducerConfig.CLIENT_ID_CONFIG, "tls-producer");
        pp.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        pp.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        pp.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000");
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> prod = new KafkaProducer<>(pp)) {
            for (int i = 0; i < n; i++) prod.send(new ProducerRecord<>(topic, "k" + i, "tls-" + i));
            prod.flush();
            // a final synchronous send: any earlier failure shows here too
            prod.send(new ProducerRecord<>(topic, "k-end", "tls-end")).get(30, TimeUnit.SECONDS);
        }
        say("produced " + (n + 1) + " records over TLS");

        Properties cp = tls(bs, trust, ks);
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, topic + "-tls");
        cp.put(ConsumerConfig.CLIENT_ID_CONFIG, "tls-consumer");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Set<String> seen = new HashSet<>();
        Map<Integer, Integer> lastIdx = new HashMap<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(cp)) {
            c.subscribe(Collections.singleton(topic));
            long deadline = System.currentTimeMillis() + 60000;
            while (seen.size() < n + 1 && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(300))) {
                    if (!seen.add(r.value())) die("record " + r.value() + " read twice");
                    if (r.value().equals("tls-end")) continue;
                    int i = Integer.parseInt(r.value().substring(4));
                    Integer last = lastIdx.put(r.partition(), i);
                    if (last != null && last > i)
                        die("p" + r.partition() + ": tls-" + i + " after tls-" + last);
                }
            }
            c.commitSync(Duration.ofSeconds(15));
        }
        if (seen.size() != n + 1) die("read " + seen.size() + " of " + (n + 1) + " records over TLS in 60 s");
        say("read " + seen.size() + " records back through a group consumer over TLS, each once, in order");
    }

    static void refused(String bs, String trust, String ks) {
        Properties ap = tls(bs, trust, ks);
        ap.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "8000");
        ap.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        ap.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        try (Admin admin = Admin.create(ap)) {
            String id = admin.describeCluster().clusterId().get(15, TimeUnit.SECONDS);
            die("describeCluster succeeded over TLS (cluster " + id + "), want a refused handshake");
        } catch (ExecutionException e) {
            expectTlsFailure(e.getCause());
        } catch (Exception e) {
            expectTlsFailure(e);
        }
    }

    /** A refused handshake surfaces as an SSL authentication failure; a
     *  plain timeout would mean the broker let the connection hang. */
    static void expectTlsFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof org.apache.kafka.common.errors.SslAuthenticationException
                    || c instanceof javax.net.ssl.SSLException) {
                say("refused as expected: " + t);
                return;
            }
        }
        die("want an SSL authentication failure, got " + t);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: TlsClient BOOTSTRAP TOPIC TRUSTSTORE KEYSTORE|- roundtrip N|refused");
            System.exit(2);
        }
        if (args[4].equals("roundtrip")) roundtrip(args[0], args[1], args[2], args[3], Integer.parseInt(args[5]));
        else if (args[4].equals("refused")) refused(args[0], args[2], args[3]);
        else System.exit(2);
    }
}
