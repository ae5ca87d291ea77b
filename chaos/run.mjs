#!/usr/bin/env node
// `npm run chaos [-- --quick] [--no-build] [--out FILE]`: two API instances behind nginx, with
// private MariaDB and Redis reached through TCP fault proxies (chaos/fault-proxy.mjs). Users chat
// in matched rooms at 1 message/s each while the schedule below injects latency, resets, a
// partition, SIGKILLs of an instance (restarted at once), a Redis restart (empty) and a database
// stall (SIGSTOP). Other users are searching when Redis restarts. At the end the run compares what
// was acknowledged with the database and with what each peer received, prints a table, writes
// JSON (chaos/RESULTS.json, or chaos/RESULTS.quick.json) and exits 1 when a loss counter is
// non-zero (full mode: also when another Done-when threshold is missed). docs/chaos.md explains it.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import apiModule from '../scripts/topology/api.cjs';
import mariadbModule from '../scripts/topology/mariadb-server.cjs';
import nginxModule from '../scripts/topology/nginx.cjs';
import processModule from '../scripts/topology/process.cjs';
import redisModule from '../scripts/topology/redis.cjs';
import { ChaosUser } from './client.mjs';
import { startFaultProxies } from './fault-proxy-process.mjs';
import { Metrics } from './metrics.mjs';

/** @typedef {import('./fault-proxy-process.mjs').RemoteFaultProxy} RemoteFaultProxy */

const { startApi, migrateOnce } = apiModule;
const { startMariaDb } = mariadbModule;
const { startNginx } = nginxModule;
const { freePort, isRunning, stopPid } = processModule;
const { startRedis } = redisModule;

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const quick = args.quick;

/**
 * The run's shape. Fault times are seconds after the load starts.
 * @typedef {{ at: number, action: string, seconds?: number, target?: 'db' | 'redis' | 'both', instance?: number, fraction?: number }} Step
 */
const PLAN = quick
  ? {
      pairs: 10,
      searchers: 4,
      seconds: 28,
      accessTokenTtl: '15s',
      /** @type {Step[]} */
      steps: [
        { at: 2, action: 'latency', target: 'both', seconds: 4 },
        { at: 3, action: 'reset', target: 'redis', fraction: 1 },
        { at: 4, action: 'reset', target: 'db', fraction: 0.5 },
        { at: 7, action: 'kill', instance: 0 },
        { at: 11, action: 'redis-restart' },
        { at: 17, action: 'db-stall', seconds: 4 },
        { at: 22, action: 'partition', target: 'both', seconds: 3 },
      ],
    }
  : {
      pairs: 50,
      searchers: 10,
      seconds: 60,
      accessTokenTtl: '30s',
      /** @type {Step[]} */
      steps: [
        { at: 3, action: 'latency', target: 'both', seconds: 6 },
        { at: 6, action: 'reset', target: 'redis', fraction: 1 },
        { at: 8, action: 'reset', target: 'db', fraction: 0.5 },
        { at: 10, action: 'kill', instance: 0 },
        { at: 13, action: 'redis-restart' },
        { at: 20, action: 'db-stall', seconds: 10 },
        { at: 30, action: 'kill', instance: 1 },
        { at: 33, action: 'partition', target: 'both', seconds: 10 },
        { at: 45, action: 'latency', target: 'both', seconds: 4 },
        { at: 47, action: 'reset', target: 'db', fraction: 1 },
        { at: 50, action: 'kill', instance: 0 },
      ],
    };
/** How long after Redis answers again a searching user must be searching again. */
const REQUEUE_WITHIN_MS = 5000;
const DRAIN_MS = 30_000;

const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (/** @type {string} */ line) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** @type {(() => Promise<unknown> | unknown)[]} run in reverse order at the end */
const cleanups = [];

