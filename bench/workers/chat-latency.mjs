// Message latency load generator (open loop, fixed rate). One process both sends and receives, so
// every latency is read on one clock: from the moment a message was DUE (not when it left, so a
// sender that falls behind is charged for it) to the moment its event arrived.
//
// mode 'api':   sendMessage over HTTP to instance 1 (the room's first member), roomEvents over
//               graphql-ws on instance 2 (the second member): the product's whole path.
// mode 'floor': one raw INSERT into the same messages table (mysql2, autocommit) + Redis PUBLISH,
//               received by a plain SUBSCRIBE connection: the physical floor of "store then fan out".
//
// Correctness counters per run: lost (acknowledged but never received), duplicated, out of order
// (a room's seq not increasing), send errors.
import http from 'node:http';
import { createRequire } from 'node:module';
import { latencySummary, pool, sleep } from '../lib/util.mjs';
import { serve } from './serve.mjs';

const require = createRequire(import.meta.url);
const WebSocket = require('ws');
const mysql = require('mysql2/promise');
const { Redis } = require('ioredis');

const MESSAGE_FIELDS = 'id roomId seq sender { id nickname } body clientMessageId createdAt';
const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { ${MESSAGE_FIELDS} } }`;
const ROOM_EVENTS = `subscription($roomId: ID!) { roomEvents(roomId: $roomId) { type roomId userId seq message { ${MESSAGE_FIELDS} } } }`;

let cfg;
let rooms = [];
let agent;
let sockets = [];
let dbPool;
let publisher;
let subscriber;
const lastSeq = new Map();
/** The run in progress: receipts are matched to it by clientMessageId prefix. */
let current = null;
let warmupSeen = new Set();
let floorSeq = 1_000_000;

function onMessage(roomId, seq, clientMessageId) {
  const now = performance.now();
  warmupSeen.add(roomId);
  const previous = lastSeq.get(roomId) ?? 0;
  const run = current;
  const k = run && clientMessageId.startsWith(run.prefix) ? Number(clientMessageId.slice(run.prefix.length)) : -1;
  if (k >= 0) {
    if (run.receivedAt[k] !== undefined) {
      run.duplicated++;
      return;
    }
    run.receivedAt[k] = now;
    run.received++;
    if (seq <= previous) run.outOfOrder++;
  }
  lastSeq.set(roomId, Math.max(previous, seq));
}

/** HTTP requests not answered yet (aborted when a phase overruns its drain time). */
const openRequests = new Set();

function post(url, token, body) {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body));
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': data.length,
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString()));
          } catch (err) {
            reject(err);
          }
        });
      },
    );
    openRequests.add(req);
    req.on('close', () => openRequests.delete(req));
    req.on('error', reject);
    req.end(data);
  });
}

/** One subscriber socket per room (graphql-transport-ws by hand: the client library adds nothing here). */
function subscribe(room) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(cfg.wsUrl, 'graphql-transport-ws');
    ws.on('open', () =>
      ws.send(
        JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${room.subscriberToken}` } }),
      ),
    );
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw));
      if (msg.type === 'connection_ack') {
        ws.send(
          JSON.stringify({
            id: '1',
            type: 'subscribe',
            payload: { query: ROOM_EVENTS, variables: { roomId: room.roomId } },
          }),
        );
        resolve(ws);
      } else if (msg.type === 'next') {
        const event = msg.payload?.data?.roomEvents;
        if (event?.type === 'MESSAGE') onMessage(event.roomId, event.message.seq, event.message.clientMessageId);
        else if (msg.payload?.errors) room.errors = (room.errors ?? 0) + 1;
      } else if (msg.type === 'error' || msg.type === 'complete') {
        room.errors = (room.errors ?? 0) + 1;
      } else if (msg.type === 'ping') {
        ws.send(JSON.stringify({ type: 'pong' }));
      }
    });
    ws.on('error', reject);
    ws.on('close', (code) => reject(new Error(`socket closed ${code}`)));
  });
}

async function sendApi(room, clientMessageId, body) {
  const request = { query: SEND, variables: { input: { roomId: room.roomId, body, clientMessageId } } };
  let res;
  try {
    res = await post(cfg.graphqlUrl, room.senderToken, request);
  } catch (err) {
    // A keep-alive socket the server closed just as it was reused: retry once, as a client does
    // (same clientMessageId, so the retry can never store the message twice).
    if (err.code !== 'ECONNRESET' || String(err.message).startsWith('abandoned')) throw err;
    res = await post(cfg.graphqlUrl, room.senderToken, request);
  }
  const seq = res?.data?.sendMessage?.seq;
  if (typeof seq !== 'number') throw new Error(JSON.stringify(res?.errors ?? res).slice(0, 300));
  return seq;
}

async function sendFloor(room, clientMessageId, body) {
  const seq = floorSeq++;
  const id = crypto.randomUUID();
  const createdAt = new Date();
  await dbPool.query(
    'INSERT INTO messages (id, room_id, seq, sender_id, client_message_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [id, room.roomId, seq, room.senderId, clientMessageId, body, createdAt],
  );
  const payload = {
    type: 'MESSAGE',
    roomId: room.roomId,
    message: {
      id,
      roomId: room.roomId,
      seq,
      senderId: room.senderId,
      body,
      clientMessageId,
      createdAt: createdAt.toISOString(),
      imageId: null,
    },
  };
  await publisher.publish(cfg.channelPrefix + room.roomId, JSON.stringify(payload));
  return seq;
}

