#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --only=me,rooms,matching,latency,sockets] [-- --no-build] [-- --no-profile]`
//
// Starts its own MariaDB and Redis (fresh data dirs under the system temp dir, free ports), builds and
// starts API instances from api/dist/main.js as separate processes, seeds the data with bulk SQL,
// runs each benchmark with its baseline alternated with the subject (load generators are child
// processes), and writes bench/RESULTS.md (full mode) or prints a summary (--quick). Everything it
// started is stopped and its temp dir deleted at the end, also on failure or Ctrl-C.
//
// Exit code: non-zero when a benchmark fails to complete or a correctness counter (double matches,
// lost / duplicated / out-of-order messages, failed requests...) is not zero. Timings never fail it.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApi } from './lib/api.mjs';
import { section } from './lib/report.mjs';
import { mintSessions, seedRooms, seedUsers, uid } from './lib/seed.mjs';
import { startMariaDb, startRedis } from './lib/services.mjs';
import { killAllWorkers } from './lib/worker.mjs';
import { benchLatency } from './benchmarks/latency.mjs';
import { benchMatching, clearQueue } from './benchmarks/matching.mjs';
import { benchMe } from './benchmarks/me.mjs';
import { benchRooms } from './benchmarks/rooms.mjs';
import { benchSockets } from './benchmarks/sockets.mjs';
import { profileHotPaths } from './benchmarks/profile.mjs';
import { writeResults } from './lib/results.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const wants = (id) => !only || only.includes(id);

const FULL = {
  me: { rounds: 3, durationSec: 5, connections: 50 },
  rooms: {
    rounds: 3,
    durationSec: 5,
    connections: 16,
    k10Rooms: 10_000,
    k10Messages: 100,
    originalUsers: 10_003,
    originalMessages: 110,
    originalTokens: 500,
  },
  matching: {
    ballast: 100_000,
    radii: [1, 5],
    ttmRadii: [1, 5],
    rounds: 3,
    durationMs: 3000,
    workers: 2,
    concurrency: 2,
    seekersPerWorker: 8000,
    pairs: 100,
    burstUsers: 200,
  },
  latency: { rooms: 200, rates: [100, 1000], durationMs: 5000, rounds: 3, loadRadiusKm: 5, loadSeekers: 3000 },
  sockets: { connections: 20_000, rounds: 1, churnRounds: 1, workers: 4, probeRooms: 50 },
};
const QUICK = {
  me: { rounds: 1, durationSec: 1, connections: 10 },
  rooms: {
    rounds: 1,
    durationSec: 1,
    connections: 4,
    k10Rooms: 300,
    k10Messages: 10,
    originalUsers: 303,
    originalMessages: 11,
    originalTokens: 20,
  },
  matching: {
    ballast: 2000,
    radii: [5],
    ttmRadii: [5],
    rounds: 1,
    durationMs: 700,
    workers: 2,
    concurrency: 1,
    seekersPerWorker: 3000,
    pairs: 10,
    burstUsers: 40,
  },
  latency: { rooms: 20, rates: [100], durationMs: 1000, rounds: 1, loadRadiusKm: 5, loadSeekers: 1000 },
  sockets: { connections: 400, rounds: 1, churnRounds: 1, workers: 2, probeRooms: 10 },
};

const startedAt = new Date();
const t0 = performance.now();
const log = (...parts) =>
  console.log(`[bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s]`, ...parts);
// Under the system temp dir, not the checkout: mariadbd runs as `mysql`, which cannot enter a clone
// made in a private (0700) directory.
const tmp = path.join(os.tmpdir(), `randchat-bench-${process.pid}`);
const stops = [];
let cleaned = false;

async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  killAllWorkers();
  for (const stop of stops.reverse()) await stop().catch((err) => console.error(`cleanup: ${err.message}`));
  rmSync(tmp, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping everything the bench started`);
    cleanup().finally(() => process.exit(130));
  });
}

function machine() {
  const git = (cmdArgs) => {
    try {
      return execFileSync('git', cmdArgs, { cwd: root, encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    date: startedAt.toISOString(),
    cpu: `${os.cpus()[0]?.model ?? 'unknown'} x ${os.cpus().length}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    commit: `${git(['rev-parse', '--short', 'HEAD'])}${git(['status', '--porcelain']) ? ' (with uncommitted changes)' : ''}`,
  };
}