async function main() {
  if (!args['no-build']) {
    log('building the API (npm run build -w api)');
    if (spawnSync('npm', ['run', 'build', '-w', 'api', '--silent'], { stdio: 'inherit' }).status !== 0)
      throw new Error('npm run build -w api failed');
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'randchat-chaos-'));
  chmodSync(dir, 0o755); // mariadbd runs as mysql when started by root
  cleanups.push(() => !args.keep && rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'logs'));
  log(`private MariaDB and Redis under ${dir}`);
  const [db, redis] = await Promise.all([
    startMariaDb({ dir: path.join(dir, 'mariadb'), port: await freePort(), serverId: 1, name: 'chaos' }),
    startRedis({ dir: path.join(dir, 'redis'), port: await freePort(), persistent: false }),
  ]);
  cleanups.push(() => db.stop({ signal: 'SIGKILL' }));
  cleanups.push(() => db.pid && process.kill(db.pid, 'SIGCONT')); // never leave it stopped
  cleanups.push(() => redis.stop());
  await db.query('CREATE DATABASE chaos');
  // In a process of their own: see fault-proxy-process.mjs.
  const faultProxies = await startFaultProxies({ db: { port: db.port }, redis: { port: redis.port } });
  cleanups.push(() => faultProxies.stop());
  const { db: dbProxy, redis: redisProxy } = /** @type {Record<'db' | 'redis', RemoteFaultProxy>} */ (
    faultProxies.proxies
  );
  const proxies = { db: [dbProxy], redis: [redisProxy], both: [dbProxy, redisProxy] };

  const nginxPort = await freePort();
  const env = {
    // development only for a cheap scrypt (production insists on N >= 2^17, 128 MB per hash) and
    // the mail code on sign-up; everything on the chat, matching and session paths is the same.
    NODE_ENV: 'development',
    REQUIRE_EMAIL_VERIFICATION: 'false',
    LOG_LEVEL: process.env.CHAOS_API_LOG_LEVEL ?? 'warn',
    JWT_SECRET: randomBytes(48).toString('base64url'),
    PUBLIC_URL: `http://127.0.0.1:${nginxPort}`,
    SMTP_URL: 'smtp://127.0.0.1:9',
    DATA_DIR: path.join(dir, 'api-data'),
    WEB_DIST_DIR: path.join(dir, 'no-web'),
    DATABASE_URL: `mariadb://root@127.0.0.1:${dbProxy.port}/chaos`,
    REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`,
    REDIS_PREFIX: 'chaos:',
    ACCESS_TOKEN_TTL: PLAN.accessTokenTtl,
    PASSWORD_SCRYPT_LOG_N: '10',
    SIGNUP_MAX_PER_IP: '10000',
    LOGIN_MAX_ATTEMPTS_PER_IP: '10000',
    CHAT_MESSAGES_PER_MINUTE: '100000',
    MATCH_REQUESTS_PER_MINUTE: '10000',
    // Every user is minutes old: new accounts' tighter limits stay off.
    NEW_ACCOUNT_PERIOD: '0',
    MATCH_DECLINE_COOLDOWN_SECONDS: '0',
    MATCH_SEARCH_TIMEOUT_SECONDS: '3600',
  };
  await migrateOnce(
    { ...env, DATABASE_URL: `mariadb://root@127.0.0.1:${db.port}/chaos` },
    path.join(dir, 'logs', 'migrate.log'),
  );
  const ports = [await freePort(), await freePort()];
  /** @type {(import('../scripts/topology/api.cjs').ApiInstance | undefined)[]} */
  const instances = [];
  /** @param {number} i */
  const start = async (i) => {
    // Like a supervisor: an instance that cannot start (its backends are partitioned) is started
    // again until it runs.
    for (let attempt = 1; ; attempt++) {
      try {
        instances[i] = await startApi({
          name: `api-${i + 1}`,
          port: /** @type {number} */ (ports[i]),
          env: { ...env, MIGRATE_ON_START: 'false' },
          logFile: path.join(dir, 'logs', `api-${i + 1}.log`),
        });
        return;
      } catch (err) {
        if (attempt >= 20) throw err;
        log(`api-${i + 1} did not start (attempt ${attempt}); starting it again`);
        await sleep(1000);
      }
    }
  };
  cleanups.push(() =>
    Promise.all(instances.flatMap((a) => (a ? [stopPid(a.pid, { signal: 'SIGKILL', expect: 'main.js' })] : []))),
  );
  await Promise.all([start(0), start(1)]);
  const nginx = await startNginx({
    dir: path.join(dir, 'nginx'),
    port: nginxPort,
    upstreams: ports,
    webRoot: path.join(dir, 'no-web'),
  });
  cleanups.push(() => nginx.stop());
  const api = { graphqlUrl: nginx.graphqlUrl, wsUrl: nginx.wsUrl };

  const metrics = new Metrics();
  // ---- users: sign up, pair up by real matching, search ----
  log(`signing up ${PLAN.pairs * 2} chatters and ${PLAN.searchers} searchers`);
  const chatters = Array.from({ length: PLAN.pairs * 2 }, (_, i) => new ChaosUser(api, metrics, `chatter${i}`));
  const searchers = Array.from({ length: PLAN.searchers }, (_, i) => new ChaosUser(api, metrics, `searcher${i}`));
  const everyone = [...chatters, ...searchers];
  cleanups.push(() => Promise.all(everyone.map((u) => u.close())));
  for (let i = 0; i < everyone.length; i += 20) await Promise.all(everyone.slice(i, i + 20).map((u) => u.signUp()));

  log(`matching ${PLAN.pairs} pairs (requestMatch / respondToMatch)`);
  /** @type {{ a: ChaosUser, b: ChaosUser, roomId: string }[]} */
  const rooms = [];
  for (let p = 0; p < PLAN.pairs; p += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, PLAN.pairs - p) }, async (_, k) => {
        const i = p + k;
        const a = /** @type {ChaosUser} */ (chatters[2 * i]);
        const b = /** @type {ChaosUser} */ (chatters[2 * i + 1]);
        rooms[i] = { a, b, roomId: await pair(a, b, { latitude: 10 + i * 0.5, longitude: 20 }) };
      }),
    );
  }
  for (const { a, b, roomId } of rooms) {
    for (const u of [a, b]) {
      u.joinRoom(roomId);
    }
  }
  // A catch-up after every reconnect of a chatter (not after the first connect).
  for (const u of chatters)
    u.onReconnect = () => {
      const at = Date.now();
      const reason = u.lastClose;
      u.catchUp(at + 60_000)
        .then((ms) => metrics.catchUp(u.name, at, ms, reason, u.lastCatchUp))
        // Counted as 60 s: it did not complete (the detail says why).
        .catch((/** @type {Error} */ err) =>
          metrics.catchUp(
            u.name,
            at,
            60_000,
            reason,
            `did not complete after ${Date.now() - at} ms: ${err.message}; ${u.lastCatchUp}`,
          ),
        );
    };

  log(`${PLAN.searchers} users searching alone (far from everyone)`);
  await Promise.all(searchers.map((s, i) => search(s, { latitude: -20 - i * 0.5, longitude: -40 })));
  const stillSearching = await Promise.all(searchers.map((s) => s.matchState()));
  if (stillSearching.some((s) => s !== 'SEARCHING')) throw new Error(`searchers not searching: ${stillSearching}`);

  // ---- load + faults ----
  log(`load: ${chatters.length} users, 1 message/s each, ${PLAN.seconds} s; faults on schedule`);
  metrics.t0 = Date.now();
  const loadStart = metrics.t0;
  // The harness's own event loop: a stall here inflates every time it measures.
  let tick = performance.now();
  const lagProbe = setInterval(() => {
    const now = performance.now();
    metrics.harnessLag(Date.now(), now - tick - 50);
    tick = now;
  }, 50);
  cleanups.push(() => clearInterval(lagProbe));
  const ticker = setInterval(() => {
    for (const u of chatters) u.enqueue(`m${metrics.sent}`);
  }, 1000);
  /** @type {{ atRestart: number, searching: number, of: number, states: string[], why: string[] } | undefined} */
  let requeue;
  /** @type {Promise<unknown>[]} */
  const pending = [];
  for (const step of PLAN.steps) {
    await sleep(Math.max(0, loadStart + step.at * 1000 - Date.now()));
    pending.push(
      inject(step).catch((err) => {
        const first = String(err.message).split('\n')[0];
        log(`fault ${step.action} failed: ${first}`);
        metrics.fault(`${step.action} FAILED`, first);
      }),
    );
  }
  await sleep(Math.max(0, loadStart + PLAN.seconds * 1000 - Date.now()));
  clearInterval(ticker);
  log('load over; waiting for the faults to end and the outboxes to drain');
  await Promise.all(pending);
  await Promise.all([dbProxy, redisProxy].map((p) => p.heal()));
  const drainDeadline = Date.now() + DRAIN_MS;
  while (chatters.some((u) => u.outbox.length > 0) && Date.now() < drainDeadline) await sleep(200);
  const unacked = chatters.reduce((n, u) => n + u.outbox.length, 0);
  for (const u of chatters) u.stopped = true;
  // Sends in flight may still be acknowledged: the final catch-up starts once none is left, so
  // that every ack it is compared with was stored before it read.
  while (chatters.some((u) => u.sending)) await sleep(100);
  log('final catch-up of every chatter');
  /** @type {string[]} users whose final catch-up did not complete (their missing messages count as lost) */
  const finalCatchUpFailed = [];
  await Promise.all(
    chatters.map((u) => u.catchUp(Date.now() + 30_000, 'http').catch(() => finalCatchUpFailed.push(u.name))),
  );

  // ---- verdicts ----
  const check = await mysql.createConnection({ host: '127.0.0.1', port: db.port, user: 'root', database: 'chaos' });
  /** @type {any} */
  const [rows] = await check.query(
    'SELECT room_id AS roomId, sender_id AS sender, client_message_id AS cid, seq FROM messages ORDER BY room_id, seq',
  );
  await check.end();
  const report = { ...verdicts({ rows, rooms, metrics, unacked, requeue }), finalCatchUpFailed };
  writeReport(report);
  return report.pass;

  /**
   * Runs one step of the schedule; resolves when the fault is over.
   * @param {Step} step
   */
  async function inject(step) {
    const targets = step.target ? proxies[step.target] : [];
    const seconds = step.seconds ?? 0;
    if (step.action === 'latency') {
      const f = metrics.fault(`latency 0-300 ms (${step.target}, ${seconds} s)`);
      await Promise.all(targets.map((p) => p.latency(300)));
      await sleep(seconds * 1000);
      await Promise.all(targets.map((p) => p.latency(0)));
      f.until = Date.now();
    } else if (step.action === 'reset') {
      const n = (await Promise.all(targets.map((p) => p.reset(step.fraction)))).reduce((sum, k) => sum + k, 0);
      metrics.fault(`reset ${Math.round((step.fraction ?? 1) * 100)}% (${step.target})`, `${n} connections`);
    } else if (step.action === 'partition') {
      const f = metrics.fault(`partition (${step.target}, ${seconds} s)`);
      await Promise.all(targets.map((p) => p.partition()));
      await sleep(seconds * 1000);
      await Promise.all(targets.map((p) => p.heal()));
      f.until = Date.now();
    } else if (step.action === 'kill') {
      const i = step.instance ?? 0;
      const victim = instances[i];
      // An instance that already exited on its own is a finding of its own (and is started again).
      const alive = victim && isRunning(victim.pid, 'main.js');
      const f = metrics.fault(alive ? `SIGKILL api-${i + 1}` : `api-${i + 1} had exited by itself: restart`);
      if (alive) process.kill(victim.pid, 'SIGKILL');
      instances[i] = undefined;
      await sleep(200);
      await start(i);
      f.until = Date.now();
    } else if (step.action === 'redis-restart') {
      await Promise.all(searchers.map((s) => freshSocket(s)));
      const before = await Promise.all(searchers.map((s) => s.matchState()));
      for (const s of searchers) s.requeuedBy = [];
      const f = metrics.fault('Redis restart (empty)', `searchers before: ${before.join(',')}`);
      await redis.restart({ wipe: true });
      f.until = Date.now();
      await sleep(REQUEUE_WITHIN_MS);
      const states = await Promise.all(searchers.map((s) => s.matchState()));
      requeue = {
        atRestart: metrics.rel(f.until),
        searching: states.filter((s) => s === 'SEARCHING' || s === 'OFFERED').length,
        of: searchers.length,
        states,
        why: searchers.map((s) => s.requeuedBy.join(' + ') || 'not re-requested'),
      };
    } else if (step.action === 'db-stall') {
      const f = metrics.fault(`database stalled (SIGSTOP ${seconds} s)`);
      process.kill(db.pid, 'SIGSTOP');
      try {
        await sleep(seconds * 1000);
      } finally {
        process.kill(db.pid, 'SIGCONT');
      }
      f.until = Date.now();
    } else throw new Error(`unknown step ${step.action}`);
  }
}

