// Message latency: sendMessage on instance 1 -> roomEvents on instance 2, at fixed rates, vs one
// raw INSERT + Redis PUBLISH -> SUBSCRIBE (bench/workers/chat-latency.mjs); at the top rate also
// while the dense matching load runs (a GEOSEARCH over a dense area holds Redis for milliseconds,
// delaying every pub/sub delivery meanwhile).
import { cpuLine, medianCpu, ms, num, section, table, verdict } from '../lib/report.mjs';
import { alternate, variant } from '../lib/rounds.mjs';
import { startWorker } from '../lib/worker.mjs';
import { cpuMeter, median } from '../lib/util.mjs';
import { DENSE, denseGeoKey, queueOptions } from './matching-queue.mjs';

const SEND_QUERY =
  'mutation($input: SendMessageInput!) { sendMessage(input: $input) { id roomId seq sender { id nickname } body clientMessageId createdAt } }';
/** @typedef {import('../lib/worker.mjs').Worker<import('../workers/chat-latency.mjs').ChatLatency>} ChatLatencyWorker */
/** @typedef {Awaited<ReturnType<import('../workers/chat-latency.mjs').ChatLatency['run']>>} ChatRun */
/** @typedef {ChatRun & { matchOps?: number, cpu: import('../lib/util.mjs').CpuUsage }} LatencyRound */
/** @typedef {{ p50: number, p99: number }} Percentiles */
/**
 * @typedef {object} Case one rate, its floor and API rounds, and their median percentiles
 * @property {string} label
 * @property {string} key its part of the keys in bench/results.json (`latency.<key>.api.p50`, ...)
 * @property {number} rate messages per second
 * @property {{ floor: LatencyRound[], api: LatencyRound[] }} runs
 * @property {boolean} underLoad with the dense matching load running meanwhile
 * @property {Percentiles} [floor]
 * @property {Percentiles} [api]
 */

/**
 * Waits until the instance's messages_sent_total stops moving (it has worked off its backlog).
 * @param {import('../lib/api.mjs').ApiInstance} api
 */