async function setup(ctx) {
  mkdirSync(tmp, { recursive: true });
  log('starting MariaDB and Redis (own data dirs, free ports)');
  const [db, redis] = await Promise.all([startMariaDb(path.join(tmp, 'mariadb')), startRedis(path.join(tmp, 'redis'))]);
  stops.push(
    () => db.stop(),
    () => redis.stop(),
  );
  ctx.db = db;
  ctx.redis = redis;
  ctx.versions = { mariadb: await db.version(), redis: await redis.version() };
  const admin = await db.connect();
  await admin.query('CREATE DATABASE bench; CREATE DATABASE bench_orig');
  await admin.end();

  const jwtSecret = randomBytes(48).toString('base64url');
  const env = (name, database, prefix) => ({
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    JWT_SECRET: jwtSecret,
    SMTP_URL: 'smtp://127.0.0.1:9',
    DATABASE_URL: `${db.url.replace(/^mysql:/, 'mariadb:')}/${database}`,
    REDIS_URL: redis.url,
    REDIS_PREFIX: prefix,
    DATA_DIR: path.join(tmp, `data-${name}`),
    WEB_DIST_DIR: path.join(tmp, 'no-web'),
    ACCESS_TOKEN_TTL: '3h',
    CHAT_MESSAGES_PER_MINUTE: '1000000',
    MATCH_REQUESTS_PER_MINUTE: '10000',
    MATCH_DECLINE_COOLDOWN_SECONDS: '0',
    MATCH_SEARCH_TIMEOUT_SECONDS: String(ctx.matchSearchTimeoutSeconds),
    MATCH_PRESENCE_GRACE_SECONDS: String(ctx.matchGraceSeconds),
  });
  ctx.apiEnv = env;
  ctx.jwtSecret = jwtSecret;
  log('starting API instances (migrations run on start)');
  const [api1, orig] = await Promise.all([
    startApi(env('api1', 'bench', ctx.redisPrefix), { name: 'api1' }),
    startApi(env('orig', 'bench_orig', 'orig:'), { name: 'api-orig' }),
  ]);
  stops.push(
    () => api1.stop(),
    () => orig.stop(),
  );
  const api2 = await startApi(env('api2', 'bench', ctx.redisPrefix), { name: 'api2' });
  stops.push(() => api2.stop());
  ctx.apis = { api1, api2, orig };
  await seed(ctx);
}