/**
 * Matches `a` and `b` the way users do: both open matchEvents, `a` requests at `at`, `b` 1 km
 * north of it, both accept the offer; resolves with the room id from MATCHED.
 * @param {ChaosUser} a
 * @param {ChaosUser} b
 * @param {{ latitude: number, longitude: number }} at
 */
async function pair(a, b, at) {
  /** @type {Map<ChaosUser, { type: string, matchId: string, room: { id: string } | null }[]>} */
  const events = new Map([
    [a, []],
    [b, []],
  ]);
  /** @type {Promise<void>[]} */
  const connected = [];
  /** @type {(() => void)[]} */
  const unsubscribe = [];
  for (const u of [a, b]) {
    connected.push(
      new Promise((resolve) => {
        u.connect((reconnect) => {
          if (!reconnect) resolve();
          u.onReconnect?.();
        });
      }),
    );
    unsubscribe.push(u.matchEvents((e) => events.get(u)?.push(e)));
  }
  await Promise.all(connected);
  await sleep(300); // the matchEvents subscriptions register after the ack
  /** @param {ChaosUser} u @param {string} type */
  const waitEvent = async (u, type) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const e = events.get(u)?.find((x) => x.type === type);
      if (e) return e;
      if (Date.now() > deadline) throw new Error(`pairing ${a.name}/${b.name}: no ${type} for ${u.name}`);
      await sleep(50);
    }
  };
  await a.requestMatch(at, 5);
  await b.requestMatch({ latitude: at.latitude + 0.009, longitude: at.longitude }, 5);
  const offer = await waitEvent(a, 'OFFERED');
  await Promise.all([a.respond(offer.matchId, true), b.respond(offer.matchId, true)]);
  const matched = await waitEvent(a, 'MATCHED');
  await waitEvent(b, 'MATCHED');
  for (const u of unsubscribe) u();
  return /** @type {{ id: string }} */ (matched.room).id;
}

