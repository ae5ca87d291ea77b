'use strict';
// The whole local topology (no Docker needed): a MariaDB primary and its GTID replica, Redis (or a
// Redis Cluster of 3 masters + 3 replicas), N API instances and nginx in front, every piece on its
// own port with its files under one directory.
// Every process is recorded in DIR/state.json as soon as it runs, so `down` (or a test's cleanup)
// stops exactly those pids, even after a failed or interrupted `up`.
const { randomBytes } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startApi, migrateOnce } = require('./api.cjs');
const { startReplicaPair } = require('./mariadb.cjs');
const { startNginx } = require('./nginx.cjs');
const { portOr, isRunning, stopPid } = require('./process.cjs');
const { startRedis } = require('./redis.cjs');
const { startRedisCluster } = require('./redis-cluster.cjs');

const DEFAULT_DIR = path.join(os.tmpdir(), 'randchat-topology');
const DEFAULT_PORTS = { nginx: 8080, api: 4001, primary: 3307, replica: 3308, redis: 6380 };
const DATABASE = 'randchat';

/**
 * @typedef {'mariadb' | 'redis' | 'api' | 'nginx'} Kind
 * @typedef {{ kind: Kind, name: string, pid: number, port: number, expect?: string }} Component
 * @typedef {{ dir: string, startedAt: string, components: Component[] }} State DIR/state.json
 */

/** @param {string} dir */
const stateFile = (dir) => path.join(dir, 'state.json');

/**
 * @param {string} dir
 * @returns {State | undefined}
 */
function readState(dir) {
  return existsSync(stateFile(dir)) ? JSON.parse(readFileSync(stateFile(dir), 'utf8')) : undefined;
}

/**
 * Records a started process: `down` stops components in reverse order of these records.
 * @param {string} dir
 * @param {Component} component
 */
function record(dir, component) {
  /** @type {Pick<State, 'components'>} */
  const state = readState(dir) ?? { components: [] };
  state.components.push(component);
  writeFileSync(stateFile(dir), JSON.stringify(state, null, 2));
}

/**
 * Stop signal and grace period (ms) per kind; `expect` guards against reused pids.
 * @type {Record<Kind, { signal: NodeJS.Signals, graceMs: number, expect: string }>}
 */
const STOP = {
  nginx: { signal: 'SIGQUIT', graceMs: 3000, expect: 'nginx' },
  api: { signal: 'SIGTERM', graceMs: 15_000, expect: 'main.js' },
  redis: { signal: 'SIGTERM', graceMs: 5000, expect: 'redis-server' },
  mariadb: { signal: 'SIGTERM', graceMs: 30_000, expect: 'mariadbd' },
};

/**
 * Stops every process recorded under `dir` (newest first) and deletes `dir`, unless `keep`.
 * Returns the components it found.
 * @param {{ dir?: string, keep?: boolean }} [options]
 */
async function down({ dir = DEFAULT_DIR, keep = false } = {}) {
  const state = readState(dir);
  const components = state?.components ?? [];
  for (const c of [...components].reverse()) await stopPid(c.pid, STOP[c.kind] ?? { expect: c.expect });
  if (!keep) rmSync(dir, { recursive: true, force: true });
  return components;
}

/**
 * The recorded components with whether each still runs.
 * @param {{ dir?: string }} [options]
 */
function status({ dir = DEFAULT_DIR } = {}) {
  const state = readState(dir);
  if (!state) return undefined;
  return {
    ...state,
    components: state.components.map((c) => ({ ...c, running: isRunning(c.pid, STOP[c.kind]?.expect) })),
  };
}

/**
 * Starts the topology under `dir`. Ports default to DEFAULT_PORTS (API instances on consecutive
 * ports), each replaced by a free one when taken. `redisUrl` uses an existing Redis (keys under
 * `topology:`) instead of starting one; `redisCluster` starts a Redis Cluster (3 masters, 3 replicas,
 * free ports) and points the instances at it with REDIS_CLUSTER_NODES. Resolves with the URLs; on
 * failure stops what it started.
 * @param {object} [options]
 * @param {string} [options.dir]
 * @param {number} [options.apis] how many API instances
 * @param {Partial<typeof DEFAULT_PORTS>} [options.ports]
 * @param {string} [options.redisUrl]
 * @param {boolean} [options.redisCluster]
 * @param {string} [options.webRoot] what nginx serves (default web/dist)
 * @param {Record<string, string>} [options.env] more environment for the API instances
 */
