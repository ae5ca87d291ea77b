import { randomInt } from 'node:crypto';
import type { Orm } from './orm';
import { routesReads, type ReadRouter, type ReplicaConnection } from './read-routing';

export interface ReplicaRouterOptions {
  /** Milliseconds between two health checks of each replica. @default 1000 */
  intervalMs: number;
  /**
   * A health check slower than this (ms) fails. A read slower than this triggers a check, and moves
   * to the primary only when the check fails too (a busy replica finishes its read). @default 2000
   */
  timeoutMs: number;
  /**
   * A replica further behind its primary than this (ms, `Seconds_Behind_Master`), or not
   * replicating at all, gets no reads until it catches up; 0 turns the lag check off. The check
   * needs the REPLICA MONITOR (MySQL: REPLICATION CLIENT) privilege; without it only reachability
   * is checked. @default 10000
   */
  maxLagMs: number;
  /** Told about every change of a replica's health (for logs and metrics). */
  onChange?: (health: ReplicaHealth) => void;
  /** Told when a read failed on a replica and was run again on the primary. */
  onFailover?: (replica: string, reason: string) => void;
}

export interface ReplicaHealth {
  name: string;
  /** Whether reads go to it. */
  healthy: boolean;
  /** Why not, e.g. `unreachable: connect ECONNREFUSED`, `not replicating`, `12 s behind`. */
  reason: string | null;
  /** Seconds behind the primary at the last check; null when unknown or not checked. */
  lagSeconds: number | null;
}

interface Replica extends ReplicaHealth {
  connection: ReplicaConnection;
  /** False once the server refused SHOW REPLICA STATUS (missing privilege). */
  lagVisible: boolean;
  checking?: Promise<boolean>;
}

export interface ReplicaRouter {
  /** Checks every replica once (reads go to the primary until a replica passes), then every intervalMs. */
  start(): Promise<void>;
  /** Stops the checks; call before closing the ORM. */
  stop(): void;
  health(): ReplicaHealth[];
}

const SLOW = Symbol('slow');

/** Client-side codes of a connection that failed or was lost (mysql2, the mariadb connector, knex). */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'ER_SOCKET_UNEXPECTED_CLOSE',
  'ER_CONNECTION_TIMEOUT',
  'ER_GET_CONNECTION_TIMEOUT',
]);
/** Server errors that say "not this server, not now": too many connections, access or database refused, shutting down, killed. */
const CONNECTION_ERRNOS = new Set([1040, 1044, 1045, 1049, 1053, 1927, 2002, 2003, 2006, 2013]);
/** The replica has not replicated a migration yet (no such table / column): the primary has it. */
const SCHEMA_BEHIND_ERRNOS = new Set([1054, 1146]);

type DriverError = {
  code?: string;
  errno?: number;
  fatal?: boolean;
  sqlState?: string;
  name?: string;
  cause?: unknown;
};

function classify(err: unknown): 'connection' | 'schema' | null {
  for (
    let e = err as DriverError | undefined, depth = 0;
    e && depth < 3;
    e = e.cause as DriverError | undefined, depth++
  ) {
    if (e.fatal === true || e.name === 'KnexTimeoutError' || e.sqlState?.startsWith('08')) return 'connection';
    if ((e.code && CONNECTION_CODES.has(e.code)) || (e.errno && CONNECTION_ERRNOS.has(e.errno))) return 'connection';
    if (e.errno && SCHEMA_BEHIND_ERRNOS.has(e.errno)) return 'schema';
  }
  return null;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 200);

/**
 * Keeps reads off read replicas that are down or behind, for MikroORM's `replicas`.
 *
 * MikroORM alone sends every read outside a transaction to a random replica and never looks back:
 * a stopped replica fails those reads (ECONNREFUSED), a frozen one hangs them with no timeout,
 * and one that stopped applying the binlog answers them with old data. The router decides, through
 * the driver that createOrm installs (read-routing.ts), where each read goes and what happens when it
 * fails:
 * - reads go to a random replica that passed its last check, to the primary when none did;
 * - a read that fails on a replica because of the connection (or because the replica lacks a
 *   migrated table or column) marks that replica down and runs again on the primary, so callers
 *   never see a replica's failure;
 * - a read slower than `timeoutMs` triggers a check; only when the check fails is the read
 *   abandoned and run on the primary;
 * - every `intervalMs` each replica is checked (SELECT 1, and SHOW REPLICA STATUS unless the lag
 *   check is off) and put back into rotation once it answers and is within `maxLagMs`.
 * Writes, transactions and reads that ask for `connectionType: 'write'` are untouched.
 */