/**
 * A user searching alone with matchEvents open. Like the web app, it searches again when told its
 * search was lost (an INTERRUPTED event) or, after a reconnect, when matchStatus says IDLE.
 * `reason` records what made it search again, for the report.
 * @param {ChaosUser} s
 * @param {{ latitude: number, longitude: number }} at
 */
async function searchSocket(s, at) {
  /** @param {string} why */
  const again = (why) => {
    if (s.stopped) return;
    s.requeuedBy.push(why);
    void s.requestMatch(at, 1).then((data) => s.requeuedBy.push(`requestMatch answered ${data.requestMatch.state}`));
  };
  await new Promise((resolve) => {
    s.connect((reconnect) => {
      if (!reconnect) return resolve(undefined);
      const why = `reconnect after ${s.lastClose}`;
      void s.matchState().then((state) => state === 'IDLE' && again(why));
    });
  });
  s.matchEvents((e) => e.type === 'INTERRUPTED' && again('INTERRUPTED event'));
  await sleep(300); // the subscription registers after the ack
}

/**
 * Starts searching at `at`.
 * @param {ChaosUser} s
 * @param {{ latitude: number, longitude: number }} at
 */
async function search(s, at) {
  s.searchAt = at;
  await searchSocket(s, at);
  await s.requestMatch(at, 1);
}

