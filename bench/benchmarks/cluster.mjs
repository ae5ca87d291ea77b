// Past one Redis (docs/scaling.md): two more API instances on a Redis Cluster of 3 masters + 3
// replicas (room events over shard channels, SPUBLISH/SSUBSCRIBE), with the matching queue on a
// Redis of its own (MATCH_REDIS_URL), the layout the capacity plan recommends. Message latency at
// the latency benchmark's rates, then at its top rate while the dense match step runs flat out on
// the queue's Redis, each against the same floor as the latency benchmark.
import { createRequire } from 'node:module';
import path from 'node:path';
import { startApi } from '../lib/api.mjs';
import { num, section } from '../lib/report.mjs';
import { Cluster, Redis } from 'ioredis';
import { matchingModules } from '../lib/api-dist.mjs';
import { startRedis } from '../lib/services.mjs';
import { pool } from '../lib/util.mjs';
import { latencyReport, measureLatency } from './latency.mjs';
import { buildBallast, DENSE, queueOptions, randomPoint } from './matching-queue.mjs';

/** @type {{ startRedisCluster(options: { dir: string, persistent?: boolean }): Promise<{ seeds: string, nodes: { pid: number, port: number }[], stop(): Promise<void> }> }} */
const { startRedisCluster } = createRequire(import.meta.url)('../../scripts/topology/redis-cluster.cjs');

