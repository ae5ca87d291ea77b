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
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { latencySummary, pool, sleep } from '../lib/util.mjs';
import { createFloorSender, createPoster, sendViaApi, subscribeRoom } from './chat-clients.mjs';
import { serve } from './serve.mjs';

/** @typedef {import('./chat-clients.mjs').ChatRoom} ChatRoom */

/**
 * @typedef {object} ChatLatencyConfig
 * @property {'api' | 'floor'} mode
 * @property {ChatRoom[]} rooms
 * @property {string} [graphqlUrl] api mode: instance 1
 * @property {string} [wsUrl] api mode: instance 2
 * @property {string} [mysqlUri] floor mode
 * @property {string} [redisUrl] floor mode
 * @property {string} [channelPrefix] floor mode: the Redis channel of a room is this + its id
 */

/**
 * The run in progress: receipts are matched to it by clientMessageId prefix. Times are
 * performance.now() milliseconds, per message index.
 * @typedef {object} Run
 * @property {string} prefix
 * @property {Float64Array} dueAt
 * @property {Float64Array} ackAt
 * @property {Uint8Array} acked 1 once the send was acknowledged
 * @property {(number | undefined)[]} receivedAt
 * @property {number} received
 * @property {number} duplicated
 * @property {number} outOfOrder
 * @property {number} errors
 * @property {string | null} firstError
 */

/** @type {ChatLatencyConfig | undefined} */
let cfg;
/** @type {ChatRoom[]} */
let rooms = [];
/** @type {http.Agent | undefined} */
let agent;
/** @type {ReturnType<typeof createPoster> | undefined} */
let poster;
/** @type {import('ws').WebSocket[]} */
let sockets = [];
/** @type {mysql.Pool | undefined} */
let dbPool;
/** @type {ReturnType<typeof createFloorSender> | undefined} */
let floor;
/** @type {Redis | undefined} */
let publisher;
/** @type {Redis | undefined} */
let subscriber;
/** @type {Map<string, number>} */
const lastSeq = new Map();
/** @type {Run | null} */
let current = null;
/** @type {Set<string>} */
let warmupSeen = new Set();

/** @type {import('./chat-clients.mjs').OnMessage} */
function onMessage(roomId, seq, clientMessageId) {
  const now = performance.now();
  warmupSeen.add(roomId);
  const previous = lastSeq.get(roomId) ?? 0;
  const run = current;
  const k = run && clientMessageId.startsWith(run.prefix) ? Number(clientMessageId.slice(run.prefix.length)) : -1;
  if (run && k >= 0) {
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

/**
 * @template T
 * @param {T | undefined} value
 * @param {string} name
 * @returns {T}
 */
const required = (value, name) => {
  if (value === undefined) throw new Error(`chat-latency: ${name} is missing`);
  return value;
};

/**
 * @param {ChatRoom} room
 * @param {string} clientMessageId
 * @param {string} body
 * @returns {Promise<number>} the message's seq
 */
const send = (room, clientMessageId, body) => {
  if (!cfg) throw new Error('chat-latency: setup() first');
  return cfg.mode === 'api'
    ? sendViaApi(
        required(poster?.post, 'the HTTP client'),
        required(cfg.graphqlUrl, 'graphqlUrl'),
        room,
        clientMessageId,
        body,
      )
    : required(floor, 'the floor sender')(room, clientMessageId, body);
};

export const methods = {
  /** @param {ChatLatencyConfig} args */
  async setup(args) {
    cfg = args;
    rooms = args.rooms;
    if (cfg.mode === 'api') {
      agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
      poster = createPoster(agent);
      sockets = [];
      const wsUrl = required(cfg.wsUrl, 'wsUrl');
      await pool(rooms, 50, async (room) => sockets.push(await subscribeRoom(wsUrl, room, onMessage)));
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
      const channelPrefix = required(cfg.channelPrefix, 'channelPrefix');
      const redisUrl = required(cfg.redisUrl, 'redisUrl');
      dbPool = mysql.createPool({ uri: cfg.mysqlUri, connectionLimit: 16 });
      // Above every seq a floor sender of an earlier measurement used (seq is unique per room).
      const [rows] = /** @type {[{ top: number | string }[], unknown]} */ (
        await dbPool.query('SELECT COALESCE(MAX(seq), 0) AS top FROM messages')
      );
      publisher = new Redis(redisUrl);
      subscriber = new Redis(redisUrl);
      subscriber.on('message', (/** @type {string} */ _channel, /** @type {string} */ raw) => {
        const event = JSON.parse(raw);
        onMessage(event.roomId, event.message.seq, event.message.clientMessageId);
      });
      floor = createFloorSender(dbPool, publisher, channelPrefix, Math.max(1_000_000, Number(rows[0]?.top ?? 0) + 1));
      await subscriber.subscribe(...rooms.map((r) => channelPrefix + r.roomId));
    }
    return { rooms: rooms.length };
  },

  /**
   * Sends rate msg/s for durationMs round-robin over the rooms, then waits up to drainMs for stragglers.
   * @param {{ rate: number, durationMs: number, drainMs?: number, tag: string }} args
   */
  async run({ rate, durationMs, drainMs = 5000, tag }) {
    const total = Math.max(1, Math.round((rate * durationMs) / 1000));
    /** @type {Run} */
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
    /** @type {Set<Promise<void>>} */
    const inflight = new Set();
    await new Promise((resolve) => {
      const tick = () => {
        const now = performance.now();
        while (k < total && t0 + k * interval <= now) {
          const i = k++;
          run.dueAt[i] = t0 + i * interval;
          const room = /** @type {ChatRoom} rooms is not empty */ (rooms[i % rooms.length]);
          const p = send(room, `${run.prefix}${i}`, `bench message ${i}`).then(
            () => {
              run.acked[i] = 1;
              run.ackAt[i] = performance.now();
            },
            (/** @type {unknown} */ err) => {
              const message = err instanceof Error ? err.message : String(err);
              if (message.startsWith('abandoned')) return;
              run.errors++;
              run.firstError ??= message;
            },
          );
          inflight.add(p);
          // p never rejects (both outcomes are handled above).
          void p.finally(() => inflight.delete(p));
        }
        if (k >= total) return resolve(undefined);
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
    poster?.abandonAll();
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
    /** @type {number[]} */
    const latencies = [];
    /** @type {number[]} */
    const acks = [];
    let lost = 0;
    for (let i = 0; i < total; i++) {
      // The typed arrays hold `total` entries.
      const dueAt = /** @type {number} */ (run.dueAt[i]);
      const receivedAt = run.receivedAt[i];
      if (receivedAt !== undefined) latencies.push(receivedAt - dueAt);
      else if (run.acked[i]) lost++;
      // Abandoned: its latency is at least its age when it was given up.
      else if (abandoned > 0) latencies.push(abandonedAt - dueAt);
      if (run.acked[i]) acks.push(/** @type {number} */ (run.ackAt[i]) - dueAt);
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
};
/** @typedef {typeof methods} ChatLatency */

serve(methods);
