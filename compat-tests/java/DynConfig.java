// Broker settings changed at run time through the Java clients, driven by
// compat-tests/dynconfig.sh:
//
//   java DynConfig change BOOTSTRAP REMOTING_ADDR
//   java DynConfig after-restart BOOTSTRAP REMOTING_ADDR
//
// change:
//  1. describeConfigs(broker 0): num.partitions = 1, DEFAULT_CONFIG,
//     not read-only; listeners read-only;
//  2. incrementalAlterConfigs SET num.partitions=3 and logLevel=debug;
//     describe shows 3 / debug with source DYNAMIC_BROKER_CONFIG;
//  3. the change works: an auto-created topic gets 3 partitions;
//  4. refused: SET listeners (not dynamic: InvalidRequestException naming
//     it), SET num.partitions=abc (InvalidConfigException); validateOnly
//     SET fileReservedTime=1 changes nothing;
//  5. RocketMQ: getBrokerConfig shows num.partitions=3;
//     updateBrokerConfig fileReservedTime=48 then reads back 48, also via
//     the Kafka describe; an undynamic key is refused with its name.
// after-restart (same data directory):
//  6. num.partitions is still 3 and fileReservedTime 48 (persisted),
//     source DYNAMIC_BROKER_CONFIG; DELETE num.partitions returns it to 1
//     with source DEFAULT_CONFIG.
// Exit 0 on success, 1 on a failed check.

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.client.producer.DefaultMQProducer;

public final class DynConfig {
    private DynConfig() {}

    static final ConfigResource BROKER =
        new ConfigResource(ConfigResource.Type.BROKER, "0");

    static void check(String what, boolean ok, Object detail) {
        if (!ok) {
            System.err.println("FAIL: " + what + ": " + detail);
            System.exit(1);
        }
        System.out.println("ok: " + what);
    }

    static ConfigEntry entry(Admin admin, String name) throws Exception {
        Config c = admin.describeConfigs(Collections.singleton(BROKER))
                       .all().get().get(BROKER);
        ConfigEntry e = c.get(name);
        check("describe has " + name, e != null, c);
        return e;
    }

    static void alter(Admin admin, boolean validateOnly, AlterConfigOp... ops)
        throws Exception {
        Map<ConfigResource, Collection<AlterConfigOp>> m =
            Collections.singletonMap(BROKER, List.of(ops));
        admin.incrementalAlterConfigs(m,
            new AlterConfigsOptions().validateOnly(validateOnly)).all().get();
    }

    static AlterConfigOp set(String k, String v) {
        return new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET);
    }

    static Throwable alterError(Admin admin, AlterConfigOp op) {
        try {
            alter(admin, false, op);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
    }

    public static void main(String[] args) throws Exception {
        String phase = args[0], bootstrap = args[1], remoting = args[2];
        Properties ap = new Properties();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(ap)) {
            if (phase.equals("change"))
                change(admin, bootstrap, remoting);
            else
                afterRestart(admin);
        }
        System.exit(0);
    }

    static void change(Admin admin, String bootstrap, String remoting)
        throws Exception {
        ConfigEntry np = entry(admin, "num.partitions");
        check("num.partitions starts at 1, default",
              np.value().equals("1")
                  && np.source() == ConfigEntry.ConfigSource.DEFAULT_CONFIG
                  && !np.isReadOnly(), np);
        check("listeners is read-only", entry(admin, "listeners").isReadOnly(),
              entry(admin, "listeners"));

        alter(admin, false, set("num.partitions", "3"), set("logLevel", "debug"));
        np = entry(admin, "num.partitions");
        check("num.partitions is 3 from DYNAMIC_BROKER_CONFIG",
              np.value().equals("3") && np.source()
                  == ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG, np);
        check("logLevel is debug", entry(admin, "logLevel").value()
                  .equals("debug"), entry(admin, "logLevel"));

        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (KafkaProducer<String, String> p = new KafkaProducer<>(pp)) {
            List<PartitionInfo> parts = p.partitionsFor("dyn_auto_topic");
            check("an auto-created topic gets 3 partitions", parts.size() == 3,
                  parts);
        }

        Throwable e = alterError(admin, set("listeners", "PLAINTEXT://1.2.3.4:1"));
        check("listeners refused as not dynamic",
              e instanceof InvalidRequestException
                  && e.getMessage().contains("listeners"), e);
        e = alterError(admin, set("num.partitions", "abc"));
        check("num.partitions=abc refused", e instanceof InvalidConfigurationException
                  && e.getMessage().contains("num.partitions"), e);
        alter(admin, true, set("fileReservedTime", "1"));
        check("validateOnly changes nothing",
              entry(admin, "fileReservedTime").value().equals("72"),
              entry(admin, "fileReservedTime"));

        DefaultMQProducer producer = new DefaultMQProducer("dynconfig_admin");
        producer.setNamesrvAddr(remoting); /* unused: direct broker calls */
        producer.start();
        try {
            MQClientAPIImpl api = producer.getDefaultMQProducerImpl()
                .getMqClientFactory().getMQClientAPIImpl();
            Properties got = api.getBrokerConfig(remoting, 5000);
            check("RocketMQ getBrokerConfig sees num.partitions=3",
                  "3".equals(got.getProperty("num.partitions")), got);
            Properties upd = new Properties();
            upd.setProperty("fileReservedTime", "48");
            api.updateBrokerConfig(remoting, upd, 5000);
            got = api.getBrokerConfig(remoting, 5000);
            check("updateBrokerConfig fileReservedTime=48",
                  "48".equals(got.getProperty("fileReservedTime")), got);
            check("the Kafka describe agrees",
                  entry(admin, "fileReservedTime").value().equals("48"),
                  entry(admin, "fileReservedTime"));
            Properties bad = new Properties();
            bad.setProperty("storePathRootDir", "/tmp/elsewhere");
            String msg = null;
            try {
                api.updateBrokerConfig(remoting, bad, 5000);
            } catch (Exception ex) {
                msg = String.valueOf(ex.getMessage());
            }
            check("updateBrokerConfig of a static key refused, named",
                  msg != null && msg.contains("storePathRootDir"), msg);
        } finally {
            producer.shutdown();
        }
    }

    static void afterRestart(Admin admin) throws Exception {
        ConfigEntry np = entry(admin, "num.partitions");
        check("num.partitions=3 survived the restart",
              np.value().equals("3") && np.source()
                  == ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG, np);
        check("fileReservedTime=48 survived the restart",
              entry(admin, "fileReservedTime").value().equals("48"),
              entry(admin, "fileReservedTime"));
        alter(admin, false, new AlterConfigOp(
            new ConfigEntry("num.partitions", null), AlterConfigOp.OpType.DELETE));
        np = entry(admin, "num.partitions");
        check("DELETE returns num.partitions to 1, default",
              np.value().equals("1")
                  && np.source() == ConfigEntry.ConfigSource.DEFAULT_CONFIG, np);
    }
}
