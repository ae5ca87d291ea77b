// Matching: the match step (one `enqueue` of the real Redis queue: pairing happens inside it) vs
// raw GEOSEARCH on the same GEO key, in a dense case (N searching users in a 50 km square, built
// through the real enqueue path: a key rebuilt by COPY or an RDB reload searches faster than one
// built by GEOADDs); time-to-match through the API once a partner is waiting; and a burst of
// concurrent requestMatch calls on two instances checked for double matches.
import { createRequire } from 'node:module';
import { cancelMatch, closePlayers, connectPlayers, nextEvent, requestMatch } from '../lib/players.mjs';
import { cpuLine, medianCpu, ms, num, pct, section, table, verdict } from '../lib/report.mjs';
import { alternate } from '../lib/rounds.mjs';
import { startWorker } from '../lib/worker.mjs';
import { latencySummary, median, pool, sleep } from '../lib/util.mjs';

const require = createRequire(import.meta.url);
const { createRedisMatchQueue } = require('../../api/dist/modules/matching/match-queue.redis.js');
const { matchKeys } = require('../../api/dist/modules/matching/keys.js');
const { snapToGrid } = require('../../api/dist/modules/matching/geo.js');

export const TARGET_RATIO = 0.8;
export const TARGET_TTM_MS = 5;
const KM_PER_DEG_LAT = 111.195;
/** The dense square (Paris), and a far area for the burst. */
export const DENSE = { lat0: 48.8566, lon0: 2.3522, sizeKm: 50 };
const BURST = { lat0: 45.764, lon0: 4.8357, sizeKm: 10 };
export const BALLAST_PREFIX = 'ballast-';

export function randomPoint({ lat0, lon0, sizeKm }, cellKm = 1) {
  const lat = lat0 + (Math.random() - 0.5) * (sizeKm / KM_PER_DEG_LAT);
  const lon = lon0 + (Math.random() - 0.5) * (sizeKm / (KM_PER_DEG_LAT * Math.cos((lat0 * Math.PI) / 180)));
  return snapToGrid({ lat, lon }, cellKm);
}

export const queueOptions = (ctx) => ({
  offerTtlMs: 30_000,
  cooldownMs: 0,
  searchTimeoutMs: ctx.matchSearchTimeoutSeconds * 1000,
  presenceGraceMs: ctx.matchGraceSeconds * 1000,
});

/** Redis INFO commandstats as { command: { calls, usec } }. */
export async function commandStats(redis) {
  const info = await redis.info('commandstats');
  const out = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm))
    out[m[1]] = { calls: Number(m[2]), usec: Number(m[3]) };
  return out;
}

const usecPerCall = (before, after, cmd) => {
  const calls = (after[cmd]?.calls ?? 0) - (before[cmd]?.calls ?? 0);
  return calls ? ((after[cmd]?.usec ?? 0) - (before[cmd]?.usec ?? 0)) / calls : NaN;
};

/**
 * Fills the queue with `count` searching users that no seeker can ever be offered (radius -1: the
 * queue's own "never eligible", so they stay searching), through `enqueue` itself.
 */
export async function buildBallast(ctx, count) {
  const redis = ctx.redis.client();
  const queue = createRedisMatchQueue(redis, { ...queueOptions(ctx), prefix: ctx.redisPrefix });
  const started = performance.now();
  const ids = Array.from({ length: count }, (_, i) => `${BALLAST_PREFIX}${i}`);
  await pool(ids, 400, async (userId) => {
    await queue.loadExclusions(userId, { blocked: [], openRooms: [] }, Date.now());
    const result = await queue.enqueue({ userId, position: randomPoint(DENSE), radiusKm: -1 }, Date.now());
    if (result.status !== 'searching') throw new Error(`ballast ${userId} ${result.status}`);
  });
  const seconds = (performance.now() - started) / 1000;
  const keys = matchKeys(ctx.redisPrefix);
  const [geo, searching] = await Promise.all([redis.zcard(keys.geo), redis.zcard(keys.searching)]);
  redis.disconnect();
  return { seconds, geo, searching };
}

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

