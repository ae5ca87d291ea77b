// Matching: the match step (one `enqueue` of the real Redis queue: pairing happens inside it) vs
// raw GEOSEARCH on the same GEO key, in a dense case (N searching users in a 50 km square, built
// through the real enqueue path: a key rebuilt by COPY or an RDB reload searches faster than one
// built by GEOADDs); time-to-match through the API once a partner is waiting; and a burst of
// concurrent requestMatch calls on two instances checked for double matches.
import { matchingModules } from '../lib/api-dist.mjs';
import { closePlayers, connectPlayers } from '../lib/players.mjs';
import { cpuLine, medianCpu, ms, num, pct, section, table, verdict } from '../lib/report.mjs';
import { median, sleep } from '../lib/util.mjs';
import { burst, timeToMatch, timeToNext } from './matching-api.mjs';
import {
  BURST,
  DENSE,
  buildBallast,
  denseGeoKey,
  luaBreakdown,
  queueKeys,
  queueOptions,
  startGeoLoad,
  throughput,
} from './matching-queue.mjs';

export const TARGET_RATIO = 0.8;
/**
 * Time-to-match p50 targets in ms (issue 13): 5 with an empty queue and in the dense queue up to
 * r = 1 km, 10 in the dense queue beyond.
 * @param {number | null} denseRadiusKm null for the empty queue
 */
export const targetTtmMs = (denseRadiusKm) => (denseRadiusKm === null || denseRadiusKm <= 1 ? 5 : 10);

