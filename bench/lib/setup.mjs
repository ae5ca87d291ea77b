// The run's world: the bench's own MariaDB and Redis, three API instances (two on the main
// database sharing one Redis prefix, one on the original-load-shape database) and the seeded data
// with a session per user who needs one. Everything started is registered in `stops`.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startApi } from './api.mjs';
import { mintSessions, seedRooms, seedUsers, uid } from './seed.mjs';
import { startMariaDb, startRedis } from './services.mjs';

/**
 * What the orchestrator decides before anything starts.
 * @typedef {object} BenchOptions
 * @property {boolean} quick
 * @property {import('./scale.mjs').Scale} scale
 * @property {(...parts: unknown[]) => void} log
 * @property {string} redisPrefix
 * @property {number} matchSearchTimeoutSeconds
 * @property {number} matchGraceSeconds
 * @property {string} tmp the run's temp dir (deleted at the end)
 * @property {import('./metrics.mjs').MetricsRecorder} metrics where each benchmark records its headline
 *   numbers (bench/results.json), shown beside an earlier run's with `--before`
 */

/**
 * The seeded users, rooms and sessions each benchmark uses.
 * @typedef {object} BenchData
 * @property {string} meToken
 * @property {import('../workers/chat-clients.mjs').ChatRoom[]} latencyRooms
 * @property {{ token: string, roomId: string }[]} socketItems one per member of the socket rooms
 * @property {{ userId: string, token: string }[]} matchPlayers
 * @property {{ userId: string, token: string }} k10 the user with 10k rooms
 * @property {{ userIds: string[], tokens: string[] }} original users of the original load shape
 */

/**
 * Everything a benchmark gets.
 * @typedef {BenchOptions & {
 *   db: import('./services.mjs').MariaDb,
 *   redis: import('./services.mjs').RedisServer,
 *   versions: { mariadb: string, redis: string | undefined },
 *   apiEnv: (name: string, database: string, prefix: string) => Record<string, string>,
 *   jwtSecret: string,
 *   apis: { api1: import('./api.mjs').ApiInstance, api2: import('./api.mjs').ApiInstance, orig: import('./api.mjs').ApiInstance },
 *   data: BenchData,
 * }} Ctx
 */

/** @typedef {() => Promise<unknown>} Stop */

/**
 * Starts the servers and instances and seeds the data.
 * @param {BenchOptions} options
 * @param {Stop[]} stops where each started piece's stop goes (run in reverse at the end)
 * @returns {Promise<Ctx>}
 */
export async function setup(options, stops) {
  const { tmp, log } = options;
  mkdirSync(tmp, { recursive: true });
  log('starting MariaDB and Redis (own data dirs, free ports)');
  const [db, redis] = await Promise.all([startMariaDb(path.join(tmp, 'mariadb')), startRedis(path.join(tmp, 'redis'))]);
  stops.push(
    () => db.stop(),
    () => redis.stop(),
  );
  const versions = { mariadb: await db.version(), redis: await redis.version() };
  const admin = await db.connect();
  await admin.query('CREATE DATABASE bench; CREATE DATABASE bench_orig');
  await admin.end();

  const jwtSecret = randomBytes(48).toString('base64url');
  /**
   * @param {string} name
   * @param {string} database
   * @param {string} prefix
   * @returns {Record<string, string>}
   */
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
    // The seeded and signed-up users are hours old at most: new accounts' tighter limits stay off.
    NEW_ACCOUNT_PERIOD: '0',
    MATCH_DECLINE_COOLDOWN_SECONDS: '0',
    // The players cancel hundreds of offers (each a skip): the bots' brake is not what this measures.
    NEXT_PER_HOUR: '10000',
    MATCH_SEARCH_TIMEOUT_SECONDS: String(options.matchSearchTimeoutSeconds),
    MATCH_PRESENCE_GRACE_SECONDS: String(options.matchGraceSeconds),
    // The bench drives instances to saturation to measure their capacity; shedding (on by default)
    // would refuse sends there by design (docs/operations.md, "When an instance is overloaded").
    OVERLOAD_LAG: '0',
  });
  log('starting API instances (migrations run on start)');
  const [api1, orig] = await Promise.all([
    startApi(env('api1', 'bench', options.redisPrefix), { name: 'api1' }),
    startApi(env('orig', 'bench_orig', 'orig:'), { name: 'api-orig' }),
  ]);
  stops.push(
    () => api1.stop(),
    () => orig.stop(),
  );
  const api2 = await startApi(env('api2', 'bench', options.redisPrefix), { name: 'api2' });
  stops.push(() => api2.stop());
  const data = await seed(options, db, jwtSecret);
  return { ...options, db, redis, versions, apiEnv: env, jwtSecret, apis: { api1, api2, orig }, data };
}

/**
 * Users, rooms, members and messages in bulk SQL, then one session per user a benchmark drives.
 * @param {BenchOptions} options
 * @param {import('./services.mjs').MariaDb} db
 * @param {string} jwtSecret
 * @returns {Promise<BenchData>}
 */
async function seed({ scale: s, log }, db, jwtSecret) {
  const conn = await db.connect('bench');
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
  const orig = await db.connect('bench_orig');
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

  const pools = { bench: db.pool('bench'), orig: db.pool('bench_orig') };
  /**
   * @param {string[]} ids
   * @param {'bench' | 'orig'} [database]
   */
  const mint = (ids, database = 'bench') => mintSessions(pools[database], { jwtSecret }, ids);
  /** @param {number} n */
  const range = (n) => Array.from({ length: n }, (_, i) => i);
  const latencyUsers = range(2 * latencyRooms).map((i) => uid('a1000000', i));
  const latencyTokens = await mint(latencyUsers);
  const socketUsers = range(2 * socketRooms).map((i) => uid('c1000000', i));
  const socketTokens = await mint(socketUsers);
  const playerUsers = range(players).map((i) => uid('d1000000', i));
  const playerTokens = await mint(playerUsers);
  const k10User = uid('b1000000', 0);
  const [k10Token = ''] = await mint([k10User]);
  const step = Math.max(1, Math.floor(s.rooms.originalUsers / s.rooms.originalTokens));
  const originalUsers = range(s.rooms.originalTokens).map((i) => uid('f1000000', (i * step) % s.rooms.originalUsers));
  const originalTokens = await mint(originalUsers, 'orig');
  await Promise.all([pools.bench.end(), pools.orig.end()]);
  // mintSessions returns one token per id, in order: every index below is within its list.
  const at = (/** @type {string[]} */ list, /** @type {number} */ i) => /** @type {string} */ (list[i]);
  log(`sessions minted (${latencyUsers.length + socketUsers.length + playerUsers.length + 1 + originalUsers.length})`);
  return {
    meToken: at(latencyTokens, 0),
    latencyRooms: range(latencyRooms).map((r) => ({
      roomId: uid('a2000000', r),
      senderId: at(latencyUsers, 2 * r),
      senderToken: at(latencyTokens, 2 * r),
      subscriberToken: at(latencyTokens, 2 * r + 1),
    })),
    socketItems: range(2 * socketRooms).map((i) => ({ token: at(socketTokens, i), roomId: uid('c2000000', i >> 1) })),
    matchPlayers: range(players).map((i) => ({ userId: at(playerUsers, i), token: at(playerTokens, i) })),
    k10: { userId: k10User, token: k10Token },
    original: { userIds: originalUsers, tokens: originalTokens },
  };
}
