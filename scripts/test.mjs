#!/usr/bin/env node
// `npm test`: checks the generated client types, lints (ESLint, Prettier, module rules), builds the
// web app and the API (tests also run the API as real processes), runs the web app's unit tests
// once, then the whole API jest suite on the embedded adapters (SQLite + in-process), then again on
// MariaDB + Redis when they answer, then the Redis adapters and the auth, chat and matching suites
// once more on a Redis Cluster of their own (3 masters + 3 replicas, scripts/topology/redis-cluster.cjs),
// then the benchmarks' quick mode (bench/run.mjs --quick) and the chaos suite's quick mode
// (chaos/run.mjs --quick).
// Under CI=true an unreachable backend fails the run instead of being skipped.
// Extra arguments go to jest, e.g. `npm test -- src/modules/auth`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import redisCluster from './topology/redis-cluster.cjs';

const jestArgs = process.argv.slice(2);
const mysqlUrl = new URL(process.env.TEST_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306');
const redisUrl = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const ci = process.env.CI === 'true' || process.env.CI === '1';

/**
 * Runs a command with the terminal attached; resolves to its exit status (1 when it died by a signal).
 * @param {string} command
 * @param {readonly string[]} args
 * @param {Record<string, string>} [env] added to this process's environment
 */
function run(command, args, env = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
}

/**
 * Opens a TCP connection and reads the server's first bytes (MariaDB greets; Redis answers PING).
 * @param {URL} url
 * @param {string} [greeting] sent once connected
 * @returns {Promise<boolean>}
 */
function probe(url, greeting) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port) });
    /** @param {boolean} ok */
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => greeting && socket.write(greeting));
    socket.on('data', () => done(true));
  });
}

/**
 * The generated client types, as committed: codegen must reproduce them exactly.
 * @param {string} dir
 * @returns {Record<string, string>}
 */
function snapshot(dir) {
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(`${dir}/${f}`, 'utf8')]));
}

const before = snapshot('web/src/gql');
if (run('npm', ['run', 'codegen', '--silent']) !== 0) process.exit(1);
const after = snapshot('web/src/gql');
const stale = Object.keys({ ...before, ...after }).filter((f) => before[f] !== after[f]);
if (stale.length > 0) {
  console.error(`web/src/gql was stale (${stale.join(', ')}): regenerated now; review and commit it.`);
  process.exit(1);
}
console.log('\n== lint: ESLint, Prettier and the module dependency rules; bench and scripts type-checked');
if (run('npm', ['run', 'lint', '--silent']) !== 0) process.exit(1);
if (run('npx', ['tsc', '-p', 'tsconfig.json']) !== 0) process.exit(1);
if (run('npm', ['run', 'build', '-w', 'web', '--silent']) !== 0) process.exit(1);
if (run('npm', ['run', 'build', '-w', 'api', '--silent']) !== 0) process.exit(1);

console.log('\n== node:test on the chaos fault proxy');
if (run('node', ['--test', 'chaos/fault-proxy.test.mjs']) !== 0) process.exit(1);

console.log('\n== jest on the web app (stores, merge-by-seq and matching logic)');
if (run('npx', ['jest', '--config', 'web/jest.config.js']) !== 0) process.exit(1);

console.log('\n== jest on the embedded adapters (SQLite, in-process pub/sub, limits and tokens)');
const embedded = run(
  'npx',
  ['jest', '--config', 'api/jest.config.js', ...jestArgs, '--testPathIgnorePatterns', '\\.(redis|mysql)\\.test\\.ts$'],
  {
    RANDCHAT_TEST_BACKEND: 'embedded',
  },
);

const [mysqlUp, redisUp] = await Promise.all([probe(mysqlUrl), probe(redisUrl, 'PING\r\n')]);
const missing = [!mysqlUp && `MariaDB at ${mysqlUrl.host}`, !redisUp && `Redis at ${redisUrl.host}`].filter(Boolean);
let real = 0;
if (missing.length > 0) {
  const line = `Skipped the MariaDB + Redis pass: ${missing.join(' and ')} not reachable`;
  if (ci) {
    console.error(`\n${line} (CI=true: failing)`);
    process.exit(1);
  }
  console.log(`\n${line}`);
} else {
  console.log('\n== jest on MariaDB + Redis');
  real = run('npx', ['jest', '--config', 'api/jest.config.js', ...jestArgs], { RANDCHAT_TEST_BACKEND: 'real' });
}
// The same suites on a Redis Cluster (whole-suite runs with the real backends only): every Redis
// adapter's contract on cluster clients and shard channels, and the auth, chat, matching and push suites
// with the API instances on REDIS_CLUSTER_NODES and the matching queue sharded by 1 km cells
// (MATCH_CELL_KM). Each test file keeps its own key prefix.
const CLUSTER_SUITES = [
  'api/src/infra/pubsub/',
  'api/src/infra/ratelimit/',
  'api/src/modules/auth/',
  'api/src/modules/chat/',
  'api/src/modules/matching/',
  'api/src/modules/push/',
  'api/test/chat-instances\\.test\\.ts',
  'api/test/matching-concurrency\\.test\\.ts',
  'api/test/ws-auth\\.test\\.ts',
];
let cluster = 0;
if (missing.length === 0 && jestArgs.length === 0) {
  console.log(
    '\n== jest on MariaDB + a Redis Cluster (3 masters, 3 replicas): Redis adapters, auth, chat, matching, push',
  );
  const dir = mkdtempSync(path.join(os.tmpdir(), 'randchat-cluster-'));
  try {
    const started = await redisCluster.startRedisCluster({ dir, persistent: false });
    try {
      cluster = run('npx', ['jest', '--config', 'api/jest.config.js', ...CLUSTER_SUITES], {
        RANDCHAT_TEST_BACKEND: 'real',
        TEST_REDIS_CLUSTER_NODES: started.seeds,
        TEST_MATCH_CELL_KM: '1', // the queue sharded by 1 km cells: most pairs cross a cell border
      });
    } finally {
      await started.stop();
    }
  } catch (err) {
    console.error(`the Redis Cluster pass could not run: ${err instanceof Error ? err.message : String(err)}`);
    cluster = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
// The benchmarks at small scale (whole-suite runs with the real backends only): each must complete
// with its correctness counters at zero (double matches, lost or duplicated messages); no timing
// is asserted. The bench starts its own MariaDB and Redis and uses the API built above.
let bench = 0;
if (missing.length === 0 && jestArgs.length === 0) {
  console.log('\n== npm run bench -- --quick');
  bench = run('node', ['bench/run.mjs', '--quick', '--no-build']);
}
// The chaos suite at small scale (same condition as the bench): two instances behind nginx, faults
// injected into its own MariaDB and Redis through the fault proxy; fails when an acknowledged
// message was lost, duplicated or left a seq gap, or a fault logged a user out (docs/chaos.md).
let chaos = 0;
if (missing.length === 0 && jestArgs.length === 0) {
  console.log('\n== npm run chaos -- --quick');
  chaos = run('node', ['chaos/run.mjs', '--quick', '--no-build']);
}
process.exit(embedded || real || cluster || bench || chaos);