/** @param {import('../lib/setup.mjs').Ctx} ctx */
export async function benchMatching(ctx) {
  const { RADIUS_CLASSES_KM } = matchingModules();
  const scale = ctx.scale.matching;
  const players = await connectPlayers(ctx.data.matchPlayers, [ctx.apis.api1, ctx.apis.api2]);
  const loaders = Array.from({ length: scale.workers }, (_, i) => startGeoLoad(`geo-load-${i + 1}`));
  try {
    await sleep(500); // the matchEvents subscriptions go live
    const pairs = scale.pairs;
    await timeToMatch(ctx, players, { pairs: 3, radiusKm: 5, area: DENSE, label: 'warm-up' });
    const ttmEmpty = await timeToMatch(ctx, players, {
      pairs,
      radiusKm: 5,
      area: DENSE,
      label: 'empty queue, r = 5 km',
    });
    const ttm = [ttmEmpty];
    const next = await timeToNext(ctx, players, { trios: pairs, radiusKm: 5, area: DENSE });
    /** @type {{ r: number, result: typeof ttmEmpty }[]} */
    const ttmDense = [];
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
          geoKey: denseGeoKey(ctx.redisPrefix),
        }),
      ),
    );

    /** @type {Awaited<ReturnType<typeof throughput>>[]} */
    const cases = [];
    for (const r of scale.radii)
      cases.push(
        await throughput(ctx, loaders, r, Array.isArray(r) ? `r ${r[0]}-${r[1]} km` : `r ${r} km`, {
          preferences: true,
        }),
      );
    for (const r of scale.ttmRadii) {
      const result = await timeToMatch(ctx, players, {
        pairs,
        radiusKm: r,
        area: DENSE,
        label: `${num(scale.ballast)} searching, r = ${r} km`,
      });
      ttm.push(result);
      ttmDense.push({ r, result });
    }
    /** @type {{ r: number, rows: Awaited<ReturnType<typeof luaBreakdown>> }[]} */
    const breakdown = [];
    for (const r of scale.ttmRadii)
      breakdown.push({ r, rows: await luaBreakdown(ctx, r, r * 1.001 + 0.01, ctx.quick ? 5 : 40) });
    const queueState = await (async () => {
      const redis = ctx.redis.client();
      const keys = queueKeys(ctx.redisPrefix);
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
      'matching: next misses (no offer from the waiting partner)': next.missed,
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
        .../** @type {[string, typeof m][]} */ ([
          ['match step (enqueue script)', m],
          ['match step, seekers with traits and preferences', c.runs.prefs ?? []],
        ])
          .filter(([, runs]) => runs.length > 0)
          .map(([name, runs]) => [
            c.label,
            name,
            runs.map((x) => num(x.perSecond)).join(' / '),
            num(median(runs.map((x) => x.perSecond))),
            ms(median(runs.map((x) => x.latency.p50))),
            `${num(median(runs.map((x) => x.redisCall.usecPerCall)))} µs`,
            `${num(median(runs.map((x) => x.offersMade)))} offers`,
            cpuLine(medianCpu(runs.map((x) => x.cpu))),
          ]),
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
    ttmRows.splice(1, 0, [
      '"next": `nextMatch` from a room while a partner waits (empty queue, r = 5 km)',
      ms(next.offered.p50),
      ms(next.offered.p99),
      '',
      ms(next.response.p50),
      next.offered.n,
      next.missed,
    ]);
    ctx.metrics.note('matching.next.p50', next.offered.p50, 'ms');
    const { note } = ctx.metrics;
    const ratios = cases.map((c) => {
      const key = `matching.${c.label.replaceAll(' ', '')}`;
      note(`${key}.geosearch`, c.geo, 'perSecond');
      note(`${key}.matchStep`, c.match, 'perSecond');
      return { label: c.label, ratio: c.ratio, text: note(`${key}.ratio`, c.ratio, 'share') };
    });
    // Preferences cost: the match step with every seeker stating traits and preferences, against the
    // same step without (alternated rounds, the same dense queue).
    const preferenceRatios = cases.flatMap((c) =>
      c.prefs === null
        ? []
        : [
            {
              label: c.label,
              ratio: c.prefs / c.match,
              text: note(`matching.${c.label.replaceAll(' ', '')}.preferencesRatio`, c.prefs / c.match, 'share'),
            },
          ],
    );
    /**
     * @param {typeof ttmEmpty} t
     * @param {string} key
     */
    const ttmText = (t, key) => {
      note(`matching.ttm.${key}.p99`, t.seeker.p99, 'ms');
      return note(`matching.ttm.${key}.p50`, t.seeker.p50, 'ms');
    };
    const emptyTarget = targetTtmMs(null);
    const targets = [
      ...ratios.map((c) => ({
        name: `match step >= 80 % of raw GEOSEARCH ops/s (${c.label}, ${num(scale.ballast)} searching)`,
        value: c.text,
        met: c.ratio >= TARGET_RATIO,
      })),
      ...preferenceRatios.map((c) => ({
        name: `preferences slow the match step by at most 10 % (${c.label}: with / without >= 90 %)`,
        value: c.text,
        met: c.ratio >= 0.9,
      })),
      {
        name: `time-to-match p50 <= ${emptyTarget} ms once a partner waits (empty queue)`,
        value: ttmText(ttmEmpty, 'empty'),
        met: ttmEmpty.seeker.p50 <= emptyTarget,
      },
      ...ttmDense.map(({ r, result }) => ({
        name: `time-to-match p50 <= ${targetTtmMs(r)} ms once a partner waits (${result.label})`,
        value: ttmText(result, `dense${r}km`),
        met: result.seeker.p50 <= targetTtmMs(r),
      })),
      {
        name: 'zero double matches',
        value: String(counters['matching: double matches (queue)'] + counters['matching: double matches (API burst)']),
        met: counters['matching: double matches (queue)'] + counters['matching: double matches (API burst)'] === 0,
      },
    ];
    const markdown = [
      `Dense case: ${num(scale.ballast)} searching users at random grid-snapped positions in a ${DENSE.sizeKm} km square, enqueued through the queue's own \`enqueue\` script (built in ${ballast.seconds.toFixed(1)} s). They are never eligible for anyone (radius -1, the queue's "never matches" value), so they stay searching. The queue indexes searching users by radius class (match-queue.lua.ts §7) and reads each class only as far as its users could be offered: these users sit in the first class (up to ${RADIUS_CLASSES_KM[0]} km), so a 1 km search meets every one of them within 1 km as it would meet incompatible users, while a 5 km search reads them only within ${RADIUS_CLASSES_KM[0]} km; the Lua breakdown below also shows what a search costs per member when every user around has a radius of at least r (read from GEO members, parsed). Seekers: new users at random grid-snapped positions in the square; ${scale.workers} load processes x ${scale.concurrency} concurrent calls, ${scale.durationMs / 1000} s per phase, ${scale.rounds} rounds alternated; seekers pair with each other when in range (they never answer; they are cancelled after each phase).`,
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
      ...ratios.map(
        (c) =>
          `- ${c.label}: **match step / GEOSEARCH = ${c.text}** (target >= ${pct(TARGET_RATIO)}: ${verdict(c.ratio >= TARGET_RATIO)})`,
      ),
      ...preferenceRatios.map(
        (c) =>
          `- ${c.label}: **match step with preferences / without = ${c.text}** (each seeker states a gender and an age and prefers both genders, ages 18 to 60, so the same pairs form while every candidate in range is judged by both filters; target >= 90 %: ${verdict(c.ratio >= 0.9)})`,
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
      'From the seeker\'s `requestMatch` being sent to its `OFFERED` event arriving on its `matchEvents` socket; the partner\'s OFFERED and the HTTP response beside it. The "next" row: a user in a fresh room calls `nextMatch` (the room closes, the peer hears PEER_LEFT with reason NEXT, the search starts) while a third user waits; from the call to the OFFERED naming the waiting user.',
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
          prefs: c.prefs,
          usec: median(c.runs.match.map((x) => x.redisCall.usecPerCall)),
        })),
        ttm,
        next,
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