export function createReplicaRouter(orm: Orm, options: ReplicaRouterOptions): ReplicaRouter {
  const driver = orm.em.getDriver();
  if (!routesReads(driver)) throw new Error('the ORM must come from createOrm (its driver routes reads)');
  const primary = driver.getConnection('write');
  const replicas: Replica[] = driver.replicaConnections.map((connection, i) => ({
    name: `replica-${i + 1}`,
    connection,
    healthy: false,
    reason: 'not checked yet',
    lagSeconds: null,
    lagVisible: true,
  }));
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const setHealth = (replica: Replica, healthy: boolean, reason: string | null, lagSeconds: number | null) => {
    const changed = replica.healthy !== healthy || replica.reason !== reason;
    Object.assign(replica, { healthy, reason, lagSeconds });
    if (changed) options.onChange?.({ name: replica.name, healthy, reason, lagSeconds });
  };

  const withTimeout = async <T>(work: Promise<T>): Promise<T | typeof SLOW> => {
    let t: NodeJS.Timeout | undefined;
    const slow = new Promise<typeof SLOW>((resolve) => (t = setTimeout(() => resolve(SLOW), options.timeoutMs)));
    try {
      return await Promise.race([work, slow]);
    } finally {
      clearTimeout(t);
    }
  };

  /** One health check; concurrent callers share it, so a frozen replica holds one check at most. */
  const check = (replica: Replica): Promise<boolean> => {
    replica.checking ??= (async () => {
      const quiet = { enabled: false };
      try {
        const ran = await withTimeout(
          (async () => {
            await replica.connection.executeHere('select 1', [], 'all', undefined, quiet);
            if (options.maxLagMs === 0 || !replica.lagVisible) return { lag: null, replicating: true };
            try {
              const [status] = await replica.connection.executeHere<Record<string, unknown>[]>(
                'show replica status',
                [],
                'all',
                undefined,
                quiet,
              );
              if (!status) return { lag: null, replicating: true }; // not a replica as far as it knows (e.g. a managed read endpoint)
              const io = status.Slave_IO_Running ?? status.Replica_IO_Running;
              const sql = status.Slave_SQL_Running ?? status.Replica_SQL_Running;
              const behind = status.Seconds_Behind_Master ?? status.Seconds_Behind_Source;
              const replicating = io === 'Yes' && sql === 'Yes' && behind !== null && behind !== undefined;
              return { lag: replicating ? Number(behind) : null, replicating };
            } catch (err) {
              if ((err as DriverError).errno !== 1227) throw err;
              replica.lagVisible = false; // no REPLICA MONITOR privilege: reachability only, from now on
              return { lag: null, replicating: true };
            }
          })(),
        );
        if (ran === SLOW) {
          setHealth(replica, false, `unreachable: no answer within ${options.timeoutMs} ms`, null);
        } else if (!ran.replicating) {
          setHealth(replica, false, 'not replicating', null);
        } else if (ran.lag !== null && ran.lag * 1000 > options.maxLagMs) {
          setHealth(replica, false, `${ran.lag} s behind`, ran.lag);
        } else {
          setHealth(replica, true, replica.lagVisible ? null : 'lag unknown (no REPLICA MONITOR privilege)', ran.lag);
        }
      } catch (err) {
        setHealth(replica, false, `unreachable: ${messageOf(err)}`, null);
      }
      return replica.healthy;
    })().finally(() => (replica.checking = undefined));
    return replica.checking;
  };

  const byConnection = new Map(replicas.map((replica) => [replica.connection, replica]));
  const router: ReadRouter = {
    choose() {
      const healthy = replicas.filter((r) => r.healthy);
      return healthy.length > 0 ? healthy[randomInt(healthy.length)]!.connection : primary;
    },
    async execute(connection, here, args) {
      const replica = byConnection.get(connection)!;
      const read = here();
      let reason: string;
      try {
        const first = await withTimeout(read);
        if (first !== SLOW) return first;
        if (await check(replica)) return await read;
        read.catch(() => undefined); // abandoned on a replica that stopped answering
        reason = 'timeout';
      } catch (err) {
        const kind = classify(err);
        if (!kind) throw err;
        if (kind === 'connection') setHealth(replica, false, `unreachable: ${messageOf(err)}`, null);
        reason = kind;
      }
      options.onFailover?.(replica.name, reason);
      return primary.execute(...args);
    },
  };
  driver.routeReads(router);

  const loop = async () => {
    await Promise.all(replicas.map(check));
    if (!stopped) timer = setTimeout(() => void loop(), options.intervalMs).unref();
  };

  return {
    async start() {
      if (replicas.length > 0) await loop();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    health: () => replicas.map(({ name, healthy, reason, lagSeconds }) => ({ name, healthy, reason, lagSeconds })),
  };
}
