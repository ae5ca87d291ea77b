// The bench's own MariaDB and Redis servers: fresh data directories under the run's temp dir, free
// ports, children of the orchestrator (stopped and deleted at the end). Owning them isolates the
// measurements from other users of the machine's shared servers and lets us read their CPU time.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import mariadb from '../../scripts/topology/mariadb-server.cjs';
import { freePort, waitFor } from './util.mjs';

const { mariadbBinaries, prepareDataDir, serverArgs, which } = mariadb;

/** @typedef {Awaited<ReturnType<typeof startMariaDb>>} MariaDb */
/** @typedef {Awaited<ReturnType<typeof startRedis>>} RedisServer */

/**
 * Resolves once `child` exited; SIGKILL after `ms` milliseconds.
 * @param {import('node:child_process').ChildProcess} child
 * @param {number} ms
 * @returns {Promise<void>}
 */
function waitExit(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * mariadbd on 127.0.0.1:<free port> from `dir`. Durable commits (innodb_flush_log_at_trx_commit=1,
 * as a primary that acknowledges messages must run) and a buffer pool that holds the bench's data.
 * @param {string} dir
 * @param {{ bufferPool?: string }} [options]
 */
export async function startMariaDb(dir, { bufferPool = '1G' } = {}) {
  const bins = mariadbBinaries();
  if (!bins) throw new Error('mariadbd / mariadb-install-db not found (apt-get install -y mariadb-server)');
  prepareDataDir(dir, bins.installDb);
  const port = await freePort();
  const child = spawn(
    bins.server,
    [
      ...serverArgs(dir, port),
      '--skip-log-bin',
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_general_ci',
      `--innodb-buffer-pool-size=${bufferPool}`,
      '--innodb-log-file-size=512M',
      '--innodb-flush-log-at-trx-commit=1',
      '--max-connections=500',
    ],
    { stdio: 'ignore' },
  );
  const url = `mysql://root@127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null)
        throw new Error(`mariadbd exited: ${readFileSync(path.join(dir, 'error.log'), 'utf8').slice(-2000)}`);
      const conn = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 2000 });
      await conn.end();
      return true;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: `mariadbd on port ${port}` },
  );
  return {
    port,
    pid: child.pid,
    url,
    /**
     * One root connection (multiple statements allowed) to `database`, or to none.
     * @param {string} [database]
     * @param {import('mysql2/promise').ConnectionOptions} [options]
     */
    connect: (database, options = {}) =>
      mysql.createConnection({ host: '127.0.0.1', port, user: 'root', database, multipleStatements: true, ...options }),
    /**
     * A pool of root connections to `database` (DATETIME in UTC, as the API's connections).
     * @param {string} database
     */
    pool: (database) =>
      mysql.createPool({ host: '127.0.0.1', port, user: 'root', database, timezone: 'Z', connectionLimit: 20 }),
    async version() {
      const conn = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
      const [rows] = await conn.query('SELECT VERSION() AS v');
      await conn.end();
      return /** @type {[{ v: string }]} */ (rows)[0].v;
    },
    async stop() {
      child.kill('SIGTERM');
      await waitExit(child, 30_000);
    },
  };
}

/**
 * redis-server on 127.0.0.1:<free port>: nothing on disk, no client limit below what we need.
 * @param {string} dir
 */
export async function startRedis(dir) {
  const server = which(['redis-server']);
  if (!server) throw new Error('redis-server is not installed (apt-get install -y redis-server)');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const child = spawn(
    server,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--maxclients',
      '4000',
      '--logfile',
      path.join(dir, 'redis.log'),
    ],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error('redis-server exited');
      const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => undefined);
      try {
        await r.connect();
        return (await r.ping()) === 'PONG';
      } finally {
        r.disconnect();
      }
    },
    { timeoutMs: 20_000, intervalMs: 100, what: `redis-server on port ${port}` },
  );
  return {
    port,
    pid: child.pid,
    url,
    /** @param {import('ioredis').RedisOptions} [options] */
    client: (options = {}) => new Redis(url, options),
    async version() {
      const r = new Redis(url);
      const info = await r.info('server');
      r.disconnect();
      return /redis_version:(\S+)/.exec(info)?.[1];
    },
    async stop() {
      child.kill('SIGTERM');
      await waitExit(child, 10_000);
    },
  };
}
