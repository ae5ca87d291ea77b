// The matching benchmark's queue side (see matching.mjs): the dense queue built through the real
// `enqueue`, the match step vs raw GEOSEARCH throughput driven by geo-load workers, and the Lua
// breakdown of one match step, all read from Redis' commandstats.
import { ms, num } from '../lib/report.mjs';
import { alternate, variant } from '../lib/rounds.mjs';
import { matchingModules } from '../lib/api-dist.mjs';
import { median, pool } from '../lib/util.mjs';
import { startWorker } from '../lib/worker.mjs';

/** @typedef {import('../lib/setup.mjs').Ctx} Ctx */
/** @typedef {import('ioredis').Redis} Redis */
/** @typedef {{ lat0: number, lon0: number, sizeKm: number }} Square a square of sizeKm around (lat0, lon0) */
/** @typedef {import('../lib/worker.mjs').Worker<import('../workers/geo-load.mjs').GeoLoad>} GeoLoadWorker */
/** @typedef {Record<string, { calls: number, usec: number }>} CommandStats */

const KM_PER_DEG_LAT = 111.195;
/** The dense square (Paris), and a far area for the burst. */
export const DENSE = { lat0: 48.8566, lon0: 2.3522, sizeKm: 50 };
export const BURST = { lat0: 45.764, lon0: 4.8357, sizeKm: 10 };
export const BALLAST_PREFIX = 'ballast-';

/**
 * A geo-load worker (bench/workers/geo-load.mjs).
 * @param {string} name
 */
export function startGeoLoad(name) {
  /** @type {import('../lib/worker.mjs').Worker<import('../workers/geo-load.mjs').GeoLoad>} */
  const worker = startWorker('geo-load.mjs', { name });
  return worker;
}

/** @param {string} prefix the API's Redis prefix */
export const queueKeys = (prefix) => matchingModules().matchKeys(prefix);

/** The dense queue's radius: the queue's own "never eligible" (below zero), so its users stay searching. */
export const BALLAST_RADIUS_KM = -1;

/**
 * The GEO key holding the dense queue (its radius class, keys.ts): every ballast user, so a raw
 * GEOSEARCH on it reads everyone searching in the area.
 * @param {string} prefix
 */
export const denseGeoKey = (prefix) => {
  const { matchKeys, radiusClass } = matchingModules();
  return matchKeys(prefix).geo(radiusClass(BALLAST_RADIUS_KM));
};

/**
 * A random position in the square, snapped to the queue's grid (cells of `cellKm`).
 * @param {Square} square
 */
export function randomPoint({ lat0, lon0, sizeKm }, cellKm = 1) {
  const { snapToGrid } = matchingModules();
  const lat = lat0 + (Math.random() - 0.5) * (sizeKm / KM_PER_DEG_LAT);
  const lon = lon0 + (Math.random() - 0.5) * (sizeKm / (KM_PER_DEG_LAT * Math.cos((lat0 * Math.PI) / 180)));
  return snapToGrid({ lat, lon }, cellKm);
}

/**
 * The instances' queue options (MATCH_* settings of setup.mjs), for queues the bench drives itself.
 * @param {import('../lib/setup.mjs').BenchOptions} ctx
 * @returns {import('../lib/api-dist.mjs').MatchQueueOptions}
 */
export const queueOptions = (ctx) => ({
  offerTtlMs: 30_000,
  cooldownMs: 0,
  searchTimeoutMs: ctx.matchSearchTimeoutSeconds * 1000,
  presenceGraceMs: ctx.matchGraceSeconds * 1000,
  pairMemoryMs: 0,
});

/**
 * Redis INFO commandstats as { command: { calls, usec } }.
 * @param {Redis} redis
 * @returns {Promise<CommandStats>}
 */
async function commandStats(redis) {
  const info = await redis.info('commandstats');
  /** @type {CommandStats} */
  const out = {};
  for (const [, command = '', calls, usec] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm))
    out[command] = { calls: Number(calls), usec: Number(usec) };
  return out;
}

/**
 * Redis time per call of `cmd` between two commandstats readings, in µs (NaN without calls).
 * @param {CommandStats} before
 * @param {CommandStats} after
 * @param {string} cmd
 */
const usecPerCall = (before, after, cmd) => {
  const calls = (after[cmd]?.calls ?? 0) - (before[cmd]?.calls ?? 0);
  return calls ? ((after[cmd]?.usec ?? 0) - (before[cmd]?.usec ?? 0)) / calls : NaN;
};

