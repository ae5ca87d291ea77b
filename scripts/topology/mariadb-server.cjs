'use strict';
// One MariaDB server from its own data directory on its own port: finding the binaries, initialising
// the data directory, the base options, and starting mariadbd. Used by mariadb.cjs (the GTID pair)
// and by the bench's own server (bench/lib/services.mjs).
const { spawnSync, execFileSync } = require('node:child_process');
const { chownSync, existsSync, mkdirSync, readdirSync, statSync } = require('node:fs');
const path = require('node:path');
const { createConnection } = require('mysql2/promise');
const { fatal, isRunning, spawnDaemon, stopPid, tail, waitFor } = require('./process.cjs');

/**
 * One mariadbd of its own (startMariaDb).
 * @typedef {object} MariaDbServer
 * @property {string} name
 * @property {number} port
 * @property {number} pid
 * @property {string} dir
 * @property {string} url `mysql://root@127.0.0.1:<port>`
 * @property {<T = unknown>(sql: string, params?: unknown[]) => Promise<T>} query runs statements as
 *   root (one connection per call; `multipleStatements` on); resolves with what mysql2 returns as
 *   rows, whose shape the caller states as `T` (it depends on the SQL)
 * @property {(options?: { signal?: NodeJS.Signals, graceMs?: number }) => Promise<void>} stop SIGTERM
 *   (a clean InnoDB shutdown), SIGKILL after `graceMs` milliseconds
 * @property {() => boolean} isRunning
 */

/**
 * The first of `names` found in one of `dirs`, as a path; undefined when none is.
 * @param {readonly string[]} names
 * @param {readonly string[]} [dirs]
 */
function which(names, dirs = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin']) {
  for (const name of names) {
    for (const dir of dirs) if (existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

/** The server and bootstrap binaries (MARIADBD / MARIADB_INSTALL_DB override); undefined when absent. */
function mariadbBinaries() {
  const server = process.env.MARIADBD ?? which(['mariadbd', 'mysqld']);
  const installDb = process.env.MARIADB_INSTALL_DB ?? which(['mariadb-install-db', 'mysql_install_db']);
  return server && installDb ? { server, installDb } : undefined;
}

const isRoot = () => process.getuid?.() === 0;

/**
 * As root, mariadbd runs as `mysql`, which must own its directory.
 * @param {string} dir
 */
function chownTree(dir) {
  if (!isRoot()) return;
  const uid = Number(execFileSync('id', ['-u', 'mysql']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'mysql']).toString().trim());
  /** @param {string} p */
  const walk = (p) => {
    chownSync(p, uid, gid);
    if (statSync(p).isDirectory()) for (const entry of readdirSync(p)) walk(path.join(p, entry));
  };
  walk(dir);
}

/**
 * `dir`/data initialised (first use only) with `installDb` and owned by the server's user, with
 * `dir`/tmp beside it.
 * @param {string} dir
 * @param {string} installDb the mariadb-install-db binary
 * @param {{ timeoutMs?: number }} [options]
 */
function prepareDataDir(dir, installDb, { timeoutMs = 120_000 } = {}) {
  const dataDir = path.join(dir, 'data');
  mkdirSync(path.join(dir, 'tmp'), { recursive: true });
  if (!existsSync(path.join(dataDir, 'mysql'))) {
    chownTree(dir);
    const install = spawnSync(
      installDb,
      [
        '--no-defaults',
        `--datadir=${dataDir}`,
        ...(isRoot() ? ['--user=mysql'] : []),
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
      ],
      { encoding: 'utf8', timeout: timeoutMs },
    );
    if (install.status !== 0) throw new Error(`${installDb} failed: ${install.stderr || install.stdout}`);
  }
  chownTree(dir);
}

/**
 * mariadbd's options for a server of `dir` (prepareDataDir) on 127.0.0.1:`port`, before its tuning.
 * @param {string} dir
 * @param {number} port
 */
function serverArgs(dir, port) {
  return [
    '--no-defaults',
    ...(isRoot() ? ['--user=mysql'] : []),
    `--datadir=${path.join(dir, 'data')}`,
    `--tmpdir=${path.join(dir, 'tmp')}`,
    `--socket=${path.join(dir, 'mysqld.sock')}`,
    `--pid-file=${path.join(dir, 'mysqld.pid')}`,
    `--log-error=${path.join(dir, 'error.log')}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    '--skip-name-resolve',
  ];
}

/**
 * Initialises a data directory under `dir` (first start only) and starts mariadbd on
 * 127.0.0.1:`port` with binary logging and GTIDs (every server can be a primary). Settings favour
 * speed over durability (no fsync per commit): this is for development and tests.
 * Resolves once root can run a statement over TCP (root@127.0.0.1 has no password).
 * @param {{ dir: string, port: number, serverId: number, name?: string, readOnly?: boolean }} options
 * @returns {Promise<MariaDbServer>}
 */
async function startMariaDb({ dir, port, serverId, name = 'mariadb', readOnly = false }) {
  const bins = mariadbBinaries();
  if (!bins) throw new Error('mariadbd / mariadb-install-db not found (apt-get install -y mariadb-server)');
  prepareDataDir(dir, bins.installDb, { timeoutMs: 60_000 });
  const log = path.join(dir, 'mariadbd.log');
  const args = [
    ...serverArgs(dir, port),
    `--server-id=${serverId}`,
    `--log-basename=${name}`,
    '--log-bin',
    '--binlog-format=ROW',
    '--gtid-strict-mode=1',
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_general_ci',
    '--innodb-buffer-pool-size=64M',
    '--innodb-flush-log-at-trx-commit=2',
    '--sync-binlog=0',
    '--max-connections=300',
    ...(readOnly ? ['--read-only=1'] : []),
  ];
  const daemon = spawnDaemon(bins.server, args, { logFile: log });
  /** @type {MariaDbServer} */
  const server = {
    name,
    port,
    pid: daemon.pid,
    dir,
    url: `mysql://root@127.0.0.1:${port}`,
    async query(sql, params) {
      const conn = await createConnection({
        host: '127.0.0.1',
        port,
        user: 'root',
        multipleStatements: true,
        connectTimeout: 3000,
      });
      try {
        const [rows] = await conn.query(sql, params);
        // The rows' shape depends on the SQL: the caller names it (MariaDbServer.query's T).
        return /** @type {any} */ (rows);
      } finally {
        await conn.end().catch(() => undefined);
      }
    },
    async stop({ signal = 'SIGTERM', graceMs = 20_000 } = {}) {
      await stopPid(daemon.pid, { signal, graceMs, expect: 'mariadbd' });
    },
    isRunning: () => isRunning(daemon.pid),
  };
  try {
    await waitFor(
      async () => {
        if (daemon.exitCode !== undefined)
          throw fatal(`mariadbd ${name} exited (${daemon.exitCode}): ${tail(path.join(dir, 'error.log'))}`);
        await server.query('SELECT 1');
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 200, message: `mariadbd ${name} on port ${port}` },
    );
  } catch (err) {
    await server.stop({ signal: 'SIGKILL' });
    throw err;
  }
  return server;
}

module.exports = { which, mariadbBinaries, prepareDataDir, serverArgs, startMariaDb };