/** Offers seen by the loaders: users in two different offers, offers with a never-eligible user. */
function checkOffers(offers) {
  const byUser = new Map();
  let ineligible = 0;
  for (const [matchId, a, b] of offers) {
    if (a.startsWith(BALLAST_PREFIX) || b.startsWith(BALLAST_PREFIX)) ineligible++;
    for (const u of [a, b]) {
      if (!byUser.has(u)) byUser.set(u, new Set());
      byUser.get(u).add(matchId);
    }
  }
  let doubles = 0;
  for (const ids of byUser.values()) if (ids.size > 1) doubles++;
  return { doubles, ineligible, users: [...byUser.keys()] };
}

/** Throughput of the match step vs raw GEOSEARCH at one radius, alternated. */
async function throughput(ctx, loaders, radiusKm, label) {
  const { rounds, durationMs, concurrency, seekersPerWorker } = ctx.scale.matching;
  const redis = ctx.redis.client();
  const loaderPids = Object.fromEntries(loaders.map((w, i) => [`loader${i + 1}`, w.pid]));
  let stats0;
  const counters = { doubles: 0, ineligible: 0, notMutual: 0 };
  let tag = 0;
  const runAll = (mode) => Promise.all(loaders.map((w) => w.call('run', { mode, concurrency, durationMs, radiusKm })));
  const combine = (results) => ({
    perSecond: results.reduce((n, r) => n + r.perSecond, 0),
    ops: results.reduce((n, r) => n + r.ops, 0),
    latency: { p50: median(results.map((r) => r.latency.p50)), p99: Math.max(...results.map((r) => r.latency.p99)) },
    membersPerCall: median(results.map((r) => r.membersPerCall)),
    offers: results.flatMap((r) => r.offers),
    statuses: results.reduce((acc, r) => {
      for (const [k, v] of Object.entries(r.statuses)) acc[k] = (acc[k] ?? 0) + v;
      return acc;
    }, {}),
  });
  const perCall = async (cmd, ops) => {
    const stats1 = await commandStats(redis);
    return {
      usecPerCall: usecPerCall(stats0, stats1, cmd),
      calls: (stats1[cmd]?.calls ?? 0) - (stats0[cmd]?.calls ?? 0),
      ops,
    };
  };
  const runs = await alternate(
    rounds,
    [
      {
        name: 'geosearch',
        pids: { redis: ctx.redis.pid, ...loaderPids },
        before: async () => {
          stats0 = await commandStats(redis);
        },
        run: async () => combine(await runAll('geosearch')),
        after: async (_r, result) => ({ redisCall: await perCall('geosearch', result.ops) }),
        summary: (r) => `${num(r.perSecond)} GEOSEARCH/s (${num(r.membersPerCall)} members each)`,
      },
      {
        name: 'match',
        pids: { redis: ctx.redis.pid, ...loaderPids },
        before: async () => {
          const t = `seek-${label}-${tag++}`;
          await Promise.all(loaders.map((w, i) => w.call('prepare', { count: seekersPerWorker, tag: `${t}-${i}` })));
          stats0 = await commandStats(redis);
        },
        run: async () => combine(await runAll('enqueue')),
        after: async (_r, result) => {
          const redisCall = await perCall('evalsha', result.ops);
          const check = checkOffers(result.offers);
          // Every offer must still be open and mutual in the queue (nobody answered them).
          const sample = check.users.slice(0, 4000);
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
      },
    ],
    (line) => ctx.log(`  [${label}]${line}`),
  );
  redis.disconnect();
  const geo = median(runs.geosearch.map((r) => r.perSecond));
  const match = median(runs.match.map((r) => r.perSecond));
  return { radiusKm, label, runs, geo, match, ratio: match / geo, counters };
}

/**
 * Lua breakdown of one match step at radius r (Redis time per call from commandstats): where the
 * script's time goes, step by step, on the same key and the same random points.
 */
async function luaBreakdown(ctx, radiusKm, searchRadiusKm, calls) {
  const redis = ctx.redis.client();
  const keys = matchKeys(ctx.redisPrefix);
  const SEARCH = `local ids = redis.call('GEOSEARCH', KEYS[1], 'FROMLONLAT', ARGV[1], ARGV[2], 'BYRADIUS', ARGV[3], 'km')`;
  const LOAD = `for _, id in ipairs(ids) do redis.call('HMGET', ARGV[4] .. 'u:' .. id, 'state', 'lat', 'lon', 'radiusKm', 'since', 'deadline', 'seen', 'matchId') end`;
  const META = `for i = 1, #ids, 1000 do local chunk = redis.call('HMGET', ARGV[4] .. 'meta', unpack(ids, i, math.min(i + 999, #ids))) for j = 1, #chunk do local a, b, c, d = string.match(chunk[j] or '', '^([^|]+)|([^|]+)|([^|]+)|([^|]+)$') end end`;
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
      "... + the candidates' meta in one HMGET per 1000, parsed (the script now)",
      `${SEARCH} ${META} return #ids`,
      searchRadiusKm,
    ],
  ];
  const rows = [];
  for (const [name, script, r] of variants) {
    const before = await commandStats(redis);
    let members = 0;
    for (let i = 0; i < calls; i++) {
      const p = randomPoint(DENSE);
      members += await redis.eval(script, 1, keys.geo, String(p.lon), String(p.lat), String(r), keys.base);
    }
    const after = await commandStats(redis);
    rows.push({ name, usec: usecPerCall(before, after, 'eval'), members: members / calls });
  }
  redis.disconnect();
  return rows;
}

