'use strict';
// MariaDB servers from their own data directories on their own ports, and a GTID primary/replica
// pair made of two of them. Used by `npm run topology` and by the topology tests.
const { spawnSync, execFileSync } = require('node:child_process');
const { chownSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } = require('node:fs');
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

/** The application's account on both servers (created on the primary, replicated to the replica). */
const APP_USER = { user: 'randchat', password: 'randchat' };
const REPL_USER = { user: 'repl', password: 'repl' };

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

/**
 * The columns of `SHOW REPLICA STATUS` read here.
 * @typedef {{ Slave_IO_Running: string, Slave_SQL_Running: string, Last_IO_Error: string, Last_SQL_Error: string }} ReplicaStatus
 */

/**
 * `SHOW REPLICA STATUS` of the default connection, or undefined when not configured.
 * @param {MariaDbServer} server
 * @returns {Promise<ReplicaStatus | undefined>}
 */
async function replicaStatus(server) {
  /** @type {ReplicaStatus[]} */
  const rows = await server.query('SHOW REPLICA STATUS');
  return rows[0];
}

/**
 * Makes `replica` replicate `primary` by GTID (CHANGE MASTER ... MASTER_USE_GTID=slave_pos) and
 * waits until both threads run. Creates the replication account and the application account
 * (`randchat`, without SUPER or READ ONLY ADMIN: the replica's read_only refuses its writes) on
 * the primary; both reach the replica through replication.
 * @param {MariaDbServer} primary
 * @param {MariaDbServer} replica
 */
async function configureReplication(primary, replica) {
  await primary.query(
    `CREATE USER IF NOT EXISTS '${REPL_USER.user}'@'127.0.0.1' IDENTIFIED BY '${REPL_USER.password}';
     GRANT REPLICATION SLAVE ON *.* TO '${REPL_USER.user}'@'127.0.0.1';
     CREATE USER IF NOT EXISTS '${APP_USER.user}'@'127.0.0.1' IDENTIFIED BY '${APP_USER.password}';
     GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER, REFERENCES, CREATE TEMPORARY TABLES,
           LOCK TABLES, CREATE VIEW, SHOW VIEW, REPLICA MONITOR ON *.* TO '${APP_USER.user}'@'127.0.0.1';`,
  );
  await replica.query(
    `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.port}, MASTER_USER='${REPL_USER.user}',
       MASTER_PASSWORD='${REPL_USER.password}', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1;
     START REPLICA;`,
  );
  await waitFor(
    async () => {
      const s = await replicaStatus(replica);
      if (s?.Slave_IO_Running === 'Yes' && s?.Slave_SQL_Running === 'Yes') return true;
      // Reported when the wait times out (e.g. a refused login), retried until then.
      throw new Error(s?.Last_IO_Error || s?.Last_SQL_Error || 'replication threads not running');
    },
    { timeoutMs: 20_000, message: 'replication threads to run' },
  );
  await waitForSync(primary, replica);
}

/**
 * Resolves once the replica has applied everything the primary had logged when called.
 * @param {MariaDbServer} primary
 * @param {MariaDbServer} replica
 */
async function waitForSync(primary, replica, timeoutSeconds = 20) {
  /** @type {[{ pos: string }]} */
  const [{ pos }] = await primary.query('SELECT @@gtid_binlog_pos AS pos');
  if (!pos) return;
  /** @type {[{ waited: number | string | null }]} */
  const [{ waited }] = await replica.query('SELECT MASTER_GTID_WAIT(?, ?) AS waited', [pos, timeoutSeconds]);
  if (Number(waited) !== 0) throw new Error(`replica did not reach GTID ${pos} within ${timeoutSeconds} s`);
}

/**
 * A primary on `ports.primary` and a GTID replica of it on `ports.replica`, data under `dir`
 * (`primary/`, `replica/`). `stop()` stops both and, with `{ remove: true }`, deletes `dir`.
 * @param {{ dir: string, ports: { primary: number, replica: number } }} options
 */
async function startReplicaPair({ dir, ports }) {
  /** @type {MariaDbServer[]} */
  const started = [];
  try {
    const [primary, replica] = /** @type {[MariaDbServer, MariaDbServer]} */ (
      await Promise.all(
        [
          { name: 'primary', port: ports.primary, serverId: 1 },
          { name: 'replica', port: ports.replica, serverId: 2, readOnly: true },
        ].map(async (opts) => {
          const server = await startMariaDb({ ...opts, dir: path.join(dir, opts.name) });
          started.push(server);
          return server;
        }),
      )
    );
    await configureReplication(primary, replica);
    /**
     * @param {MariaDbServer} server
     * @param {string} [database]
     */
    const appUrl = (server, database) =>
      `mariadb://${APP_USER.user}:${APP_USER.password}@127.0.0.1:${server.port}${database ? `/${database}` : ''}`;
    return {
      primary,
      replica,
      /** `mariadb://` URLs of the application account, for DATABASE_URL and DATABASE_REPLICA_URLS. */
      /** @param {string} [database] */
      urls: (database) => ({ primary: appUrl(primary, database), replica: appUrl(replica, database) }),
      status: () => replicaStatus(replica),
      /** @param {number} [timeoutSeconds] */
      waitForSync: (timeoutSeconds) => waitForSync(primary, replica, timeoutSeconds),
      async stop({ remove = false } = {}) {
        await Promise.all([replica.stop(), primary.stop()]);
        if (remove) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await Promise.all(started.map((s) => s.stop({ signal: 'SIGKILL' })));
    throw err;
  }
}

module.exports = {
  APP_USER,
  which,
  mariadbBinaries,
  prepareDataDir,
  serverArgs,
  startMariaDb,
  startReplicaPair,
  configureReplication,
  replicaStatus,
  waitForSync,
};
