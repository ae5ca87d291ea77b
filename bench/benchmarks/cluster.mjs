// Past one Redis (docs/scaling.md): two more API instances on a Redis Cluster of 3 masters + 3
// replicas (room events over shard channels, SPUBLISH/SSUBSCRIBE), with the matching queue on a
// Redis of its own (MATCH_REDIS_URL), the layout the capacity plan recommends. Message latency at
// the latency benchmark's rates, then at its top rate while the dense match step runs flat out on
// the queue's Redis, each against the same floor as the latency benchmark.
import { createRequire } from 'node:module';
import path from 'node:path';
import { startApi } from '../lib/api.mjs';
import { num, section } from '../lib/report.mjs';
import { startRedis } from '../lib/services.mjs';
import { latencyReport, measureLatency } from './latency.mjs';
import { buildBallast } from './matching-queue.mjs';

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
    const counters = Object.fromEntries(Object.entries(report.counters).map(([k, v]) => [`cluster: ${k}`, v]));
    const markdown = [
      `Two API instances started like instances 1 and 2 (same database, same rooms and tokens) but with \`REDIS_CLUSTER_NODES\` set to a Redis Cluster of ${cluster.nodes.length} nodes (3 masters, 3 replicas, \`redis-server\` in cluster mode, scripts/topology/redis-cluster.cjs) and \`MATCH_REDIS_URL\` set to a Redis of their own for the matching queue (its dense queue, ${num(ballast.searching)} searching users, built there as in the matching benchmark). Room events travel over shard channels (SPUBLISH on the shard of the room's channel, SSUBSCRIBE on the receiving instance's connection to that shard). The same latency measurement as the Message latency section (its floor is the same single-Redis INSERT + PUBLISH -> SUBSCRIBE); the dense match step runs on the queue's own Redis meanwhile, so its milliseconds of Redis time per step no longer sit in front of any PUBLISH. Cells: p50/p99 in ms per round; CPU of the six cluster nodes listed as redis-cluster-1..6 (the first three were created as masters).`,
      '',
      report.tableText,
      '',
      ...report.lines,
      '',
      `Correctness over every API phase: ${Object.entries(report.counters)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}.${report.firstError ? ` First error: \`${report.firstError}\`.` : ''}`,
    ].join('\n');
    return {
      ...section({ id: 'cluster', title: 'Redis Cluster', markdown, counters }),
      targets: report.targets,
      data: { cases: cases.map(({ label, floor, api }) => ({ label, floor, api })) },
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}
