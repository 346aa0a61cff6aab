// Produce / group-consume / commit-and-resume with KafkaJS (npm), driven by
// compat-tests/resume.sh (which puts kafkajs on NODE_PATH).
//
//   node resume.js BOOTSTRAP TOPIC GROUP M
//
// 1. A producer (acks=-1) writes M keyed messages k<i> / v<i>.
// 2. Consumer A in GROUP (autoCommit off, fromBeginning) processes exactly
//    M/2 messages, commits per partition the offset after the last one it
//    processed (commitOffsets), and disconnects.
// 3. Consumer B in GROUP must get exactly the other messages: none of A's,
//    none missing, none twice, the first offset per partition equal to A's
//    commit. After a quiet period it commits; the committed offsets
//    (admin.fetchOffsets) must equal the log end offsets
//    (admin.fetchTopicOffsets).
// Exit 0 on success, 1 on a failed check.
'use strict';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const { Kafka, logLevel } = require('kafkajs');

const [bootstrap, topic, group, mArg] = process.argv.slice(2);
if (!mArg) {
  console.error('usage: node resume.js BOOTSTRAP TOPIC GROUP M');
  process.exit(2);
}
const M = parseInt(mArg, 10);
const HALF = Math.floor(M / 2);
const say = (s) => console.error(`resume.js: ${s}`);
const die = (s) => {
  say(`FAIL: ${s}`);
  process.exit(1);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const kafka = new Kafka({
  clientId: 'resume-kafkajs',
  brokers: [bootstrap],
  logLevel: logLevel.WARN,
  retry: { retries: 8, initialRetryTime: 200 },
});

// Run one consumer until `done()` says so; returns what it processed.
async function runConsumer(name, { stopAt, want, quietMs, other }) {
  const consumer = kafka.consumer({
    groupId: group,
    sessionTimeout: 10000,
    heartbeatInterval: 1000,
    rebalanceTimeout: 20000,
  });
  const r = { seen: new Map(), next: new Map(), first: new Map(), got: 0 };
  let lastMsg = Date.now();
  let stopped = false;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      if (stopped || (stopAt !== undefined && r.got >= stopAt)) return;
      lastMsg = Date.now();
      const off = Number(message.offset);
      const val = message.value.toString();
      const key = message.key ? message.key.toString() : null;
      const i = parseInt(val.slice(1), 10);
      const where = `p${partition}@${off}`;
      if (!(val[0] === 'v' && i >= 0 && i < M)) die(`unexpected value ${val} at ${where}`);
      if (key !== `k${i}`) die(`v${i} has key ${key}`);
      if (r.seen.has(i)) die(`v${i} delivered twice: ${r.seen.get(i)}, ${where}`);
      if (other && other.has(i)) die(`${name} got v${i} at ${where}, which A processed and committed`);
      if (r.next.has(partition) && r.next.get(partition) !== off) {
        die(`p${partition}: offset ${off} after ${r.next.get(partition) - 1}`);
      }
      r.seen.set(i, where);
      if (!r.first.has(partition)) r.first.set(partition, off);
      r.next.set(partition, off + 1);
      r.got += 1;
    },
  });
  const deadline = Date.now() + 60000;
  for (;;) {
    if (stopAt !== undefined && r.got >= stopAt) break;
    if (stopAt === undefined && r.got >= want && Date.now() - lastMsg >= quietMs) break;
    if (Date.now() > deadline) break;
    await sleep(50);
  }
  stopped = true;
  return { consumer, r };
}

async function commit(consumer, next) {
  await consumer.commitOffsets(
    [...next.entries()].map(([partition, off]) => ({ topic, partition, offset: String(off) })),
  );
}

async function main() {
  const t0 = Date.now();
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  const parts = new Set();
  for (let base = 0; base < M; base += 200) {
    const messages = [];
    for (let i = base; i < Math.min(M, base + 200); i++) messages.push({ key: `k${i}`, value: `v${i}` });
    const res = await producer.send({ topic, acks: -1, messages });
    for (const x of res) {
      if (x.errorCode !== 0) die(`produce to p${x.partition}: error ${x.errorCode}`);
      parts.add(x.partition);
    }
  }
  await producer.disconnect();
  say(`produced ${M} messages into partitions ${[...parts].sort()}`);

  const a = await runConsumer('A', { stopAt: HALF });
  if (a.r.got !== HALF) die(`consumer A processed ${a.r.got} of ${HALF} in 60 s`);
  // commit while the consumer still runs (stop() leaves the group); the
  // messages it fetches meanwhile are dropped unprocessed by eachMessage
  await commit(a.consumer, a.r.next);
  await a.consumer.disconnect();
  say(`A processed ${a.r.got}, committed ${JSON.stringify([...a.r.next])}, disconnected`);

  const b = await runConsumer('B', { want: M - HALF, quietMs: 3000, other: a.r.seen });
  let missing = 0;
  let example = -1;
  for (let i = 0; i < M; i++) {
    if (!a.r.seen.has(i) && !b.r.seen.has(i) && missing++ === 0) example = i;
  }
  if (missing) die(`${missing} messages never delivered to A or B, e.g. v${example}`);
  for (const [p, off] of b.r.first) {
    const want = a.r.next.has(p) ? a.r.next.get(p) : 0;
    if (off !== want) die(`B started p${p} at ${off}, A committed ${want}`);
  }
  say(`B got exactly the other ${b.r.got} messages`);
  const fin = new Map([...a.r.next, ...b.r.next]);
  await commit(b.consumer, fin);
  await b.consumer.disconnect();

  const admin = kafka.admin();
  await admin.connect();
  const committed = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const c = new Map(committed[0].partitions.map((x) => [x.partition, x.offset]));
  for (const e of ends) {
    if (c.get(e.partition) !== e.offset) {
      die(`committed p${e.partition} = ${c.get(e.partition)}, end offset ${e.offset}`);
    }
  }
  say(`PASS: ${M} messages, resume from the committed offsets, ${Date.now() - t0} ms`);
}

const watchdog = setTimeout(() => die('no result within 140 s'), 140000);
main().then(
  () => {
    clearTimeout(watchdog);
    process.exit(0);
  },
  (e) => die(`${e && e.stack ? e.stack : e}`),
);