/**
 * Fills the queue with `count` searching users that no seeker can ever be offered (radius -1: the
 * queue's own "never eligible", so they stay searching), through `enqueue` itself.
 * @param {Ctx} ctx
 * @param {number} count
 * @param {{ client(): Redis }} [server] where the queue is (default: the bench's Redis)
 */
export async function buildBallast(ctx, count, server = ctx.redis) {
  const { createRedisMatchQueue, matchKeys } = matchingModules();
  const redis = server.client();
  const queue = createRedisMatchQueue(redis, { ...queueOptions(ctx), prefix: ctx.redisPrefix });
  const started = performance.now();
  const ids = Array.from({ length: count }, (_, i) => `${BALLAST_PREFIX}${i}`);
  await pool(ids, 400, async (userId) => {
    await queue.loadExclusions(userId, { blocked: [], openRooms: [] }, Date.now());
    const result = await queue.enqueue(
      { userId, position: randomPoint(DENSE), radiusKm: BALLAST_RADIUS_KM },
      Date.now(),
    );
    if (result.status !== 'searching') throw new Error(`ballast ${userId} ${result.status}`);
  });
  const seconds = (performance.now() - started) / 1000;
  const keys = matchKeys(ctx.redisPrefix);
  const [geo, searching] = await Promise.all([redis.zcard(denseGeoKey(ctx.redisPrefix)), redis.zcard(keys.searching)]);
  redis.disconnect();
  return { seconds, geo, searching };
}

/**
 * Deletes every key of the queue (between benchmarks).
 * @param {Ctx} ctx
 */
