// Matching load generator against the API's Redis match queue, through the real code
// (api/dist/modules/matching/match-queue.redis.js: the Lua scripts the instances run).
//
// mode 'geosearch': the floor, one raw GEOSEARCH FROMLONLAT .. BYRADIUS r km on the queue's GEO key.
// mode 'enqueue':   the match step, one `enqueue` of a new seeker (random grid-snapped position in the
//                   square, radius r or random in [rMin, rMax]) that pairs them on the spot if it can.
// Each of `concurrency` loops runs one call at a time (closed loop) for durationMs.
import { createRequire } from 'node:module';
import { latencySummary, pool } from '../lib/util.mjs';
import { serve } from './serve.mjs';

const require = createRequire(import.meta.url);
const { Redis } = require('ioredis');
const { createRedisMatchQueue } = require('../../api/dist/modules/matching/match-queue.redis.js');
const { matchKeys } = require('../../api/dist/modules/matching/keys.js');
const { snapToGrid } = require('../../api/dist/modules/matching/geo.js');

const KM_PER_DEG_LAT = 111.195;

let redis;
let queue;
let cfg;
let seekers = [];
let nextSeeker = 0;
/** Every seeker this worker enqueued (for cleanup). */
const created = new Set();

function randomPoint() {
  const { lat0, lon0, sizeKm } = cfg.square;
  const lat = lat0 + (Math.random() - 0.5) * (sizeKm / KM_PER_DEG_LAT);
  const lon = lon0 + (Math.random() - 0.5) * (sizeKm / (KM_PER_DEG_LAT * Math.cos((lat0 * Math.PI) / 180)));
  return snapToGrid({ lat, lon }, cfg.cellKm);
}

const radius = (r) => (Array.isArray(r) ? r[0] + Math.floor(Math.random() * (r[1] - r[0] + 1)) : r);

serve({
  async setup(args) {
    cfg = args;
    redis = new Redis(cfg.redisUrl);
    queue = createRedisMatchQueue(redis, { ...cfg.queueOptions, prefix: cfg.prefix });
    return null;
  },

  /** Loads empty exclusion mirrors for `count` fresh seekers (untimed), so `enqueue` never has to. */
  async prepare({ count, tag }) {
    seekers = Array.from({ length: count }, (_, i) => `${tag}-${i}`);
    nextSeeker = 0;
    await pool(seekers, 200, (id) => queue.loadExclusions(id, { blocked: [], openRooms: [] }, Date.now()));
    return null;
  },

  async run({ mode, concurrency, durationMs, radiusKm }) {
    const geoKey = matchKeys(cfg.prefix).geo;
    const samples = [];
    const offers = [];
    const statuses = {};
    let members = 0;
    let extraLoads = 0;
    let ops = 0;
    const started = performance.now();
    const until = started + durationMs;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < until) {
          const p = randomPoint();
          const r = radius(radiusKm);
          if (mode === 'geosearch') {
            const t0 = performance.now();
            const found = await redis.call(
              'GEOSEARCH',
              geoKey,
              'FROMLONLAT',
              String(p.lon),
              String(p.lat),
              'BYRADIUS',
              String(r),
              'km',
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
            const result = await queue.enqueue({ userId, position: p, radiusKm: r }, Date.now());
            samples.push(performance.now() - t0);
            statuses[result.status] = (statuses[result.status] ?? 0) + 1;
            for (const e of result.events)
              if (e.type === 'OFFERED' && e.to === userId) offers.push([e.offer.matchId, ...e.offer.users]);
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

  /** The queue's state for these users (to check that every offer is mutual and unique). */
  async statuses({ userIds }) {
    const out = {};
    await pool(userIds, 100, async (id) => {
      const s = await queue.status(id, Date.now());
      out[id] = s.state === 'OFFERED' ? ['OFFERED', s.offer.matchId, s.offer.users] : [s.state];
    });
    return out;
  },

  /** Cancels every seeker this worker created (their offers end; peers are cancelled too, being seekers). */
  async cleanup() {
    const ids = [...created];
    created.clear();
    for (let pass = 0; pass < 2; pass++) await pool(ids, 50, (id) => queue.cancel(id, Date.now()));
    return { cancelled: ids.length };
  },

  async teardown() {
    redis?.disconnect();
    return null;
  },
});