/** requestMatch by a seeker while a partner waits at the same place: until both heard OFFERED. */
async function timeToMatch(ctx, players, { pairs, radiusKm, area, label }) {
  const bySeeker = [];
  const byPartner = [];
  const responses = [];
  let missed = 0;
  let wrongPartner = 0;
  for (let i = 0; i < pairs; i++) {
    const partner = players[(2 * i) % players.length];
    const seeker = players[(2 * i + 1) % players.length];
    const at = randomPoint(area);
    const waiting = await requestMatch(partner, at, radiusKm);
    if (waiting.data?.requestMatch?.state !== 'SEARCHING') {
      missed++;
      continue;
    }
    const since = partner.events.length;
    const sinceS = seeker.events.length;
    const t0 = performance.now();
    const [res, offeredS, offeredP] = await Promise.all([
      requestMatch(seeker, at, radiusKm),
      nextEvent(seeker, (e) => e.type === 'OFFERED' && seeker.events.indexOf(e) >= sinceS),
      nextEvent(partner, (e) => e.type === 'OFFERED' && partner.events.indexOf(e) >= since),
    ]);
    responses.push(performance.now() - t0);
    if (!offeredS || !offeredP) missed++;
    else {
      bySeeker.push(offeredS.at - t0);
      byPartner.push(offeredP.at - t0);
      if (
        offeredS.partner?.id !== partner.userId ||
        offeredS.matchId !== offeredP.matchId ||
        res.data?.requestMatch?.state !== 'OFFERED'
      )
        wrongPartner++;
    }
    await cancelMatch(seeker);
    await cancelMatch(partner);
  }
  ctx.log(`  time-to-match ${label}: seeker p50 ${ms(latencySummary(bySeeker).p50)}`);
  return {
    label,
    seeker: latencySummary(bySeeker),
    partner: latencySummary(byPartner),
    response: latencySummary(responses),
    missed,
    wrongPartner,
  };
}

/** Everyone asks at once on two instances; nobody answers. Each user must hold at most one offer, mutual. */
async function burst(ctx, players) {
  const marks = players.map((p) => p.events.length);
  await Promise.all(players.map((p, i) => requestMatch(p, randomPoint(BURST), 1 + (i % 10))));
  await sleep(ctx.quick ? 1000 : 2000);
  const offersByUser = new Map();
  const seenBy = new Map();
  players.forEach((p, i) => {
    const offered = p.events.slice(marks[i]).filter((e) => e.type === 'OFFERED');
    offersByUser.set(p.userId, new Set(offered.map((e) => e.matchId)));
    for (const e of offered) {
      if (!seenBy.has(e.matchId)) seenBy.set(e.matchId, []);
      seenBy.get(e.matchId).push([p.userId, e.partner?.id]);
    }
  });
  let doubles = 0;
  for (const ids of offersByUser.values()) if (ids.size > 1) doubles++;
  let broken = 0;
  for (const seen of seenBy.values()) {
    const [x, y] = seen;
    if (seen.length !== 2 || x[1] !== y[0] || y[1] !== x[0]) broken++;
  }
  await pool(players, 50, (p) => cancelMatch(p));
  return { users: players.length, offers: seenBy.size, doubles, broken };
}