export async function clearQueue(ctx) {
  const redis = ctx.redis.client();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${ctx.redisPrefix}{match}:*`, 'COUNT', 5000);
    if (keys.length) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
}

/**
 * Offers seen by the loaders: users in two different offers, offers with a never-eligible user.
 * @param {readonly [matchId: string, a: string, b: string][]} offers
 */
function checkOffers(offers) {
  /** @type {Map<string, Set<string>>} */
  const byUser = new Map();
  let ineligible = 0;
  for (const [matchId, a, b] of offers) {
    if (a.startsWith(BALLAST_PREFIX) || b.startsWith(BALLAST_PREFIX)) ineligible++;
    for (const u of [a, b]) {
      const ids = byUser.get(u) ?? new Set();
      byUser.set(u, ids.add(matchId));
    }
  }
  let doubles = 0;
  for (const ids of byUser.values()) if (ids.size > 1) doubles++;
  return { doubles, ineligible, users: [...byUser.keys()] };
}

/** @typedef {Awaited<ReturnType<import('../workers/geo-load.mjs').GeoLoad['run']>>} LoadRun */

/**
 * Throughput of the match step vs raw GEOSEARCH at one radius, alternated.
 * @param {Ctx} ctx
 * @param {GeoLoadWorker[]} loaders
 * @param {import('../workers/geo-load.mjs').Radius} radiusKm
 * @param {string} label
 * @param {{ preferences?: boolean }} [options] also run the match step with seekers stating traits and
 *   preferences (variant 'prefs': every seeker accepts every other, so the same pairs form while each
 *   candidate in range is judged by both filters)
 */
export async function throughput(ctx, loaders, radiusKm, label, options = {}) {
  const { rounds, durationMs, concurrency, seekersPerWorker } = ctx.scale.matching;
  const redis = ctx.redis.client();
  const loaderPids = Object.fromEntries(loaders.map((w, i) => [`loader${i + 1}`, w.pid]));
  /** @type {CommandStats} */
  let stats0 = {};
  const counters = { doubles: 0, ineligible: 0, notMutual: 0 };
  let tag = 0;
  /**
   * @param {'geosearch' | 'enqueue'} mode
   * @param {boolean} [preferences]
   */
  const runAll = (mode, preferences = false) =>
    Promise.all(loaders.map((w) => w.call('run', { mode, concurrency, durationMs, radiusKm, preferences })));
  /** @param {LoadRun[]} results */
  const combine = (results) => ({
    perSecond: results.reduce((n, r) => n + r.perSecond, 0),
    ops: results.reduce((n, r) => n + r.ops, 0),
    latency: { p50: median(results.map((r) => r.latency.p50)), p99: Math.max(...results.map((r) => r.latency.p99)) },
    membersPerCall: median(results.map((r) => r.membersPerCall)),
    offers: results.flatMap((r) => r.offers),
    statuses: results.reduce((acc, r) => {
      for (const [k, v] of Object.entries(r.statuses)) acc[k] = (acc[k] ?? 0) + v;
      return acc;
    }, /** @type {Record<string, number>} */ ({})),
  });
  /**
   * @param {string} cmd
   * @param {number} ops
   */
  const perCall = async (cmd, ops) => {
    const stats1 = await commandStats(redis);
    return {
      usecPerCall: usecPerCall(stats0, stats1, cmd),
      calls: (stats1[cmd]?.calls ?? 0) - (stats0[cmd]?.calls ?? 0),
      ops,
    };
  };
  /**
   * The match step's variant: seekers enqueue (without or with traits and preferences).
   * @template {string} const N
   * @param {N} name
   * @param {boolean} preferences
   */
  const matchVariant = (name, preferences) =>
    variant({
      name,
      pids: { redis: ctx.redis.pid, ...loaderPids },
      before: async () => {
        const t = `seek-${label}-${name}-${tag++}`;
        await Promise.all(loaders.map((w, i) => w.call('prepare', { count: seekersPerWorker, tag: `${t}-${i}` })));
        stats0 = await commandStats(redis);
      },
      run: async () => combine(await runAll('enqueue', preferences)),
      after: async (_r, result) => {
        const redisCall = await perCall('evalsha', result.ops);
        const check = checkOffers(result.offers);
        // Every offer must still be open and mutual in the queue (nobody answered them).
        const sample = check.users.slice(0, 4000);
        /** @type {Awaited<ReturnType<import('../workers/geo-load.mjs').GeoLoad['statuses']>>} */
        const statuses = Object.assign(
          {},
          ...(await Promise.all(
            loaders.map((w, i) => w.call('statuses', { userIds: sample.filter((_, j) => j % loaders.length === i) })),
          )),
        );
        const offerOf = new Map(
          result.offers.flatMap(([m, a, b]) => [
            [a, m],
            [b, m],
          ]),
        );
        const notMutual = sample.filter(
          (u) => statuses[u]?.[0] !== 'OFFERED' || statuses[u][1] !== offerOf.get(u),
        ).length;
        counters.doubles += check.doubles;
        counters.ineligible += check.ineligible;
        counters.notMutual += notMutual;
        await Promise.all(loaders.map((w) => w.call('cleanup')));
        return { redisCall, offersMade: result.offers.length, offers: undefined };
      },
      summary: (r) => `${num(r.perSecond)} enqueue/s, p50 ${ms(r.latency.p50)}`,
    });
  const runs = await alternate(
    rounds,
    [
      variant({
        name: 'geosearch',
        pids: { redis: ctx.redis.pid, ...loaderPids },
        before: async () => {
          stats0 = await commandStats(redis);
        },
        run: async () => combine(await runAll('geosearch')),
        after: async (_r, result) => ({ redisCall: await perCall('geosearch', result.ops) }),
        summary: (r) => `${num(r.perSecond)} GEOSEARCH/s (${num(r.membersPerCall)} members each)`,
      }),
      matchVariant('match', false),
      ...(options.preferences ? [matchVariant('prefs', true)] : []),
    ],
    (line) => ctx.log(`  [${label}]${line}`),
  );
  redis.disconnect();
  const geo = median(runs.geosearch.map((r) => r.perSecond));
  const match = median(runs.match.map((r) => r.perSecond));
  const prefs = runs.prefs ? median(runs.prefs.map((r) => r.perSecond)) : null;
  return { radiusKm, label, runs, geo, match, ratio: match / geo, prefs, counters };
}

/**
 * Lua breakdown of one match step at radius r (Redis time per call from commandstats): where the
 * script's time goes, step by step, on the same key and the same random points.
 * @param {Ctx} ctx
 * @param {number} radiusKm
 * @param {number} searchRadiusKm
 * @param {number} calls
 */
export async function luaBreakdown(ctx, radiusKm, searchRadiusKm, calls) {
  const redis = ctx.redis.client();
  const { matchKeys, RADIUS_CLASSES_KM, HELPERS_LUA } = matchingModules();
  const keys = matchKeys(ctx.redisPrefix);
  // GEO members are '<meta entry>|<id>' (keys.ts): ids are cut out where a step needs them alone.
  const SEARCH = `local ids = redis.call('GEOSEARCH', KEYS[1], 'FROMLONLAT', ARGV[1], ARGV[2], 'BYRADIUS', ARGV[3], 'km')`;
  const IDS = `for i, m in ipairs(ids) do ids[i] = string.match(m, '^[^|]*|[^|]*|[^|]*|[^|]*|[^|]*|(.*)$') end`;
  const LOAD = `${IDS} for _, id in ipairs(ids) do redis.call('HMGET', ARGV[4] .. 'u:' .. id, 'state', 'lat', 'lon', 'radiusKm', 'since', 'deadline', 'seen', 'matchId') end`;
  const META = `${IDS} for i = 1, #ids, 1000 do local chunk = redis.call('HMGET', ARGV[4] .. 'meta', unpack(ids, i, math.min(i + 999, #ids))) for j = 1, #chunk do local a, b, c, d, e = string.match(chunk[j] or '', '^([^|]+)|([^|]+)|([^|]+)|([^|]+)|([^|]*)$') end end`;
  // The script's work per member (match-queue.lua.ts inRangeOf), with its own helpers (HELPERS_LUA:
  // haversine, prefilterRadiusKm, RADIUS_CLASSES): radius and cell centre parsed, the haversine, since
  // and id only for members within both radii.
  const MEMBERS = `local r, lat0, lon0 = tonumber(ARGV[5]), tonumber(ARGV[2]), tonumber(ARGV[1])
for _, m in ipairs(ids) do
  local cr, lat, lon = string.match(m, '^[^|]+|([^|]+)|([^|]+)|([^|]+)|')
  cr, lat, lon = tonumber(cr), tonumber(lat), tonumber(lon)
  if haversine(lat0, lon0, lat, lon) <= math.min(r, cr) then local since, filter, id = string.match(m, '^([^|]+)|[^|]+|[^|]+|[^|]+|([^|]*)|(.*)$') end
end`;
  // The script's search (match-queue.lua.ts §7): every radius class, each as far as it can match.
  const CLASSES = `local ids = {} local r = tonumber(ARGV[3])
for class = 1, #RADIUS_CLASSES + 1 do
  local reach = prefilterRadiusKm(math.min(r, RADIUS_CLASSES[class] or r))
  for _, m in ipairs(redis.call('GEOSEARCH', ARGV[4] .. 'geo:' .. class, 'FROMLONLAT', ARGV[1], ARGV[2], 'BYRADIUS', fmt(reach), 'km')) do table.insert(ids, m) end
end`;
  /** @type {[name: string, script: string, radiusKm: number][]} */
  const variants = [
    [`GEOSEARCH at r (${radiusKm} km) inside Lua`, `${SEARCH} return #ids`, radiusKm],
    [`GEOSEARCH at r + 2 km (the enqueue script's margin before this bench)`, `${SEARCH} return #ids`, radiusKm + 2],
    [
      `GEOSEARCH at the script's search radius (r + 0.1 % + 10 m = ${searchRadiusKm.toFixed(3)} km)`,
      `${SEARCH} return #ids`,
      searchRadiusKm,
    ],
    [
      '... + one HMGET per candidate (loadUser: the script before this bench)',
      `${SEARCH} ${LOAD} return #ids`,
      searchRadiusKm,
    ],
    [
      "... + the candidates' meta in one HMGET per 1000, parsed (the script before radius classes)",
      `${SEARCH} ${META} return #ids`,
      searchRadiusKm,
    ],
    [
      "... the candidates judged from their GEO members alone (the script's work per member: radius and cell centre parsed, haversine; what a search costs were all these users of a radius class >= r)",
      `${HELPERS_LUA} ${SEARCH} ${MEMBERS} return #ids`,
      searchRadiusKm,
    ],
    [
      `radius classes, each searched as far as it can match, members parsed (the script now: these users' radius ${BALLAST_RADIUS_KM} puts them in the first class, read to ${RADIUS_CLASSES_KM[0]} km)`,
      `${HELPERS_LUA} ${CLASSES} ${MEMBERS} return #ids`,
      radiusKm,
    ],
  ];
  /** @type {{ name: string, usec: number, members: number }[]} */
  const rows = [];
  for (const [name, script, r] of variants) {
    const before = await commandStats(redis);
    let members = 0;
    for (let i = 0; i < calls; i++) {
      const p = randomPoint(DENSE);
      // Each script returns its number of candidates.
      members += /** @type {number} */ (
        await redis.eval(
          script,
          1,
          denseGeoKey(ctx.redisPrefix),
          String(p.lon),
          String(p.lat),
          String(r),
          keys.base,
          String(radiusKm),
        )
      );
    }
    const after = await commandStats(redis);
    rows.push({ name, usec: usecPerCall(before, after, 'eval'), members: members / calls });
  }
  redis.disconnect();
  return rows;
}