async function up({ dir = DEFAULT_DIR, apis = 2, ports = {}, redisUrl, redisCluster = false, webRoot, env = {} } = {}) {
  if (redisUrl && redisCluster) throw new Error('use an existing Redis (redisUrl) or start a cluster, not both');
  const running = status({ dir })?.components.filter((c) => c.running) ?? [];
  if (running.length > 0)
    throw new Error(
      `a topology already runs from ${dir} (pids ${running.map((c) => c.pid).join(', ')}): run "npm run topology down" first`,
    );
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(stateFile(dir), JSON.stringify({ dir, startedAt: new Date().toISOString(), components: [] }, null, 2));
  const want = { ...DEFAULT_PORTS, ...ports };
  try {
    const pair = await startReplicaPair({
      dir: path.join(dir, 'mariadb'),
      ports: { primary: await portOr(want.primary), replica: await portOr(want.replica) },
    });
    record(dir, { kind: 'mariadb', name: 'primary', pid: pair.primary.pid, port: pair.primary.port });
    record(dir, { kind: 'mariadb', name: 'replica', pid: pair.replica.pid, port: pair.replica.port });
    await pair.primary.query(`CREATE DATABASE IF NOT EXISTS \`${DATABASE}\``);
    await pair.waitForSync();

    /** @type {{ url: string, prefix: string, env: Record<string, string> }} */
    let redis;
    if (redisUrl) redis = { url: redisUrl, prefix: 'topology:', env: { REDIS_URL: redisUrl } };
    else if (redisCluster) {
      const cluster = await startRedisCluster({ dir: path.join(dir, 'redis-cluster') });
      for (const node of cluster.nodes)
        record(dir, { kind: 'redis', name: `redis-${node.port}`, pid: node.pid, port: node.port });
      redis = { url: `cluster ${cluster.seeds}`, prefix: 'rc:', env: { REDIS_CLUSTER_NODES: cluster.seeds } };
    } else {
      const own = await startRedis({ dir: path.join(dir, 'redis'), port: await portOr(want.redis) });
      record(dir, { kind: 'redis', name: 'redis', pid: own.pid, port: own.port });
      redis = { url: own.url, prefix: 'rc:', env: { REDIS_URL: own.url } };
    }

    const nginxPort = await portOr(want.nginx);
    const urls = pair.urls(DATABASE);
    const apiEnv = {
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      DATA_DIR: path.join(dir, 'api-data'),
      JWT_SECRET: randomBytes(48).toString('base64url'),
      PUBLIC_URL: `http://localhost:${nginxPort}`,
      DATABASE_URL: urls.primary,
      DATABASE_REPLICA_URLS: urls.replica,
      ...redis.env,
      REDIS_PREFIX: redis.prefix,
      ...env,
    };
    mkdirSync(path.join(dir, 'logs'), { recursive: true });
    await migrateOnce(apiEnv, path.join(dir, 'logs', 'migrate.log'));
    /** @type {import('./api.cjs').ApiInstance[]} */
    const instances = [];
    for (let i = 1; i <= apis; i++) {
      const name = `api-${i}`;
      const api = await startApi({
        name,
        port: await portOr(want.api + i - 1),
        env: { ...apiEnv, MIGRATE_ON_START: 'false' },
        logFile: path.join(dir, 'logs', `${name}.log`),
      });
      record(dir, { kind: 'api', name, pid: api.pid, port: api.port });
      instances.push(api);
    }

    const root = webRoot ?? path.resolve(__dirname, '../../web/dist');
    const nginx = await startNginx({
      dir: path.join(dir, 'nginx'),
      port: nginxPort,
      upstreams: instances.map((a) => a.port),
      webRoot: root,
    });
    record(dir, { kind: 'nginx', name: 'nginx', pid: nginx.pid, port: nginx.port });

    return {
      dir,
      web: nginx.url,
      graphql: nginx.graphqlUrl,
      ws: nginx.wsUrl,
      webBuilt: existsSync(path.join(root, 'index.html')),
      apis: instances.map((a) => ({ name: a.name, url: a.url })),
      database: {
        primary: urls.primary,
        replica: urls.replica,
        rootPrimary: pair.primary.url,
        rootReplica: pair.replica.url,
      },
      redis: redis.url,
      logs: path.join(dir, 'logs'),
    };
  } catch (err) {
    await down({ dir, keep: true });
    throw err;
  }
}

module.exports = { DEFAULT_DIR, DEFAULT_PORTS, up, down, status };