export async function benchMatching(ctx) {
  const scale = ctx.scale.matching;
  const players = await connectPlayers(ctx.data.matchPlayers, [ctx.apis.api1, ctx.apis.api2]);
  const loaders = Array.from({ length: scale.workers }, (_, i) =>
    startWorker('geo-load.mjs', { name: `geo-load-${i + 1}` }),
  );
  try {
    await sleep(500); // the matchEvents subscriptions go live
    const pairs = scale.pairs;
    await timeToMatch(ctx, players, { pairs: 3, radiusKm: 5, area: DENSE, label: 'warm-up' });
    const ttm = [await timeToMatch(ctx, players, { pairs, radiusKm: 5, area: DENSE, label: 'empty queue, r = 5 km' })];
    const burstResult = await burst(ctx, players.slice(0, scale.burstUsers));
    ctx.log(`  burst: ${burstResult.users} users, ${burstResult.offers} offers, ${burstResult.doubles} double`);

    ctx.log(`  building the dense queue: ${num(scale.ballast)} searching users in a ${DENSE.sizeKm} km square`);
    const ballast = await buildBallast(ctx, scale.ballast);
    ctx.log(`  built in ${ballast.seconds.toFixed(1)} s (GEO ${ballast.geo}, searching ${ballast.searching})`);
    await Promise.all(
      loaders.map((w) =>
        w.call('setup', {
          redisUrl: ctx.redis.url,
          prefix: ctx.redisPrefix,
          queueOptions: queueOptions(ctx),
          square: DENSE,
          cellKm: 1,
        }),
      ),
    );

    const cases = [];
    for (const r of scale.radii)
      cases.push(await throughput(ctx, loaders, r, Array.isArray(r) ? `r ${r[0]}-${r[1]} km` : `r ${r} km`));
    for (const r of scale.ttmRadii)
      ttm.push(
        await timeToMatch(ctx, players, {
          pairs,
          radiusKm: r,
          area: DENSE,
          label: `${num(scale.ballast)} searching, r = ${r} km`,
        }),
      );
    const breakdown = [];
    for (const r of scale.ttmRadii)
      breakdown.push({ r, rows: await luaBreakdown(ctx, r, r * 1.001 + 0.01, ctx.quick ? 5 : 40) });
    const queueState = await (async () => {
      const redis = ctx.redis.client();
      const keys = matchKeys(ctx.redisPrefix);
      const searching = await redis.zcard(keys.searching);
      redis.disconnect();
      return { searching };
    })();

    // Report.
    const counters = {
      'matching: double matches (queue)': cases.reduce((n, c) => n + c.counters.doubles, 0),
      'matching: offers to a never-eligible user': cases.reduce((n, c) => n + c.counters.ineligible, 0),
      'matching: offers not mutual in the queue': cases.reduce((n, c) => n + c.counters.notMutual, 0),
      'matching: double matches (API burst)': burstResult.doubles,
      'matching: inconsistent offers (API burst)': burstResult.broken,
      'matching: time-to-match misses': ttm.reduce((n, t) => n + t.missed + t.wrongPartner, 0),
      'matching: seekers left in the queue': queueState.searching - ballast.searching,
    };
    const caseRows = cases.flatMap((c) => {
      const g = c.runs.geosearch;
      const m = c.runs.match;
      return [
        [
          c.label,
          'raw GEOSEARCH (floor)',
          g.map((x) => num(x.perSecond)).join(' / '),
          num(c.geo),
          ms(median(g.map((x) => x.latency.p50))),
          `${num(median(g.map((x) => x.redisCall.usecPerCall)))} µs`,
          num(median(g.map((x) => x.membersPerCall))),
          cpuLine(medianCpu(g.map((x) => x.cpu))),
        ],
        [
          c.label,
          'match step (enqueue script)',
          m.map((x) => num(x.perSecond)).join(' / '),
          num(c.match),
          ms(median(m.map((x) => x.latency.p50))),
          `${num(median(m.map((x) => x.redisCall.usecPerCall)))} µs`,
          `${num(median(m.map((x) => x.offersMade)))} offers`,
          cpuLine(medianCpu(m.map((x) => x.cpu))),
        ],
      ];
    });
    const ttmRows = ttm.map((t) => [
      t.label,
      ms(t.seeker.p50),
      ms(t.seeker.p99),
      ms(t.partner.p50),
      ms(t.response.p50),
      t.seeker.n,
      t.missed + t.wrongPartner,
    ]);
    const ttmDense = ttm.slice(1);
    const ttmEmpty = ttm[0];
    const targets = [
      ...cases.map((c) => ({
        name: `match step >= 80 % of raw GEOSEARCH ops/s (${c.label}, ${num(scale.ballast)} searching)`,
        value: pct(c.ratio),
        met: c.ratio >= TARGET_RATIO,
      })),
      {
        name: 'time-to-match p50 < 5 ms once a partner waits (empty queue)',
        value: ms(ttmEmpty.seeker.p50),
        met: ttmEmpty.seeker.p50 < TARGET_TTM_MS,
      },
      ...ttmDense.map((t) => ({
        name: `time-to-match p50 < 5 ms once a partner waits (${t.label})`,
        value: ms(t.seeker.p50),
        met: t.seeker.p50 < TARGET_TTM_MS,
      })),
      {
        name: 'zero double matches',
        value: String(counters['matching: double matches (queue)'] + counters['matching: double matches (API burst)']),
        met: counters['matching: double matches (queue)'] + counters['matching: double matches (API burst)'] === 0,
      },
    ];
    const markdown = [
      `Dense case: ${num(scale.ballast)} searching users at random grid-snapped positions in a ${DENSE.sizeKm} km square, enqueued through the queue's own \`enqueue\` script (built in ${ballast.seconds.toFixed(1)} s). They are never eligible for anyone (radius -1, the queue's "never matches" value), so they stay searching and every seeker's search meets them as it would meet incompatible users. Seekers: new users at random grid-snapped positions in the square; ${scale.workers} load processes x ${scale.concurrency} concurrent calls, ${scale.durationMs / 1000} s per phase, ${scale.rounds} rounds alternated; seekers pair with each other when in range (they never answer; they are cancelled after each phase).`,
      '',
      '#### Match step vs raw GEOSEARCH (same key, same radius, same random points)',
      '',
      table(
        [
          'radius',
          'operation',
          'ops/s per round',
          'median ops/s',
          'client p50',
          'Redis time per call (commandstats)',
          'members per call / offers',
          'CPU (median, % of one core)',
        ],
        caseRows,
      ),
      '',
      ...cases.map(
        (c) =>
          `- ${c.label}: **match step / GEOSEARCH = ${pct(c.ratio)}** (target >= ${pct(TARGET_RATIO)}: ${verdict(c.ratio >= TARGET_RATIO)})`,
      ),
      '',
      '#### Where a match step spends its Redis time (sequential EVALs on the dense key, commandstats)',
      '',
      ...breakdown.flatMap((b) => [
        table(
          ['step', 'Redis µs per call', 'candidates'],
          b.rows.map((row) => [row.name, num(row.usec), num(row.members)]),
        ),
        '',
      ]),
      '#### Time to match through the API (partner waiting; seeker on the other instance half of the time)',
      '',
      "From the seeker's `requestMatch` being sent to its `OFFERED` event arriving on its `matchEvents` socket; the partner's OFFERED and the HTTP response beside it.",
      '',
      table(
        ['queue', 'seeker OFFERED p50', 'p99', 'partner OFFERED p50', 'requestMatch response p50', 'pairs', 'misses'],
        ttmRows,
      ),
      '',
      `#### Concurrent burst on two instances`,
      '',
      `${burstResult.users} users call \`requestMatch\` at once (alternating instances; random positions in a ${BURST.sizeKm} km square, radii 1-10 km) and never answer: ${burstResult.offers} offers, **${burstResult.doubles} users offered twice**, ${burstResult.broken} offers not seen by exactly its two users as each other's partner.`,
    ].join('\n');
    return {
      ...section({ id: 'matching', title: 'Matching', markdown, counters }),
      targets,
      data: {
        cases: cases.map((c) => ({
          label: c.label,
          geo: c.geo,
          match: c.match,
          ratio: c.ratio,
          usec: median(c.runs.match.map((x) => x.redisCall.usecPerCall)),
        })),
        ttm,
        burst: burstResult,
        breakdown,
        ballast,
      },
    };
  } finally {
    closePlayers(players);
    await Promise.all(
      loaders.map(async (w) => {
        await w.call('teardown').catch(() => undefined);
        await w.stop();
      }),
    );
  }
}