const send = (room, clientMessageId, body) =>
  cfg.mode === 'api' ? sendApi(room, clientMessageId, body) : sendFloor(room, clientMessageId, body);

serve({
  /** rooms: [{ roomId, senderId, senderToken, subscriberToken }] */
  async setup(args) {
    cfg = args;
    rooms = args.rooms;
    if (cfg.mode === 'api') {
      agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
      sockets = [];
      await pool(rooms, 50, async (room) => sockets.push(await subscribe(room)));
      // Subscriptions are not acknowledged: send into each room until its event comes back.
      for (let attempt = 0; attempt < 20 && warmupSeen.size < rooms.length; attempt++) {
        await pool(
          rooms.filter((r) => !warmupSeen.has(r.roomId)),
          20,
          (room) => send(room, `w${attempt}-${room.roomId}`, 'warm-up'),
        );
        const until = Date.now() + 1000;
        while (warmupSeen.size < rooms.length && Date.now() < until) await sleep(20);
      }
      if (warmupSeen.size < rooms.length)
        throw new Error(`only ${warmupSeen.size}/${rooms.length} room subscriptions went live`);
    } else {
      dbPool = mysql.createPool({ uri: cfg.mysqlUri, connectionLimit: 16 });
      publisher = new Redis(cfg.redisUrl);
      subscriber = new Redis(cfg.redisUrl);
      subscriber.on('message', (_channel, raw) => {
        const event = JSON.parse(raw);
        onMessage(event.roomId, event.message.seq, event.message.clientMessageId);
      });
      await subscriber.subscribe(...rooms.map((r) => cfg.channelPrefix + r.roomId));
    }
    return { rooms: rooms.length };
  },

  /** Sends rate msg/s for durationMs round-robin over the rooms, then waits up to drainMs for stragglers. */
  async run({ rate, durationMs, drainMs = 5000, tag }) {
    const total = Math.max(1, Math.round((rate * durationMs) / 1000));
    const run = {
      prefix: `${tag}-`,
      dueAt: new Float64Array(total),
      ackAt: new Float64Array(total),
      acked: new Uint8Array(total),
      receivedAt: new Array(total),
      received: 0,
      duplicated: 0,
      outOfOrder: 0,
      errors: 0,
      firstError: null,
    };
    current = run;
    const interval = 1000 / rate;
    const t0 = performance.now() + 5;
    let k = 0;
    const inflight = new Set();
    await new Promise((resolve) => {
      const tick = () => {
        const now = performance.now();
        while (k < total && t0 + k * interval <= now) {
          const i = k++;
          run.dueAt[i] = t0 + i * interval;
          const room = rooms[i % rooms.length];
          const p = send(room, `${run.prefix}${i}`, `bench message ${i}`).then(
            () => {
              run.acked[i] = 1;
              run.ackAt[i] = performance.now();
            },
            (err) => {
              if (String(err.message).startsWith('abandoned')) return;
              run.errors++;
              run.firstError ??= String(err.message ?? err);
            },
          );
          inflight.add(p);
          p.finally(() => inflight.delete(p));
        }
        if (k >= total) return resolve();
        setTimeout(tick, Math.max(0, Math.min(1, t0 + k * interval - now)));
      };
      tick();
    });
    const sendEnd = performance.now();
    // An overloaded server leaves requests queued: give them drainMs, then abandon the rest (they
    // are counted, not lost: they were never acknowledged) so that a phase stays bounded.
    await Promise.race([Promise.allSettled([...inflight]), sleep(drainMs)]);
    const abandoned = inflight.size;
    const abandonedAt = performance.now();
    for (const req of openRequests) req.destroy(new Error('abandoned: the phase ended'));
    await Promise.allSettled([...inflight]);
    const deadline = performance.now() + drainMs;
    const ackedCount = () => run.acked.reduce((a, b) => a + b, 0);
    while (performance.now() < deadline) {
      let missing = 0;
      for (let i = 0; i < total; i++) if (run.acked[i] && run.receivedAt[i] === undefined) missing++;
      if (missing === 0) break;
      await sleep(20);
    }
    await sleep(100); // a late duplicate would arrive now
    current = null;
    const latencies = [];
    const acks = [];
    let lost = 0;
    for (let i = 0; i < total; i++) {
      if (run.receivedAt[i] !== undefined) latencies.push(run.receivedAt[i] - run.dueAt[i]);
      else if (run.acked[i]) lost++;
      // Abandoned: its latency is at least its age when it was given up.
      else if (abandoned > 0) latencies.push(abandonedAt - run.dueAt[i]);
      if (run.acked[i]) acks.push(run.ackAt[i] - run.dueAt[i]);
    }
    return {
      sent: total,
      abandoned,
      acked: ackedCount(),
      received: run.received,
      lost,
      duplicated: run.duplicated,
      outOfOrder: run.outOfOrder,
      errors: run.errors,
      firstError: run.firstError,
      achievedRate: total / ((sendEnd - t0) / 1000),
      latency: latencySummary(latencies),
      ack: latencySummary(acks),
      socketErrors: rooms.reduce((n, r) => n + (r.errors ?? 0), 0),
    };
  },

  async teardown() {
    for (const ws of sockets) ws.terminate();
    agent?.destroy();
    await dbPool?.end();
    publisher?.disconnect();
    subscriber?.disconnect();
    return null;
  },
});