/** @param {import('../lib/setup.mjs').Ctx} ctx */
export async function benchCluster(ctx) {
  /** @type {(() => Promise<unknown>)[]} */
  const stops = [];
  try {
    ctx.log('  starting a Redis Cluster (3 masters + 3 replicas) and a Redis for the queue');
    const cluster = await startRedisCluster({ dir: path.join(ctx.tmp, 'redis-cluster'), persistent: false });
    stops.push(() => cluster.stop());
    const queueRedis = await startRedis(path.join(ctx.tmp, 'queue-redis'));
    stops.push(() => queueRedis.stop());
    /** @param {string} name */
    const env = (name) => {
      const { REDIS_URL: _single, ...rest } = ctx.apiEnv(name, 'bench', ctx.redisPrefix);
      return { ...rest, REDIS_CLUSTER_NODES: cluster.seeds, MATCH_REDIS_URL: queueRedis.url };
    };
    const one = await startApi(env('cluster1'), { name: 'cluster-api1' });
    stops.push(() => one.stop());
    const two = await startApi(env('cluster2'), { name: 'cluster-api2' });
    stops.push(() => two.stop());
    const ballast = await buildBallast(ctx, ctx.scale.matching.ballast, queueRedis);
    ctx.log(
      `  dense queue on the queue's Redis: ${num(ballast.searching)} searching, built in ${ballast.seconds.toFixed(1)} s`,
    );

    const masters = Object.fromEntries(cluster.nodes.map((n, i) => [`redis-cluster-${i + 1}`, n.pid]));
    const where = ' on a Redis Cluster';
    const { cases, top } = await measureLatency(
      ctx,
      {
        sender: one,
        receiver: two,
        matchRedis: { url: queueRedis.url, pid: queueRedis.pid },
        pids: { api1: one.pid, api2: two.pid, ...masters },
        where,
      },
      ctx.scale.latency.rates,
    );
    const report = latencyReport(ctx, cases, top);
    const shards = await measureShards(ctx, cluster);
    const counters = Object.fromEntries(Object.entries(report.counters).map(([k, v]) => [`cluster: ${k}`, v]));
    const markdown = [
      `Two API instances started like instances 1 and 2 (same database, same rooms and tokens) but with \`REDIS_CLUSTER_NODES\` set to a Redis Cluster of ${cluster.nodes.length} nodes (3 masters, 3 replicas, \`redis-server\` in cluster mode, scripts/topology/redis-cluster.cjs) and \`MATCH_REDIS_URL\` set to a Redis of their own for the matching queue (its dense queue, ${num(ballast.searching)} searching users, built there as in the matching benchmark). Room events travel over shard channels (SPUBLISH on the shard of the room's channel, SSUBSCRIBE on the receiving instance's connection to that shard). The same latency measurement as the Message latency section (its floor is the same single-Redis INSERT + PUBLISH -> SUBSCRIBE); the dense match step runs on the queue's own Redis meanwhile, so its milliseconds of Redis time per step no longer sit in front of any PUBLISH. Cells: p50/p99 in ms per round; CPU of the six cluster nodes listed as redis-cluster-1..6 (the first three were created as masters).`,
      '',
      report.tableText,
      '',
      ...report.lines,
      '',
      shards.markdown,
      '',
      `Correctness over every API phase: ${Object.entries(report.counters)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}.${report.firstError ? ` First error: \`${report.firstError}\`.` : ''}`,
    ].join('\n');
    return {
      ...section({ id: 'cluster', title: 'Redis Cluster', markdown, counters }),
      targets: report.targets,
      data: { cases: cases.map(({ label, floor, api }) => ({ label, floor, api })), shards: shards.rows },
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

/**
 * The matching queue on the cluster itself, one slot (`{match}`) against sharded by area
 * (MATCH_CELL_KM): the same pairs of searchers (r = 5 km, the second within 2 km of the first, at
 * random in the dense 50 km square) enqueued at the same concurrency from this process, then both
 * cancelled. Reports pairs/s, the Redis CPU time per pair summed over the masters and the busiest
 * master's share of it: one slot puts every step on one master; cells spread them.
 * @param {import('../lib/setup.mjs').Ctx} ctx
 * @param {{ seeds: string, nodes: { pid: number, port: number }[] }} cluster
 */
async function measureShards(ctx, cluster) {
  const { pairs, concurrency, cellKm } = ctx.scale.shards;
  const { createRedisMatchQueue, createShardedMatchQueue } = matchingModules();
  const seeds = cluster.seeds.split(',').map((seed) => {
    const colon = seed.lastIndexOf(':');
    return { host: seed.slice(0, colon), port: Number(seed.slice(colon + 1)) };
  });
  const nodes = cluster.nodes.map((node) => new Redis({ port: node.port, host: '127.0.0.1' }));
  const client = new Cluster(seeds);
  /** Each node's role and CPU seconds (user + sys) so far. */
  const cpu = () =>
    Promise.all(
      nodes.map(async (node) => {
        const info = await node.info();
        const field = (/** @type {string} */ name) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
        return { master: /role:master/.test(info), seconds: field('used_cpu_user') + field('used_cpu_sys') };
      }),
    );
  const none = { blocked: [], openRooms: [] };
  const rows = [];
  try {
    for (const [label, queue] of /** @type {const} */ ([
      [
        'one slot ({match})',
        createRedisMatchQueue(/** @type {Redis} */ (/** @type {unknown} */ (client)), {
          ...queueOptions(ctx),
          prefix: `${ctx.redisPrefix}slot:`,
        }),
      ],
      [
        `sharded, ${cellKm} km cells`,
        createShardedMatchQueue(client, { ...queueOptions(ctx), prefix: `${ctx.redisPrefix}cells:`, cellKm }),
      ],
    ])) {
      const before = await cpu();
      const started = performance.now();
      let offers = 0;
      await pool(
        Array.from({ length: pairs }, (_, i) => i),
        concurrency,
        async (i) => {
          const [a, b] = [`${label.length}a${i}`, `${label.length}b${i}`];
          const first = randomPoint(DENSE);
          const second = randomPoint({ lat0: first.lat, lon0: first.lon, sizeKm: 2 });
          await Promise.all([queue.loadExclusions(a, none, Date.now()), queue.loadExclusions(b, none, Date.now())]);
          await queue.enqueue({ userId: a, position: first, radiusKm: 5 }, Date.now());
          const { events } = await queue.enqueue({ userId: b, position: second, radiusKm: 5 }, Date.now());
          if (events.some((event) => event.type === 'OFFERED' && event.to === b)) offers++;
          await queue.cancel(a, Date.now());
          await queue.cancel(b, Date.now());
        },
      );
      const seconds = (performance.now() - started) / 1000;
      const after = await cpu();
      const masters = after
        .map((node, i) => ({ ...node, used: node.seconds - (before[i]?.seconds ?? 0) }))
        .filter((n) => n.master);
      const total = masters.reduce((sum, n) => sum + n.used, 0);
      const busiest = Math.max(...masters.map((n) => n.used));
      rows.push({
        label,
        pairsPerSecond: pairs / seconds,
        offersPercent: (100 * offers) / pairs,
        redisMsPerPair: (1000 * total) / pairs,
        busiestPercent: total > 0 ? (100 * busiest) / total : 0,
      });
    }
  } finally {
    client.disconnect();
    for (const node of nodes) node.disconnect();
  }
  const table = [
    "| queue | pairs/s | second user offered | Redis CPU per pair (all masters) | busiest master's share |",
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.label} | ${num(Math.round(r.pairsPerSecond))} | ${r.offersPercent.toFixed(0)} % | ${r.redisMsPerPair.toFixed(3)} ms | ${r.busiestPercent.toFixed(0)} % |`,
    ),
  ];
  const markdown = [
    `**The matching queue on the cluster: one slot against sharded by area.** ${num(pairs)} pairs of searchers (r = 5 km, the second within 2 km of the first, at random in the dense ${DENSE.sizeKm} km square), each enqueued one after the other and then both cancelled, ${concurrency} pairs at a time from the bench process, on the queue with one slot (\`{match}\`) and sharded by ${cellKm} km cells (\`MATCH_CELL_KM\`, each cell a slot). Redis CPU from INFO of the three masters over each run (the replicas' is left out).`,
    '',
    ...table,
  ].join('\n');
  return { markdown, rows };
}
