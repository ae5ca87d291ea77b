// Matching load generator against the API's Redis match queue, through the real code
// (api/dist/modules/matching/match-queue.redis.js: the Lua scripts the instances run).
//
// mode 'geosearch': the floor, one raw GEOSEARCH FROMLONLAT .. BYRADIUS r km on the dense queue's GEO key.
// mode 'enqueue':   the match step, one `enqueue` of a new seeker (random grid-snapped position in the
//                   square, radius r or random in [rMin, rMax]) that pairs them on the spot if it can.
// Each of `concurrency` loops runs one call at a time (closed loop) for durationMs.
import { Redis } from 'ioredis';
import { matchingModules } from '../lib/api-dist.mjs';
import { latencySummary, pool } from '../lib/util.mjs';
import { serve } from './serve.mjs';

/** @typedef {import('../lib/api-dist.mjs').MatchQueue} MatchQueue */
/** @typedef {import('../lib/api-dist.mjs').Position} Position */
/** @typedef {import('../lib/api-dist.mjs').QueueStatus['state']} QueueState */

/**
 * @typedef {object} GeoLoadConfig
 * @property {string} redisUrl
 * @property {string} prefix the API's Redis key prefix
 * @property {import('../lib/api-dist.mjs').MatchQueueOptions} queueOptions
 * @property {{ lat0: number, lon0: number, sizeKm: number }} square where seekers appear
 * @property {number} cellKm the grid positions are snapped to
 * @property {string} geoKey the GEO key the floor searches (matching-queue.mjs denseGeoKey: everyone searching in the dense queue)
 */

/** A fixed radius in km, or [min, max] for a random whole number of km per seeker. */
/** @typedef {number | [number, number]} Radius */

const { createRedisMatchQueue, snapToGrid } = matchingModules();
const KM_PER_DEG_LAT = 111.195;

/** @type {Redis | undefined} */
let redis;
/** @type {MatchQueue | undefined} */
let queue;
/** @type {GeoLoadConfig | undefined} */
let cfg;
/** @type {string[]} */
let seekers = [];
let nextSeeker = 0;
/** Every seeker this worker enqueued (for cleanup). */
const created = new Set();

/** The worker's state once `setup` ran. */
function ready() {
  if (!cfg || !redis || !queue) throw new Error('geo-load: setup() first');
  return { cfg, redis, queue };
}

/**
 * A seeker's filter in the preferences variant: a stated gender and age, preferring both genders
 * and ages 18 to 60.
 * @returns {import('../lib/api-dist.mjs').Filter}
 */
const seekerFilter = () => ({
  traits: { gender: Math.random() < 0.5 ? 'FEMALE' : 'MALE', age: 20 + Math.floor(Math.random() * 30) },
  preferences: { genders: ['FEMALE', 'MALE'], minAge: 18, maxAge: 60 },
});

/** @param {GeoLoadConfig} config */
function randomPoint({ square, cellKm }) {
  const { lat0, lon0, sizeKm } = square;
  const lat = lat0 + (Math.random() - 0.5) * (sizeKm / KM_PER_DEG_LAT);
  const lon = lon0 + (Math.random() - 0.5) * (sizeKm / (KM_PER_DEG_LAT * Math.cos((lat0 * Math.PI) / 180)));
  return snapToGrid({ lat, lon }, cellKm);
}

/**
 * @param {Radius} r
 * @returns {number}
 */
const radius = (r) => (Array.isArray(r) ? r[0] + Math.floor(Math.random() * (r[1] - r[0] + 1)) : r);

export const methods = {
  /** @param {GeoLoadConfig} args */
  async setup(args) {
    cfg = args;
    redis = new Redis(cfg.redisUrl);
    queue = createRedisMatchQueue(redis, { ...cfg.queueOptions, prefix: cfg.prefix });
    return null;
  },

  /**
   * Loads empty exclusion mirrors for `count` fresh seekers (untimed), so `enqueue` never has to.
   * @param {{ count: number, tag: string }} args
   */
  async prepare({ count, tag }) {
    const { queue } = ready();
    seekers = Array.from({ length: count }, (_, i) => `${tag}-${i}`);
    nextSeeker = 0;
    await pool(seekers, 200, (id) => queue.loadExclusions(id, { blocked: [], openRooms: [] }, Date.now()));
    return null;
  },

  /**
   * @param {{ mode: 'geosearch' | 'enqueue', concurrency: number, durationMs: number, radiusKm: Radius, preferences?: boolean }} args
   *   preferences: each seeker states a gender and an age and prefers both genders and ages 18 to 60
   *   (so everyone still accepts everyone, while every candidate in range is judged by both filters)
   */
  async run({ mode, concurrency, durationMs, radiusKm, preferences = false }) {
    const { cfg, redis, queue } = ready();
    const { geoKey } = cfg;
    /** @type {number[]} */
    const samples = [];
    /** @type {[matchId: string, a: string, b: string][]} */
    const offers = [];
    /** @type {Record<string, number>} */
    const statuses = {};
    let members = 0;
    let extraLoads = 0;
    let ops = 0;
    const started = performance.now();
    const until = started + durationMs;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < until) {
          const p = randomPoint(cfg);
          const r = radius(radiusKm);
          if (mode === 'geosearch') {
            const t0 = performance.now();
            const found = /** @type {string[]} */ (
              await redis.call(
                'GEOSEARCH',
                geoKey,
                'FROMLONLAT',
                String(p.lon),
                String(p.lat),
                'BYRADIUS',
                String(r),
                'km',
              )
            );
            samples.push(performance.now() - t0);
            members += found.length;
          } else {
            let userId = seekers[nextSeeker++];
            if (!userId) {
              userId = `${cfg.prefix}x-${process.pid}-${nextSeeker}`;
              await queue.loadExclusions(userId, { blocked: [], openRooms: [] }, Date.now());
              extraLoads++;
            }
            created.add(userId);
            const t0 = performance.now();
            const filter = preferences ? seekerFilter() : undefined;
            const result = await queue.enqueue({ userId, position: p, radiusKm: r, filter }, Date.now());
            samples.push(performance.now() - t0);
            statuses[result.status] = (statuses[result.status] ?? 0) + 1;
            for (const e of result.events)
              if (e.type === 'OFFERED' && e.to === userId && e.offer) offers.push([e.offer.matchId, ...e.offer.users]);
          }
          ops++;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      ops,
      perSecond: ops / seconds,
      latency: latencySummary(samples),
      membersPerCall: ops ? members / ops : 0,
      statuses,
      offers,
      extraLoads,
    };
  },

  /**
   * The queue's state for these users (to check that every offer is mutual and unique).
   * @param {{ userIds: string[] }} args
   */
  async statuses({ userIds }) {
    const { queue } = ready();
    /** @type {Record<string, [QueueState] | ['OFFERED', string, [string, string]]>} */
    const out = {};
    await pool(userIds, 100, async (id) => {
      const s = await queue.status(id, Date.now());
      out[id] = s.state === 'OFFERED' ? ['OFFERED', s.offer.matchId, s.offer.users] : [s.state];
    });
    return out;
  },

  /** Cancels every seeker this worker created (their offers end; peers are cancelled too, being seekers). */
  async cleanup() {
    const { queue } = ready();
    const ids = [...created];
    created.clear();
    for (let pass = 0; pass < 2; pass++) await pool(ids, 50, (id) => queue.cancel(id, Date.now()));
    return { cancelled: ids.length };
  },

  async teardown() {
    redis?.disconnect();
    return null;
  },
};
/** @typedef {typeof methods} GeoLoad */

serve(methods);
