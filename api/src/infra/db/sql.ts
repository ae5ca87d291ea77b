import type { Orm, QueryListener } from './orm';

export type Row = Record<string, unknown>;

export interface RunResult {
  affectedRows: number;
  /** The AUTO_INCREMENT id (MariaDB/MySQL), or the value `LAST_INSERT_ID(expr)` set. */
  insertId: number;
}

/** Statements inside one transaction, on its connection. */
export interface SqlStatements {
  /** The rows of a query. */
  all<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** A statement that changes rows: how many it changed, and the insert id. */
  run(sql: string, params?: readonly unknown[]): Promise<RunResult>;
}

/**
 * Plain SQL on the primary for the hot paths, with no ORM in between: on MariaDB and MySQL the
 * driver's own pool runs each statement as a prepared statement (prepared once per connection,
 * then executed with the binary protocol); on SQLite, MikroORM's connection. Statements are written
 * to run on both (see infra/db/sql-values.ts for reading their values back).
 */
export interface Sql extends SqlStatements {
  /** Runs `fn` in one transaction on one connection: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlStatements) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A unique key refused the row (e.g. a retried send with the same clientMessageId). */
export class UniqueViolation extends Error {
  constructor(cause: unknown) {
    super('unique constraint violated', { cause });
  }
}

const isUniqueViolation = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
};

async function mapped<T>(statement: Promise<T>): Promise<T> {
  try {
    return await statement;
  } catch (err) {
    throw isUniqueViolation(err) ? new UniqueViolation(err) : err;
  }
}

/** Drivers take `null`, never `undefined`, for a missing value. */
const bound = (params: readonly unknown[] = []): unknown[] => params.map((p) => (p === undefined ? null : p));

interface Executor {
  execute(sql: string, params: unknown[]): Promise<unknown>;
}

interface PoolDriver extends Executor {
  getConnection(): Promise<
    Executor & {
      beginTransaction(): Promise<void>;
      commit(): Promise<void>;
      rollback(): Promise<void>;
      release(): void;
    }
  >;
  end(): Promise<void>;
}

/** MariaDB's connector and mysql2 answer a change with an OK packet, a query with rows. */
function statements(executor: Executor, onQuery: QueryListener): SqlStatements {
  return {
    async all<T extends Row>(sql: string, params?: readonly unknown[]) {
      onQuery();
      const result = await mapped(executor.execute(sql, bound(params)));
      // mysql2 answers [rows, fields]; MariaDB's connector the rows (with a `meta` property).
      return (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as T[];
    },
    async run(sql: string, params?: readonly unknown[]) {
      onQuery();
      const result = await mapped(executor.execute(sql, bound(params)));
      const ok = (Array.isArray(result) ? result[0] : result) as { affectedRows: number; insertId: number | bigint };
      return { affectedRows: Number(ok.affectedRows), insertId: Number(ok.insertId) };
    },
  };
}

function poolSql(pool: PoolDriver, onQuery: QueryListener): Sql {
  return {
    ...statements(pool, onQuery),
    async transaction(fn) {
      const connection = await pool.getConnection();
      try {
        await connection.beginTransaction();
        const result = await fn(statements(connection, onQuery));
        await connection.commit();
        return result;
      } catch (err) {
        await connection.rollback().catch(() => undefined);
        throw err;
      } finally {
        connection.release();
      }
    },
    close: () => pool.end(),
  };
}

/** DATETIME values come back as Dates (stored in UTC: the ORM runs with forceUtcTimezone), numbers as numbers. */
async function mariaDbSql(url: URL, poolMax: number, onQuery: QueryListener): Promise<Sql> {
  const mariadb = await import('mariadb');
  const pool = mariadb.createPool({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.slice(1)),
    connectionLimit: poolMax,
    // Grows on demand up to the limit (the connector never connects at all with 0).
    minimumIdle: 1,
    timezone: 'Z',
    bigIntAsNumber: true,
    insertIdAsNumber: true,
    decimalAsNumber: true,
    checkDuplicate: false,
  });
  return poolSql(pool as unknown as PoolDriver, onQuery);
}

async function mySqlSql(url: URL, poolMax: number, onQuery: QueryListener): Promise<Sql> {
  const mysql = await import('mysql2/promise');
  const pool = mysql.createPool({
    uri: url.toString(),
    connectionLimit: poolMax,
    timezone: 'Z',
    supportBigNumbers: true,
  });
  // Text protocol: MySQL 8 refuses mysql2's binary-protocol numbers in LIMIT ?.
  const driver: PoolDriver = {
    execute: (sql: string, params: unknown[]) => pool.query(sql, params),
    getConnection: async () => {
      const c = await pool.getConnection();
      return {
        execute: (sql: string, params: unknown[]) => c.query(sql, params),
        beginTransaction: () => c.beginTransaction(),
        commit: () => c.commit(),
        rollback: () => c.rollback(),
        release: () => c.release(),
      };
    },
    end: () => pool.end(),
  };
  return poolSql(driver, onQuery);
}

/** SQLite: MikroORM's connection (one file, one writer; the ORM counts its statements itself). */
function sqliteSql(orm: Orm): Sql {
  const connection = orm.em.getConnection();
  type Ctx = Parameters<typeof connection.execute>[3];
  const on = (ctx: Ctx): SqlStatements => ({
    all: <T extends Row>(sql: string, params?: readonly unknown[]) =>
      mapped(connection.execute<T[]>(sql, bound(params), 'all', ctx)),
    run: async (sql: string, params?: readonly unknown[]) => {
      const res = await mapped(
        connection.execute<{ affectedRows: number; insertId: number }>(sql, bound(params), 'run', ctx),
      );
      return { affectedRows: Number(res.affectedRows), insertId: Number(res.insertId) };
    },
  });
  return {
    ...on(undefined),
    transaction: (fn) => connection.transactional((trx) => fn(on(trx))),
    close: () => Promise.resolve(),
  };
}

/**
 * The SQL client of this instance: its own pool beside the ORM's on MariaDB/MySQL (same primary,
 * same size), the ORM's connection on SQLite. `onQuery` counts statements like the ORM's hook.
 */
export async function createSql(
  orm: Orm,
  databaseUrl: string | undefined,
  poolMax: number,
  onQuery: QueryListener,
): Promise<Sql> {
  if (!databaseUrl) return sqliteSql(orm);
  const url = new URL(databaseUrl);
  return url.protocol === 'mariadb:' ? mariaDbSql(url, poolMax, onQuery) : mySqlSql(url, poolMax, onQuery);
}