async function waitIdle(api) {
  let last = -1;
  for (let i = 0; i < 60; i++) {
    const now = await api.metric('messages_sent_total');
    if (now === last) return;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * autocannon requests that send `body` into each room as its sender, each with a new clientMessageId
 * (`<idPrefix>-<n>`, autocannon's `[<id>]`).
 * @param {import('../workers/chat-clients.mjs').ChatRoom[]} rooms
 * @param {string} body
 * @param {string} idPrefix
 * @returns {import('../workers/http-load.mjs').LoadRequest[]}
 */
export const sendRequests = (rooms, body, idPrefix) =>
  rooms.map((r) => ({
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${r.senderToken}` },
    body: JSON.stringify({
      query: SEND_QUERY,
      variables: { input: { roomId: r.roomId, body, clientMessageId: `${idPrefix}-[<id>]` } },
    }),
  }));

export const TARGET_P50 = 5;
export const TARGET_P99 = 10;
/** sendMessage/s instance 1 answers closed loop (issue 13: 5x the 281/s before it). */
export const TARGET_CAPACITY = 1500;
/** Instance 1's CPU per closed-loop send, in ms. */
export const TARGET_CPU_MS_PER_SEND = 0.6;

/** Tags of the phases (the messages' clientMessageIds and the seekers' ids), unique across every measurement of the run. */
let runTags = 0;

/**
 * Where the measured messages go and where the dense matching load runs.
 * @typedef {object} LatencyTarget
 * @property {import('../lib/api.mjs').ApiInstance} sender the instance `sendMessage` goes to
 * @property {import('../lib/api.mjs').ApiInstance} receiver the instance whose `roomEvents` receive
 * @property {{ url: string, pid: number | undefined }} matchRedis the Redis holding the dense queue
 * @property {Record<string, number | undefined>} pids more processes to meter beside the instances
 * @property {string} [where] appended to each case's label and key (e.g. ' on a Redis Cluster')
 */

/**
 * The latency cases: each rate alone, then the top rate while the dense match step runs flat out on
 * `target.matchRedis` (its dense queue built beforehand), each alternated with the floor (one raw
 * INSERT + PUBLISH -> SUBSCRIBE on the bench's own Redis). Stops its workers before returning.
 * @param {import('../lib/setup.mjs').Ctx} ctx
 * @param {LatencyTarget} target
 * @param {number[]} rates
 * @returns {Promise<{ cases: Case[], top: number }>}
 */
export async function measureLatency(ctx, target, rates) {
  const { durationMs, rounds, loadRadiusKm } = ctx.scale.latency;
  const [lowest] = rates;
  const top = rates.at(-1);
  if (lowest === undefined || top === undefined) throw new Error('latency: the scale names no rate');
  const { sender, receiver, where = '' } = target;
  /** @param {string} k */
  const key = (k) => `${k}${where ? `@${where.trim().replace(/\W+/g, '-')}` : ''}`;
  /** @type {ChatLatencyWorker} */
  const floor = startWorker('chat-latency.mjs', { name: 'latency-floor' });
  /** @type {ChatLatencyWorker} */
  const api = startWorker('chat-latency.mjs', { name: 'latency-api' });
  /** @type {import('../lib/worker.mjs').Worker<import('../workers/geo-load.mjs').GeoLoad>} */
  const matchLoad = startWorker('geo-load.mjs', { name: 'matching-load' });
  try {
    const rooms = ctx.data.latencyRooms;
    await floor.call('setup', {
      mode: 'floor',
      rooms,
      mysqlUri: `${ctx.db.url}/bench`,
      redisUrl: ctx.redis.url,
      channelPrefix: `${ctx.redisPrefix}floor:room:`,
    });
    await api.call('setup', { mode: 'api', rooms, graphqlUrl: sender.graphqlUrl, wsUrl: receiver.wsUrl });
    await matchLoad.call('setup', {
      redisUrl: target.matchRedis.url,
      prefix: ctx.redisPrefix,
      queueOptions: queueOptions(ctx),
      square: DENSE,
      cellKm: 1,
      geoKey: denseGeoKey(ctx.redisPrefix),
    });
    /**
     * @param {ChatLatencyWorker} worker
     * @param {number} rate
     */
    const drive = async (worker, rate) => {
      const result = await worker.call('run', { rate, durationMs, drainMs: 5000, tag: `t${runTags++}` });
      // An overloaded instance still works off what it accepted: let it finish before the next phase.
      if (result.abandoned > 0) await waitIdle(sender);
      return result;
    };
    // Warm-up (JIT, pools) at the lowest rate.
    await drive(floor, lowest);
    await drive(api, lowest);

    const apiPids = { ...target.pids, loadgen: api.pid, redis: ctx.redis.pid, mariadb: ctx.db.pid };
    const floorPids = { loadgen: floor.pid, redis: ctx.redis.pid, mariadb: ctx.db.pid };
    /** @param {ChatRun} r */
    const summary = (r) =>
      `p50 ${ms(r.latency.p50)} p99 ${ms(r.latency.p99)} (${r.received}/${r.sent} received, ${r.abandoned} abandoned, lost ${r.lost})`;
    /** @type {Case[]} */
    const cases = [];
    for (const rate of rates) {
      const runs = await alternate(
        rounds,
        [
          variant({ name: 'floor', pids: floorPids, run: () => drive(floor, rate), summary }),
          variant({ name: 'api', pids: apiPids, run: () => drive(api, rate), summary }),
        ],
        (line) => ctx.log(`  [${rate}/s${where}]${line}`),
      );
      cases.push({ label: `${rate} msg/s${where}`, key: key(String(rate)), rate, runs, underLoad: false });
    }
    // The top rate again, with the match step running flat out on the dense queue meanwhile.
    /** @param {ChatLatencyWorker} worker */
    const withMatching = (worker) => async () => {
      await matchLoad.call('prepare', { count: ctx.scale.latency.loadSeekers, tag: `lat-seek-${runTags++}` });
      const loading = matchLoad.call('run', {
        mode: 'enqueue',
        concurrency: 1,
        durationMs: durationMs + 500,
        radiusKm: loadRadiusKm,
      });
      const result = await drive(worker, top);
      const load = await loading;
      await matchLoad.call('cleanup');
      return { ...result, matchOps: load.perSecond };
    };
    const matchPids = { 'matching-load': matchLoad.pid, 'match-redis': target.matchRedis.pid };
    const loaded = await alternate(
      rounds,
      [
        variant({
          name: 'floor',
          pids: { ...floorPids, ...matchPids },
          run: withMatching(floor),
          summary: (r) => `${summary(r)}, ${num(r.matchOps)} match steps/s`,
        }),
        variant({
          name: 'api',
          pids: { ...apiPids, ...matchPids },
          run: withMatching(api),
          summary: (r) => `${summary(r)}, ${num(r.matchOps)} match steps/s`,
        }),
      ],
      (line) => ctx.log(`  [${top}/s + matching${where}]${line}`),
    );
    const queueWhere = target.matchRedis.url === ctx.redis.url ? '' : " on the queue's own Redis";
    cases.push({
      label: `${top} msg/s${where} + dense matching (r ${loadRadiusKm} km)${queueWhere}`,
      key: key(`${top}+matching`),
      rate: top,
      runs: loaded,
      underLoad: true,
    });
    return { cases, top };
  } finally {
    for (const w of [floor, api, matchLoad]) {
      await w.call('teardown').catch(() => undefined);
      await w.stop();
    }
  }
}

/**
 * The counters, the table rows and the targets of latency cases (the top rate's are targets, the
 * others are reported for scale).
 * @param {import('../lib/setup.mjs').Ctx} ctx
 * @param {Case[]} cases
 * @param {number} top
 */
export function latencyReport(ctx, cases, top) {
  const all = cases.flatMap((c) => [...c.runs.floor, ...c.runs.api]);
  const apiRuns = cases.flatMap((c) => c.runs.api);
  const counters = {
    'lost messages': apiRuns.reduce((n, r) => n + r.lost, 0),
    'duplicated messages': apiRuns.reduce((n, r) => n + r.duplicated, 0),
    'out-of-order messages': apiRuns.reduce((n, r) => n + r.outOfOrder, 0),
    'failed sends': all.reduce((n, r) => n + r.errors, 0),
    'subscription errors': apiRuns.reduce((n, r) => n + r.socketErrors, 0),
    'floor messages lost': cases.flatMap((c) => c.runs.floor).reduce((n, r) => n + r.lost, 0),
  };
  const firstError = all.map((r) => r.firstError).find(Boolean) ?? null;
  const { note } = ctx.metrics;
  /** @type {unknown[][]} */
  const rows = [];
  /** @type {import('../lib/report.mjs').Target[]} */
  const targets = [];
  // Below the target's rate: the same ratios, reported for scale (not targets).
  /** @type {string[]} */
  const below = [];
  for (const c of cases) {
    const f = {
      p50: median(c.runs.floor.map((r) => r.latency.p50)),
      p99: median(c.runs.floor.map((r) => r.latency.p99)),
    };
    const a = {
      p50: median(c.runs.api.map((r) => r.latency.p50)),
      p99: median(c.runs.api.map((r) => r.latency.p99)),
    };
    c.floor = f;
    c.api = a;
    for (const [side, v] of /** @type {const} */ ([
      ['floor', f],
      ['api', a],
    ])) {
      note(`latency.${c.key}.${side}.p50`, v.p50, 'ms');
      note(`latency.${c.key}.${side}.p99`, v.p99, 'ms');
    }
    const r50Text = note(`latency.${c.key}.p50Ratio`, a.p50 / f.p50, 'times');
    const r99Text = note(`latency.${c.key}.p99Ratio`, a.p99 / f.p99, 'times');
    /** @type {[string, LatencyRound[], Percentiles][]} */
    const paths = [
      ['INSERT + PUBLISH -> SUBSCRIBE (floor)', c.runs.floor, f],
      ['sendMessage (1) -> roomEvents (2)', c.runs.api, a],
    ];
    for (const [name, runs, v] of paths) {
      rows.push([
        c.label,
        name,
        runs.map((r) => `${num(r.latency.p50)}/${num(r.latency.p99)}`).join(', '),
        ms(v.p50),
        ms(v.p99),
        ms(median(runs.map((r) => r.ack.p50))),
        runs.map((r) => `${r.received}/${r.sent}${r.abandoned ? ` (${r.abandoned})` : ''}`).join(', '),
        c.underLoad ? num(median(runs.map((r) => r.matchOps))) : '-',
        cpuLine(medianCpu(runs.map((r) => r.cpu))),
      ]);
    }
    if (c.rate === top) {
      const r50 = a.p50 / f.p50;
      const r99 = a.p99 / f.p99;
      targets.push({
        name: `message latency p50 within 5x the floor (${c.label})`,
        value: `${r50Text} (${ms(a.p50)} vs ${ms(f.p50)})`,
        met: r50 <= TARGET_P50,
      });
      targets.push({
        name: `message latency p99 within 10x the floor (${c.label})`,
        value: `${r99Text} (${ms(a.p99)} vs ${ms(f.p99)})`,
        met: r99 <= TARGET_P99,
      });
    } else {
      below.push(
        `- ${c.label} (reported, not a target): p50 ${r50Text} the floor (${ms(a.p50)} vs ${ms(f.p50)}), p99 ${r99Text} (${ms(a.p99)} vs ${ms(f.p99)})`,
      );
    }
  }
  const tableText = table(
    [
      'rate',
      'path',
      'p50/p99 per round',
      'median p50',
      'median p99',
      'ack p50',
      'received / sent (abandoned)',
      'match steps/s meanwhile',
      'CPU (median, % of one core)',
    ],
    rows,
  );
  const lines = [...targets.map((t) => `- ${t.name}: **${t.value}** (${verdict(t.met)})`), ...below];
  return { counters, firstError, tableText, lines, targets };
}

/** @param {import('../lib/setup.mjs').Ctx} ctx */
export async function benchLatency(ctx) {
  const { api1, api2 } = ctx.apis;
  const { rates, durationMs, rounds } = ctx.scale.latency;
  const rooms = ctx.data.latencyRooms;
  const { cases, top } = await measureLatency(
    ctx,
    {
      sender: api1,
      receiver: api2,
      matchRedis: { url: ctx.redis.url, pid: ctx.redis.pid },
      pids: { api1: api1.pid, api2: api2.pid },
    },
    rates,
  );
  // Capacity: how many sendMessage/s instance 1 answers when driven closed loop (no baseline; for
  // the capacity plan). Each request a new clientMessageId, rooms rotating.
  /** @type {import('./me.mjs').HttpLoadWorker} */
  const capacityLoad = startWorker('http-load.mjs', { name: 'autocannon-send' });
  /** @type {import('./me.mjs').HttpLoadResult & { cpu: import('../lib/util.mjs').CpuUsage }} */
  let capacity;
  try {
    const requests = sendRequests(rooms.slice(0, 100), 'capacity', 'cap');
    const meter = cpuMeter({
      api1: api1.pid,
      api2: api2.pid,
      autocannon: capacityLoad.pid,
      redis: ctx.redis.pid,
      mariadb: ctx.db.pid,
    });
    meter.start();
    const result = await capacityLoad.call('run', {
      url: api1.url,
      requests,
      connections: 32,
      durationSec: ctx.quick ? 1 : 5,
      unique: true,
    });
    capacity = { ...result, cpu: meter.stop() };
    ctx.log(
      `  capacity: ${num(capacity.requestsPerSecond)} sendMessage/s closed loop (p50 ${capacity.latency.p50} ms)`,
    );
  } finally {
    await capacityLoad.stop();
  }

  const report = latencyReport(ctx, cases, top);
  const counters = Object.fromEntries(
    Object.entries({
      ...report.counters,
      'failed sends': report.counters['failed sends'] + capacity.non2xx + capacity.errors + capacity.graphqlErrors,
    }).map(([k, v]) => [`latency: ${k}`, v]),
  );
  const firstError = report.firstError ?? capacity.firstError ?? null;
  if (firstError) ctx.log(`  first error: ${firstError}`);
  const { note } = ctx.metrics;
  const capacityRps = capacity.requestsPerSecond;
  // Instance 1's CPU per send: its share of one core over the closed-loop rate, in ms.
  const cpuMsPerSend = (10 * (capacity.cpu.api1?.percent ?? NaN)) / capacityRps;
  const capacityText = note('latency.capacity.rps', capacityRps, 'perSecond');
  const cpuText = note('latency.capacity.cpuMsPerSend', cpuMsPerSend, 'ms');
  note('latency.capacity.p50', capacity.latency.p50, 'ms');
  const capacityMet = capacityRps >= TARGET_CAPACITY;
  const cpuMet = cpuMsPerSend <= TARGET_CPU_MS_PER_SEND;
  /** @type {import('../lib/report.mjs').Target[]} */
  const capacityTargets = [
    {
      name: `sendMessage closed loop on one instance >= ${num(TARGET_CAPACITY)}/s`,
      value: capacityText,
      met: capacityMet,
    },
    {
      name: `API CPU per send <= ${TARGET_CPU_MS_PER_SEND} ms (instance 1's CPU over the closed-loop rate)`,
      value: cpuText,
      met: cpuMet,
    },
  ];
  const markdown = [
    `${rooms.length} rooms; message k goes to room k mod ${rooms.length}, sent by the room's first member over HTTP to instance 1 and received by its second member's \`roomEvents\` subscription on instance 2 (the floor: a mysql2 INSERT into the same \`messages\` table, autocommit, then PUBLISH; a SUBSCRIBE connection receives). Open loop at a fixed rate for ${durationMs / 1000} s per phase, ${rounds} rounds alternated (a request still unanswered 5 s after the last one was due is abandoned, so that an overloaded phase stays bounded; an abandoned message enters the percentiles with its age when abandoned, a lower bound); latency runs from the moment a message was due to the moment its event arrived, in one process (one clock). Cells: p50/p99 in ms per round.`,
    '',
    report.tableText,
    '',
    ...report.lines,
    '',
    `Capacity: driven closed loop (autocannon, 32 connections, a new clientMessageId per request), instance 1 answers sendMessage at **${capacityText}** (target >= ${num(TARGET_CAPACITY)}/s: ${verdict(capacityMet)}) at **${cpuText} of API CPU per send** (instance 1's CPU over the rate; target <= ${TARGET_CPU_MS_PER_SEND} ms: ${verdict(cpuMet)}) (p50 ${ms(capacity.latency.p50)}, p99 ${ms(capacity.latency.p99)}; CPU ${cpuLine(capacity.cpu)}).`,
    '',
    `Correctness over every API phase: ${Object.entries(counters)
      .map(([k, v]) => `${k.replace('latency: ', '')} ${v}`)
      .join(', ')}.${firstError ? ` First error: \`${firstError}\`.` : ''}`,
  ].join('\n');
  return {
    ...section({ id: 'latency', title: 'Message latency', markdown, counters }),
    targets: [...report.targets, ...capacityTargets],
    data: {
      cases: cases.map(({ label, floor: f, api: a }) => ({ label, floor: f, api: a })),
      capacity: { rps: capacityRps, cpu: capacity.cpu, cpuMsPerSend },
    },
  };
}
