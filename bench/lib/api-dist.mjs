// The API's own modules that the bench drives directly, from its build (api/dist, made by
// `npm run build -w api`): the session minting of seed.mjs, the token check of the `me` peer row
// (bench/workers/mercurius-me.mjs) and the Redis match queue of the matching benchmark and its load
// workers. Loaded on first use, so the bench can build the API
// before anything needs it. The built JavaScript carries no types: the typedefs below state the
// part of each module's interface the bench relies on, as declared in api/src (named per type).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const API_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../api/dist');

/**
 * A built module by its path under api/dist. Its exports are typed by the caller's return type:
 * the compiler does not follow this require into api/dist, which exists only after a build.
 * @param {string} file
 */
const load = (file) => require(path.join(API_DIST, file));

/** @typedef {import('ioredis').Redis} Redis */

/** @typedef {{ lat: number, lon: number }} Position api/src/modules/matching/geo.ts */

/**
 * api/src/modules/matching/match-queue.port.ts
 * @typedef {{ matchId: string, users: [string, string], distanceKm: number, expiresAt: number, accepted: string[] }} Offer
 * @typedef {'OFFERED' | 'PEER_ACCEPTED' | 'DECLINED' | 'EXPIRED' | 'CANCELLED' | 'SEARCH_TIMEOUT'} QueueEventType
 * @typedef {{ to: string, type: QueueEventType, offer?: Offer, partnerProfile?: string }} QueueEvent
 * @typedef {{ events: QueueEvent[], status: 'searching' | 'offered' | 'busy' | 'needs-exclusions' | 'held' }} EnqueueResult
 * @typedef {{ state: 'IDLE' }
 *   | { state: 'SEARCHING', radiusKm: number, since: number }
 *   | { state: 'OFFERED', radiusKm: number, offer: Offer }} QueueStatus
 * @typedef {{ blocked: string[], openRooms: string[] }} Exclusions
 * @typedef {{ offerTtlMs: number, cooldownMs: number, searchTimeoutMs: number, presenceGraceMs: number, pairMemoryMs: number }} MatchQueueOptions
 * @typedef {{ pool?: string, traits?: { gender?: string, age?: number }, preferences?: { genders?: string[], minAge?: number, maxAge?: number } }} Filter
 */

/**
 * MatchQueue (match-queue.port.ts), the methods the bench calls; times are epoch milliseconds.
 * @typedef {object} MatchQueue
 * @property {(request: { userId: string, position: Position, radiusKm: number, filter?: Filter }, now: number) => Promise<EnqueueResult>} enqueue
 * @property {(userId: string, now: number) => Promise<{ events: QueueEvent[] }>} cancel
 * @property {(userId: string, now: number) => Promise<QueueStatus>} status
 * @property {(userId: string, exclusions: Exclusions, now: number) => Promise<void>} loadExclusions
 */

/**
 * The queue's Redis keys (matching/keys.ts), those the bench reads.
 * @typedef {{ base: string, geo: (radiusClass: number) => string, meta: string, searching: string }} MatchKeys
 */

/**
 * @typedef {object} MatchingModules
 * @property {(redis: Redis, options: MatchQueueOptions & { prefix: string }) => MatchQueue} createRedisMatchQueue
 * @property {(redis: Redis | import('ioredis').Cluster, options: MatchQueueOptions & { prefix: string, cellKm: number }) => MatchQueue} createShardedMatchQueue
 * @property {(prefix: string) => MatchKeys} matchKeys
 * @property {(radiusKm: number) => number} radiusClass the GEO index's radius class of a radius (1-based)
 * @property {readonly number[]} RADIUS_CLASSES_KM each class's radius (the last class has none)
 * @property {(position: Position, cellKm: number) => Position} snapToGrid the centre of `position`'s grid cell
 * @property {string} HELPERS_LUA the queue scripts' pure Lua helpers (haversine, prefilterRadiusKm, RADIUS_CLASSES...)
 */

