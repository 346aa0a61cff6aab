// ali-ons produces N messages (tag TagN) and a push consumer subscribed
// to TagN gets every one exactly once. Usage: NAMESRV TOPIC N
'use strict';
const httpclient = require('urllib');
const { Producer, Consumer, Message } = require('ali-ons');
const ns = process.argv[2], topic = process.argv[3], n = parseInt(process.argv[4]);
const run = Date.now();
function fail(m) { console.log('FAIL ' + m); process.exit(1); }
(async () => {
  const producer = new Producer({ httpclient, nameSrv: [ns],
    producerGroup: 'alions_pg_' + run, accessKeyId: 'x', accessKeySecret: 'y' });
  await producer.ready();
  const sent = new Set();
  for (let i = 0; i < n; i++) {
    const msg = new Message(topic, 'TagN', 'alions-' + i);
    const r = await producer.send(msg);
    if (r.sendStatus !== 'SEND_OK') fail('send ' + i + ' ' + JSON.stringify(r));
    sent.add('alions-' + i);
  }
  console.log('ok   sent ' + n);
  await producer.close();
  const got = new Map();
  const consumer = new Consumer({ httpclient, nameSrv: [ns],
    consumerGroup: 'alions_cg_' + run, accessKeyId: 'x', accessKeySecret: 'y',
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' });
  consumer.on('error', e => console.log('consumer error: ' + e.message));
  consumer.subscribe(topic, 'TagN', async msg => {
    const b = msg.body.toString();
    got.set(b, (got.get(b) || 0) + 1);
  });
  await consumer.ready();
  const deadline = Date.now() + 60000;
  while (got.size < n && Date.now() < deadline) await new Promise(r => setTimeout(r, 200));
  await consumer.close();
  const missing = [...sent].filter(s => !got.has(s));
  const twice = [...got].filter(([k, v]) => v > 1);
  console.log((missing.length ? 'FAIL' : 'ok  ') + ' consumer got every message (' + got.size + '/' + n + ')');
  console.log((twice.length ? 'FAIL' : 'ok  ') + ' none twice');
  process.exit(missing.length || twice.length ? 1 : 0);
})().catch(e => fail(e.stack));