/**
 * Gives a searcher a fresh socket and access token, so that no routine token-expiry reconnect
 * (which re-requests by itself) falls into the re-queue measurement after the Redis restart.
 * @param {ChaosUser} s
 */
async function freshSocket(s) {
  await s.ws?.dispose();
  s.connects = 0;
  await s.refreshTokens(true);
  await searchSocket(s, /** @type {{ latitude: number, longitude: number }} */ (s.searchAt));
}

/**
 * @param {{ rows: { roomId: string, sender: string, cid: string, seq: number }[], rooms: { a: ChaosUser, b: ChaosUser, roomId: string }[], metrics: Metrics, unacked: number, requeue: { searching: number, of: number, states: string[], why: string[], atRestart: number } | undefined }} input
 */
function verdicts({ rows, rooms, metrics, unacked, requeue }) {
  /** @type {Map<string, { sender: string, cid: string, seq: number }[]>} */
  const byRoom = new Map();
  /** @type {Map<string, number>} room|sender|cid → stored count */
  const stored = new Map();
  /** @type {Map<string, number>} room|sender|cid → stored seq */
  const storedSeq = new Map();
  for (const r of rows) {
    const list = byRoom.get(r.roomId) ?? [];
    list.push(r);
    byRoom.set(r.roomId, list);
    const key = `${r.roomId}|${r.sender}|${r.cid}`;
    stored.set(key, (stored.get(key) ?? 0) + 1);
    storedSeq.set(key, r.seq);
  }
  // Lost: acknowledged but not stored, stored under another seq than acknowledged, or not
  // received by the peer after its final catch-up.
  let lostInDb = 0;
  let ackSeqMismatch = 0;
  let notAtPeer = 0;
  /** @type {{ peer: string | undefined, seq: number, peerContiguous: number | undefined }[]} */
  const notAtPeerSamples = [];
  const peerOf = new Map(
    rooms.flatMap((r) => [
      [r.a.id, r.b],
      [r.b.id, r.a],
    ]),
  );
  for (const ack of metrics.acks) {
    const key = `${ack.roomId}|${ack.sender}|${ack.clientMessageId}`;
    if (!stored.has(key)) lostInDb++;
    else if (storedSeq.get(key) !== ack.seq) ackSeqMismatch++;
    const peer = peerOf.get(ack.sender);
    if (!peer || !peer.seqsByClientId.has(ack.clientMessageId)) {
      notAtPeer++;
      if (notAtPeerSamples.length < 10)
        notAtPeerSamples.push({ peer: peer?.name, seq: ack.seq, peerContiguous: peer?.contiguous });
    }
  }
  const ackedIds = new Set(metrics.acks.map((a) => `${a.roomId}|${a.sender}|${a.clientMessageId}`));
  const duplicateAcks = metrics.acks.length - ackedIds.size;
  const duplicatesInDb = [...stored.values()].filter((n) => n > 1).length;
  let duplicateDeliveries = 0;
  for (const u of rooms.flatMap((r) => [r.a, r.b]))
    for (const seqs of u.seqsByClientId.values()) if (seqs.size > 1) duplicateDeliveries++;
  let gaps = 0;
  for (const list of byRoom.values()) list.forEach((r, i) => r.seq !== i + 1 && gaps++);
  const roomsWithGaps = [...byRoom.values()].filter((list) => list.some((r, i) => r.seq !== i + 1)).length;

  const failures = metrics.failureSummary();
  const catchUp = metrics.catchUpSummary();
  const loggedOut = metrics.loggedOutUsers.size;
  const requeuedPct = requeue ? Math.round((requeue.searching / requeue.of) * 1000) / 10 : 0;
  const loss = {
    ackedLost: lostInDb + ackSeqMismatch + notAtPeer,
    duplicates: duplicatesInDb + duplicateDeliveries + duplicateAcks,
    seqGaps: gaps,
    usersLoggedOut: loggedOut,
  };
  const thresholds = {
    failedWithin3s: failures.slowerThan3s === 0,
    answeredWithin3s: Object.keys(metrics.slowRequests).length === 0,
    failedCoded: failures.withoutDocumentedCode === 0,
    catchUpP99AtMost1s: catchUp.perFault.every((f) => f.p99 <= 1000),
    requeued100: requeuedPct === 100,
  };
  const lossOk = Object.values(loss).every((n) => n === 0);
  const pass = lossOk && (quick || Object.values(thresholds).every(Boolean));
  return {
    mode: quick ? 'quick' : 'full',
    finishedAt: new Date().toISOString(),
    pass,
    loss,
    lossDetail: {
      lostInDb,
      ackSeqMismatch,
      notAtPeer,
      duplicatesInDb,
      duplicateDeliveries,
      duplicateAcks,
      roomsWithGaps,
    },
    thresholds,
    totals: {
      users: rooms.length * 2,
      rooms: rooms.length,
      seconds: PLAN.seconds,
      messagesSent: metrics.sent,
      messagesAcked: metrics.acks.length,
      notAckedAtEnd: unacked,
      storedRows: rows.length,
    },
    failures,
    requests: { total: metrics.requests, slowerThan3sByKind: metrics.slowRequests },
    harness: {
      eventLoopLagMaxMs: Math.round(metrics.harnessLagMax),
      stallsOver100ms: metrics.harnessStalls.map((s) => `t=${metrics.rel(s.at)}s ${s.ms} ms`),
    },
    catchUp,
    requeue: requeue ? { ...requeue, percent: requeuedPct } : { percent: 0, note: 'no Redis restart ran' },
    loggedOut: Object.fromEntries(metrics.loggedOutUsers),
    faults: metrics.faults.map((f) => ({
      name: f.name,
      at: metrics.rel(f.at),
      until: f.until ? metrics.rel(f.until) : undefined,
      detail: f.detail,
    })),
  };
}

