import type { SqlRow, SqlRunner, SqlRunResult, SqlSession, SqlValue } from './sql-runner.port';

/** What the adapter uses of a better-sqlite3 statement. */
export interface SqliteStatement {
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}

/** What the adapter uses of a better-sqlite3 `Database`, as the ORM's pool holds it. */
export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
}

export interface SqliteSqlRunnerOptions {
  /** The ORM's connection (its pool holds one: a session waits while an ORM transaction runs). */
  acquire(): Promise<SqliteDatabase>;
  release(database: SqliteDatabase): Promise<void> | void;
  /** The driver's error as the ORM reports it (its exception converter). */
  convertError(err: Error): Error;
  /** Called once per statement (never with its text). @default none */
  onStatement?: () => void;
}

/** Binds values as the ORM does on SQLite: dates as epoch milliseconds, booleans as 1 or 0. */
const bind = (value: SqlValue) =>
  value instanceof Date ? value.getTime() : typeof value === 'boolean' ? Number(value) : value;

/**
 * SQLite through the ORM's connection: each statement prepared once per database and run
 * synchronously when issued, so statements of a session run in the order issued.
 */
export function createSqliteSqlRunner(options: SqliteSqlRunnerOptions): SqlRunner {
  const { convertError, onStatement } = options;
  let prepared = new WeakMap<SqliteDatabase, Map<string, SqliteStatement>>();

  const statement = (database: SqliteDatabase, sql: string) => {
    let cache = prepared.get(database);
    if (!cache) prepared.set(database, (cache = new Map()));
    let stmt = cache.get(sql);
    if (!stmt) cache.set(sql, (stmt = database.prepare(sql)));
    return stmt;
  };

  /** Runs now; the outcome as a promise, like the MySQL adapter's. */
  function attempt<T>(fn: () => T): Promise<T> {
    onStatement?.();
    try {
      return Promise.resolve(fn());
    } catch (err) {
      // Not `instanceof Error`: better-sqlite3's errors come from its native addon, whose realm may
      // not be this one (jest runs each test file in a context of its own).
      return Promise.reject(convertError(typeof err === 'object' && err ? (err as Error) : new Error(String(err))));
    }
  }

  async function session<T>(work: (db: SqlSession) => Promise<T>): Promise<T> {
    const database = await options.acquire();
    let inTransaction = false;
    const control = (sql: string, transaction: boolean) =>
      attempt(() => {
        statement(database, sql).run();
        inTransaction = transaction;
      });
    const db: SqlSession = {
      all: <R extends object = SqlRow>(sql: string, params: readonly SqlValue[] = []) =>
        attempt(() => statement(database, sql).all(...params.map(bind)) as R[]),
      run: (sql, params = []) =>
        attempt((): SqlRunResult => {
          const { changes, lastInsertRowid } = statement(database, sql).run(...params.map(bind));
          return { affectedRows: changes, insertId: Number(lastInsertRowid) };
        }),
      begin: () => control('BEGIN IMMEDIATE', true),
      commit: () => control('COMMIT', false),
      rollback: () => control('ROLLBACK', false),
    };
    try {
      return await work(db);
    } finally {
      try {
        if (inTransaction) await db.rollback().catch(() => undefined);
      } finally {
        await options.release(database);
      }
    }
  }

  const runner: SqlRunner = {
    dialect: 'sqlite',
    session,
    all: (sql, params) => session((db) => db.all(sql, params)),
    async dispose() {
      prepared = new WeakMap();
    },
  };
  return runner;
}
