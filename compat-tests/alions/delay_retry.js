// ali-ons (the Aliyun client) and delays: a message with
// setStartDeliverTime(now + 4 s) (property __STARTDELIVERTIME) reaches a
// live push consumer not before its time and at most 3 s late; a message
// whose handler throws once comes back (CONSUMER_SEND_MSG_BACK, level 3 of
// the broker's table) with reconsumeTimes 1. Usage: NAMESRV TOPIC
'use strict';
const httpclient = require('urllib');
const { Producer, Consumer, Message } = require('ali-ons');
const ns = process.argv[2], topic = process.argv[3];
const run = Date.now();
let fails = 0;
function check(what, ok, detail) {
  console.log((ok ? 'ok   ' : 'FAIL ') + what + ' ' + (detail === undefined ? '' : detail));
  if (!ok) fails++;
}
const sleep = ms => new Promise(r => setTimeout(r, ms));
(async () => {
  const producer = new Producer({ httpclient, nameSrv: [ns],
    producerGroup: 'alions_dpg_' + run, accessKeyId: 'x', accessKeySecret: 'y' });
  await producer.ready();
  const got = new Map();
  const retries = [];
  const consumer = new Consumer({ httpclient, nameSrv: [ns],
    consumerGroup: 'alions_dcg_' + run, accessKeyId: 'x', accessKeySecret: 'y',
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' });
  consumer.on('error', e => console.log('consumer error: ' + e.message));
  consumer.subscribe(topic, '*', async msg => {
    const b = msg.body.toString();
    if (b === 'retry-me') {
      retries.push(msg.reconsumeTimes);
      if (msg.reconsumeTimes === 0) throw new Error('fail once on purpose');
    }
    if (!got.has(b)) got.set(b, Date.now());
  });
  await consumer.ready();
  let r = await producer.send(new Message(topic, 'TagW', 'warm'));
  check('warm-up send', r.sendStatus === 'SEND_OK');
  let deadline = Date.now() + 60000;
  while (!got.has('warm') && Date.now() < deadline) await sleep(50);
  check('consumer live', got.has('warm'));

  const due = Date.now() + 4000;
  const m = new Message(topic, 'TagT', 'at-time');
  m.setStartDeliverTime(due);
  r = await producer.send(m);
  check('setStartDeliverTime send', r.sendStatus === 'SEND_OK');
  r = await producer.send(new Message(topic, 'TagR', 'retry-me'));
  check('retry-me send', r.sendStatus === 'SEND_OK');
  deadline = Date.now() + 30000;
  while ((!got.has('at-time') || !got.has('retry-me')) && Date.now() < deadline)
    await sleep(50);
  const t = got.get('at-time');
  check('__STARTDELIVERTIME message delivered', t !== undefined);
  if (t !== undefined) {
    check('not before its time', t >= due, 'late by ' + (t - due) + ' ms');
    check('at most 3 s late', t - due <= 3000);
    console.log('LATENESS ali-ons __STARTDELIVERTIME ' + (t - due) + ' ms');
  }
  check('failed message redelivered with reconsumeTimes 1',
        JSON.stringify(retries.slice(0, 2)) === '[0,1]', JSON.stringify(retries));
  await consumer.close();
  await producer.close();
  process.exit(fails ? 1 : 0);
})().catch(e => { console.log('FAIL ' + e.stack); process.exit(1); });