/** @param {ReturnType<typeof verdicts> & { finalCatchUpFailed: string[] }} r */
function writeReport(r) {
  const out = args.out ?? path.join(here, quick ? 'RESULTS.quick.json' : 'RESULTS.json');
  writeFileSync(out, `${JSON.stringify(r, null, 2)}\n`);
  const ok = (/** @type {boolean} */ b) => (b ? 'ok  ' : 'FAIL');
  const lines = [
    `chaos ${r.mode} run: ${r.totals.users} users in ${r.totals.rooms} rooms, ${r.totals.seconds} s`,
    `  messages sent ${r.totals.messagesSent}, acked ${r.totals.messagesAcked}, not acked at the end ${r.totals.notAckedAtEnd}, rows stored ${r.totals.storedRows}`,
    'faults:',
    ...r.faults.map(
      (f) =>
        `  t=${f.at}s${f.until !== undefined ? `..${f.until}s` : ''}  ${f.name}${f.detail ? `  (${f.detail})` : ''}`,
    ),
    'counters:',
    `  ${ok(r.loss.ackedLost === 0)} acked messages lost            ${r.loss.ackedLost}  (not in DB ${r.lossDetail.lostInDb}, other seq than acked ${r.lossDetail.ackSeqMismatch}, not at peer ${r.lossDetail.notAtPeer})`,
    `  ${ok(r.loss.duplicates === 0)} duplicates                     ${r.loss.duplicates}  (DB ${r.lossDetail.duplicatesInDb}, deliveries ${r.lossDetail.duplicateDeliveries}, acks ${r.lossDetail.duplicateAcks})`,
    `  ${ok(r.loss.seqGaps === 0)} per-room seq gaps              ${r.loss.seqGaps}  (rooms ${r.lossDetail.roomsWithGaps})`,
    `  ${ok(r.loss.usersLoggedOut === 0)} users logged out by a fault    ${r.loss.usersLoggedOut}`,
    `  ${ok(r.thresholds.failedWithin3s)} failed requests > 3 s          ${r.failures.slowerThan3s} of ${r.failures.total} (slowest ${r.failures.slowestMs} ms) ${JSON.stringify(r.failures.slowByCode)}`,
    `  ${ok(r.thresholds.answeredWithin3s)} requests (any outcome) > 3 s   ${JSON.stringify(r.requests.slowerThan3sByKind)} of ${r.requests.total}`,
    `  ${ok(r.thresholds.failedCoded)} failed without documented code ${r.failures.withoutDocumentedCode}  (gateway 502/504 ${r.failures.gateway}; by code ${JSON.stringify(r.failures.byCode)})`,
    `         without code by request: ${JSON.stringify(r.failures.uncodedByKind)}; failures before the load (setup, not judged): ${JSON.stringify(r.failures.duringSetup)}`,
    `  ${ok(r.thresholds.catchUpP99AtMost1s)} catch-up after reconnect       p50 ${r.catchUp.p50} ms, p99 ${r.catchUp.p99} ms over ${r.catchUp.reconnects} reconnects after faults (${r.catchUp.expiry.reconnects} after token expiry: p99 ${r.catchUp.expiry.p99} ms)`,
    ...r.catchUp.perFault
      .filter((f) => f.reconnects > 0)
      .map(
        (f) => `         after ${f.fault} (t=${f.at}s): ${f.reconnects} reconnects, p50 ${f.p50} ms, p99 ${f.p99} ms`,
      ),
    `  ${ok(r.thresholds.requeued100)} searchers re-queued after Redis restart  ${r.requeue.percent} % ${'states' in r.requeue ? `${JSON.stringify(r.requeue.states)} by ${JSON.stringify(r.requeue.why)}` : ''}`,
    `harness event loop: max lag ${r.harness.eventLoopLagMaxMs} ms, ${r.harness.stallsOver100ms.length} stalls > 100 ms`,
    `verdict: ${r.pass ? 'PASS' : 'FAIL'} (${r.mode === 'quick' ? 'quick mode fails on the loss counters only' : 'all Done-when thresholds'})  results: ${out}`,
  ];
  if (r.finalCatchUpFailed.length > 0)
    lines.splice(-1, 0, `  final catch-up did not complete for ${r.finalCatchUpFailed.join(', ')}`);
  console.log(lines.join('\n'));
}

/** 0 pass, 1 a counter failed, 2 the run itself failed */
let exitCode;
try {
  exitCode = (await main()) ? 0 : 1;
} catch (err) {
  console.error(`chaos run failed: ${err instanceof Error ? err.stack : String(err)}`);
  exitCode = 2;
} finally {
  for (const cleanup of cleanups.reverse())
    await Promise.resolve()
      .then(cleanup)
      .catch(() => undefined);
}
process.exit(exitCode);
