'use strict';
// A GTID primary/replica pair of MariaDB servers (each one from mariadb-server.cjs). Used by
// `npm run topology` and by the topology tests.
const { rmSync } = require('node:fs');
const path = require('node:path');
const { mariadbBinaries, prepareDataDir, serverArgs, startMariaDb, which } = require('./mariadb-server.cjs');
const { waitFor } = require('./process.cjs');

/** @typedef {import('./mariadb-server.cjs').MariaDbServer} MariaDbServer */

/** The application's account on both servers (created on the primary, replicated to the replica). */
const APP_USER = { user: 'randchat', password: 'randchat' };
const REPL_USER = { user: 'repl', password: 'repl' };

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
