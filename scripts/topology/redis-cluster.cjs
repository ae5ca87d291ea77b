'use strict';
// A Redis Cluster of its own: `masters` masters with `replicas` replicas each, every node a
// redis-server in cluster mode on its own port with its own directory (the shared 127.0.0.1:6379
// Redis is never touched). Used by `npm run topology -- up --redis-cluster`, the cluster pass of
// `npm test` and the failover test.
const { execFile } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');
const { promisify } = require('node:util');
const { freePort, waitFor } = require('./process.cjs');
const { redisBinary, startRedis } = require('./redis.cjs');

const run = promisify(execFile);

function redisCliBinary() {
  const server = redisBinary();
  const beside = server && path.join(path.dirname(server), 'redis-cli');
  return process.env.REDIS_CLI ?? [beside, '/usr/bin/redis-cli'].find((p) => p && existsSync(p));
}

/**
 * Runs one command with redis-cli against 127.0.0.1:`port`; resolves with its output.
 * @param {number} port
 * @param {readonly string[]} args
 * @param {number} [timeoutMs]
 */
async function cli(port, args, timeoutMs = 5000) {
  const bin = redisCliBinary();
  if (!bin) throw new Error('redis-cli not found (apt-get install -y redis-tools)');
  const { stdout } = await run(bin, ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: timeoutMs });
  return stdout;
}

/** `field:value` lines (INFO, CLUSTER INFO) as an object. @param {string} text */
const fields = (text) =>
  Object.fromEntries(
    text
      .split(/\r?\n/)
      .filter((line) => line.includes(':') && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
  );

/**
 * @typedef {object} ClusterNodeInfo one line of CLUSTER NODES
 * @property {string} id
 * @property {number} port
 * @property {'master' | 'replica'} role
 * @property {string | undefined} masterId the master of a replica
 * @property {boolean} failed flagged fail or pfail by the node asked
 * @property {[number, number][]} slots ranges owned by a master
 */

/**
 * CLUSTER NODES as `port`'s node sees it.
 * @param {number} port
 * @returns {Promise<ClusterNodeInfo[]>}
 */
async function clusterNodes(port) {
  const text = await cli(port, ['cluster', 'nodes']);
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      // <id> <ip:port@cport> <flags> <master> <ping-sent> <pong-recv> <config-epoch> <link-state> <slot> ...
      const [id = '', address = '', flags = '', master = '-', , , , , ...slots] = line.split(' ');
      const flagList = flags.split(',');
      return {
        id,
        port: Number(address.replace(/@.*$/, '').split(':').pop()),
        role: flagList.includes('master') ? 'master' : 'replica',
        masterId: master === '-' ? undefined : master,
        failed: flagList.includes('fail') || flagList.includes('fail?'),
        slots: slots
          .filter((s) => !s.startsWith('['))
          .map((s) => {
            const [from, to = from] = s.split('-').map(Number);
            return /** @type {[number, number]} */ ([from, to]);
          }),
      };
    });
}

/**
 * @typedef {object} RedisCluster
 * @property {import('./redis.cjs').RedisServer[]} nodes every node, in port order as created (the
 *   first `masters` were created as masters; roles change with failovers: ask `topology()`)
 * @property {string} seeds `127.0.0.1:port,...` of every node, the value of REDIS_CLUSTER_NODES
 * @property {() => Promise<ClusterNodeInfo[]>} topology CLUSTER NODES as a live node sees it
 * @property {(key: string) => Promise<import('./redis.cjs').RedisServer>} masterOf the node that
 *   serves `key`'s slot now
 * @property {(options?: { timeoutMs?: number }) => Promise<void>} waitForHealthy resolves once every
 *   running node reports cluster_state:ok, every slot is served by a master that is not failed and
 *   every running replica's link to its master is up
 * @property {() => Promise<void>} stop stops every node
 */

/**
 * Starts a cluster: the nodes (cluster mode, `cluster-node-timeout` `nodeTimeoutMs`, so a master
 * that died is replaced by its replica within about two timeouts), `redis-cli --cluster create`,
 * then waits until it is healthy. `cluster-require-full-coverage no`: while one shard fails over,
 * the others keep serving their slots. Persistent (AOF, fsync always) like the single Redis of the
 * topology, unless `persistent` is false.
 * @param {{ dir: string, masters?: number, replicas?: number, ports?: number[], nodeTimeoutMs?: number, persistent?: boolean }} options
 * @returns {Promise<RedisCluster>}
 */
async function startRedisCluster({ dir, masters = 3, replicas = 1, ports, nodeTimeoutMs = 1000, persistent = true }) {
  const count = masters * (1 + replicas);
  const chosen = ports ?? [];
  while (chosen.length < count) {
    // A node's cluster bus listens on port + 10000: both must be free.
    const port = await freePort();
    if (port + 10_000 < 65_536 && !chosen.includes(port)) chosen.push(port);
  }
  /** @type {import('./redis.cjs').RedisServer[]} */
  const nodes = [];
  const stop = async () => void (await Promise.all(nodes.map((node) => node.stop())));
  try {
    for (const port of chosen.slice(0, count)) {
      nodes.push(
        await startRedis({
          dir: path.join(dir, String(port)),
          port,
          persistent,
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            path.join(dir, String(port), 'nodes.conf'),
            '--cluster-node-timeout',
            String(nodeTimeoutMs),
            '--cluster-require-full-coverage',
            'no',
          ],
        }),
      );
    }
    await cli(
      chosen[0] ?? 0,
      [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ],
      30_000,
    );
    const cluster = clusterHandle(nodes, stop);
    await cluster.waitForHealthy({ timeoutMs: 30_000 });
    return cluster;
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * @param {import('./redis.cjs').RedisServer[]} nodes
 * @param {() => Promise<void>} stop
 * @returns {RedisCluster}
 */
function clusterHandle(nodes, stop) {
  /** Asks the running nodes in turn until one answers. @type {<T>(ask: (port: number) => Promise<T>) => Promise<T>} */
  const anyNode = async (ask) => {
    let lastError;
    for (const node of nodes) {
      try {
        return await ask(node.port);
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  };
  const topology = () => anyNode(clusterNodes);
  return {
    nodes,
    seeds: nodes.map((n) => `127.0.0.1:${n.port}`).join(','),
    topology,
    async masterOf(key) {
      const slot = Number((await anyNode((port) => cli(port, ['cluster', 'keyslot', key]))).trim());
      const owner = (await topology()).find(
        (n) => n.role === 'master' && !n.failed && n.slots.some(([from, to]) => slot >= from && slot <= to),
      );
      const node = owner && nodes.find((n) => n.port === owner.port);
      if (!node) throw new Error(`no live master serves slot ${slot} (of ${key})`);
      return node;
    },
    async waitForHealthy({ timeoutMs = 30_000 } = {}) {
      await waitFor(
        async () => {
          for (const node of nodes) {
            let info;
            try {
              info = fields(await cli(node.port, ['cluster', 'info'], 1000));
            } catch {
              continue; // not running
            }
            if (info.cluster_state !== 'ok') return false;
            const replication = fields(await cli(node.port, ['info', 'replication'], 1000));
            if (replication.role === 'slave' && replication.master_link_status !== 'up') return false;
          }
          const view = await topology();
          let served = 0;
          for (const n of view) if (n.role === 'master' && !n.failed) for (const [a, b] of n.slots) served += b - a + 1;
          return served === 16_384;
        },
        { timeoutMs, intervalMs: 100, message: 'the Redis Cluster to be healthy' },
      );
    },
    stop,
  };
}

module.exports = { startRedisCluster, clusterNodes, redisCliBinary };