async function seed(ctx) {
  const s = ctx.scale;
  const conn = await ctx.db.connect('bench');
  const t = performance.now();
  const latencyRooms = s.latency.rooms;
  const socketRooms = Math.ceil(s.sockets.connections / 2);
  const players = Math.max(2 * s.matching.pairs, s.matching.burstUsers);
  await seedUsers(conn, 'a1000000', 2 * latencyRooms);
  await seedRooms(conn, {
    roomTag: 'a2000000',
    userTag: 'a1000000',
    count: latencyRooms,
    a: '2 * seq',
    b: '2 * seq + 1',
    messages: 0,
  });
  await seedUsers(conn, 'b1000000', s.rooms.k10Rooms + 1);
  await seedRooms(conn, {
    roomTag: 'b2000000',
    userTag: 'b1000000',
    count: s.rooms.k10Rooms,
    a: '0',
    b: 'seq + 1',
    messages: s.rooms.k10Messages,
  });
  await seedUsers(conn, 'c1000000', 2 * socketRooms);
  await seedRooms(conn, {
    roomTag: 'c2000000',
    userTag: 'c1000000',
    count: socketRooms,
    a: '2 * seq',
    b: '2 * seq + 1',
    messages: 0,
  });
  await seedUsers(conn, 'd1000000', players);
  await conn.query('ANALYZE TABLE users, rooms, room_members, messages');
  await conn.end();
  const orig = await ctx.db.connect('bench_orig');
  await seedUsers(orig, 'f1000000', s.rooms.originalUsers);
  await seedRooms(orig, {
    roomTag: 'f2000000',
    userTag: 'f1000000',
    count: s.rooms.originalUsers - 1,
    a: 'seq',
    b: 'seq + 1',
    messages: s.rooms.originalMessages,
  });
  await orig.query('ANALYZE TABLE users, rooms, room_members, messages');
  await orig.end();
  log(`seeded in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const redis = ctx.redis.client();
  const mint = (ids, prefix = ctx.redisPrefix) =>
    mintSessions(redis, { prefix, jwtSecret: ctx.jwtSecret, ttlMs: 3 * 3_600_000 }, ids);
  const range = (n) => Array.from({ length: n }, (_, i) => i);
  const latencyUsers = range(2 * latencyRooms).map((i) => uid('a1000000', i));
  const latencyTokens = await mint(latencyUsers);
  const socketUsers = range(2 * socketRooms).map((i) => uid('c1000000', i));
  const socketTokens = await mint(socketUsers);
  const playerUsers = range(players).map((i) => uid('d1000000', i));
  const playerTokens = await mint(playerUsers);
  const k10User = uid('b1000000', 0);
  const [k10Token] = await mint([k10User]);
  const step = Math.max(1, Math.floor(s.rooms.originalUsers / s.rooms.originalTokens));
  const originalUsers = range(s.rooms.originalTokens).map((i) => uid('f1000000', (i * step) % s.rooms.originalUsers));
  const originalTokens = await mint(originalUsers, 'orig:');
  redis.disconnect();
  ctx.data = {
    meToken: latencyTokens[0],
    latencyRooms: range(latencyRooms).map((r) => ({
      roomId: uid('a2000000', r),
      senderId: latencyUsers[2 * r],
      senderToken: latencyTokens[2 * r],
      subscriberToken: latencyTokens[2 * r + 1],
    })),
    socketItems: range(2 * socketRooms).map((i) => ({ token: socketTokens[i], roomId: uid('c2000000', i >> 1) })),
    matchPlayers: range(players).map((i) => ({ userId: playerUsers[i], token: playerTokens[i] })),
    k10: { userId: k10User, token: k10Token },
    original: { userIds: originalUsers, tokens: originalTokens },
  };
  log(`sessions minted (${latencyUsers.length + socketUsers.length + playerUsers.length + 1 + originalUsers.length})`);
}

async function main() {
  const ctx = {
    quick,
    scale: quick ? QUICK : FULL,
    log,
    redisPrefix: 'bench:',
    // Long enough that the dense queue's users are never swept as ghosts or timed out mid-run.
    matchSearchTimeoutSeconds: 3600,
    matchGraceSeconds: 3600,
    tmp,
  };
  const loadBefore = os.loadavg();
  if (!args.includes('--no-build')) {
    log('building the API (npm run build -w api)');
    const build = spawnSync('npm', ['run', 'build', '-w', 'api', '--silent'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build -w api failed');
  }
  await setup(ctx);

  const sections = [];
  const failures = [];
  const plan = [
    ['me', benchMe],
    ['rooms', benchRooms],
    ['matching', benchMatching],
    ['latency', benchLatency],
    ['sockets', benchSockets],
  ];
  for (const [id, bench] of plan) {
    if (!wants(id)) continue;
    log(`== ${id}`);
    try {
      if (id === 'latency' && !wants('matching')) {
        // The matching load needs the dense queue the matching benchmark builds.
        const { buildBallast } = await import('./benchmarks/matching.mjs');
        await buildBallast(ctx, ctx.scale.matching.ballast);
      }
      sections.push(await bench(ctx));
    } catch (err) {
      log(`${id} FAILED: ${err.stack ?? err}`);
      failures.push({ id, error: String(err.message ?? err) });
      sections.push(section({ id, title: id, markdown: `**Did not complete:** ${String(err.message ?? err)}` }));
    }
    if (id === 'latency') await clearQueue(ctx);
  }
  let profiles = null;
  if (!quick && !args.includes('--no-profile') && !only) {
    log('== profiles (--cpu-prof on a separate instance)');
    try {
      profiles = await profileHotPaths(ctx, stops);
    } catch (err) {
      log(`profiles FAILED: ${err.stack ?? err}`);
      failures.push({ id: 'profiles', error: String(err.message ?? err) });
    }
  }
  const loadAfter = os.loadavg();
  const counters = Object.assign({}, ...sections.map((s) => s.counters ?? {}));
  const bad = Object.entries(counters).filter(([, v]) => v !== 0);
  const info = {
    ...machine(),
    ...ctx.versions,
    loadBefore,
    loadAfter,
    seconds: (performance.now() - t0) / 1000,
    quick,
    only,
  };
  const text = writeResults({
    info,
    sections,
    counters,
    failures,
    profiles,
    scale: ctx.scale,
    apiEnv: ctx.apiEnv('api1', 'bench', ctx.redisPrefix),
  });
  if (!quick && !only) {
    writeFileSync(path.join(root, 'bench', 'RESULTS.md'), text);
    log('wrote bench/RESULTS.md');
  } else {
    const out = args.find((a) => a.startsWith('--out='))?.slice(6);
    if (out) writeFileSync(out, text);
  }
  console.log('\nCorrectness counters:');
  for (const [k, v] of Object.entries(counters)) console.log(`  ${v === 0 ? 'ok  ' : 'FAIL'} ${k}: ${v}`);
  console.log('\nTargets (reported, never failing the run):');
  for (const s of sections)
    for (const t of s.targets ?? []) console.log(`  ${t.met ? 'met   ' : 'MISSED'} ${t.name}: ${t.value}`);
  for (const f of failures) console.log(`  FAILED to complete: ${f.id}: ${f.error}`);
  log(
    `done in ${info.seconds.toFixed(0)} s; load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')} -> ${loadAfter.map((x) => x.toFixed(2)).join(' ')}`,
  );
  return failures.length > 0 || bad.length > 0 ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  console.error(`bench failed: ${err.stack ?? err}`);
} finally {
  await cleanup();
}
process.exit(code);