/**
 * api/src/modules/auth/tokens.ts: AccessTokens (session minting, and the peer row's token check).
 * @typedef {{ sub: string, sid: string, exp: number }} AccessClaims
 * @typedef {object} AccessTokens
 * @property {(userId: string, sessionId: string) => { token: string, expiresAt: Date }} sign
 * @property {(token: string) => AccessClaims | null} verify null for anything but a valid, unexpired access token
 */

/**
 * api/src/modules/auth/refresh-token.port.ts, the methods the bench calls.
 * @typedef {object} RefreshTokenStore
 * @property {(family: { familyId: string, userId: string, tokenHash: string, expiresAt: Date }) => Promise<void>} createFamily
 * @property {(familyId: string, now: Date) => Promise<boolean>} isActive true while the session is live
 */

/**
 * api/src/modules/auth/session-liveness.ts: the API's per-instance cache of session liveness.
 * @typedef {object} SessionLiveness
 * @property {(sessionId: string) => Promise<boolean>} isLive
 * @property {(listening: boolean) => void} setListening
 */

/**
 * api/src/modules/auth/tokens.ts, refresh-token.sql.ts and session-liveness.ts; `sessionStore`
 * opens the API's SQL refresh-token store on a mysql2 pool (sql-runner.mysql.ts over the pool's
 * connections, as the API runs it over the ORM's).
 * @typedef {object} AuthModules
 * @property {new (options: { secret: string, issuer: string, audience: string, ttlMs: number }) => AccessTokens} AccessTokens
 * @property {{ issue(familyId: string): { token: string, hash: string } }} refreshTokens
 * @property {(pool: import('mysql2/promise').Pool) => RefreshTokenStore} sessionStore
 * @property {new (lookup: (sessionId: string) => Promise<boolean>, options: { ttlMs: number }) => SessionLiveness} SessionLiveness
 */

/** @type {MatchingModules | undefined} */
let matching;

/** @returns {MatchingModules} */
export function matchingModules() {
  if (!matching) {
    const { createRedisMatchQueue } = load('modules/matching/match-queue.redis.js');
    const { createShardedMatchQueue } = load('modules/matching/match-queue.sharded.js');
    const { matchKeys, radiusClass, RADIUS_CLASSES_KM } = load('modules/matching/keys.js');
    const { snapToGrid } = load('modules/matching/geo.js');
    const { HELPERS_LUA } = load('modules/matching/match-queue.lua.js');
    matching = {
      createRedisMatchQueue,
      createShardedMatchQueue,
      matchKeys,
      radiusClass,
      RADIUS_CLASSES_KM,
      snapToGrid,
      HELPERS_LUA,
    };
  }
  return matching;
}

/** @returns {AuthModules} */
export function authModules() {
  const { AccessTokens, refreshTokens } = load('modules/auth/tokens.js');
  const { createSqlRefreshTokenStore } = load('modules/auth/refresh-token.sql.js');
  const { createMysqlSqlRunner } = load('infra/db/sql-runner.mysql.js');
  const { SessionLiveness } = load('modules/auth/session-liveness.js');
  /** @param {import('mysql2/promise').Pool} pool */
  const sessionStore = (pool) => {
    /** @typedef {import('mysql2/promise').PoolConnection} PoolConnection */
    const sql = createMysqlSqlRunner({
      acquire: async () => {
        const connection = await pool.getConnection();
        return {
          connection,
          /** @param {string} text @param {(string | number | boolean | Date | null)[]} values */
          execute: (text, values) => connection.execute(text, values).then(([rows]) => rows),
          /** @param {string} text */
          query: (text) => connection.query(text).then(([rows]) => rows),
          destroy: () => connection.destroy(),
        };
      },
      /** @param {{ connection: PoolConnection }} wrapped */
      release: ({ connection }) => connection.release(),
      /** @param {Error} err */
      convertError: (err) => err,
    });
    return createSqlRefreshTokenStore(sql);
  };
  return { AccessTokens, refreshTokens, sessionStore, SessionLiveness };
}
