/**
 * Hand-written statements on the primary, below the ORM: for hot paths whose few statements cost
 * less than the ORM's layers around them (query building, result mapping, its transaction
 * bookkeeping). The connections are the ORM's own (same pool, same options), so a statement here
 * sees what the ORM committed and the reverse. MySQL/MariaDB statements are prepared once per
 * connection and executed with the binary protocol; SQLite statements are prepared once and run
 * synchronously.
 */
export interface SqlRunner {
  /**
   * Which SQL the database speaks. `mysql`: MariaDB or MySQL (`LAST_INSERT_ID(expr)` reports a
   * value in `insertId`); `sqlite`: SQLite (`RETURNING` reads a value back from a write).
   */
  readonly dialect: 'mysql' | 'sqlite';

  /**
   * Holds one connection of the primary's pool for `work`, then returns it to the pool. When `work`
   * settles, the adapter waits for every statement `work` issued, rolls back a transaction `work`
   * began and did not end, and releases the connection; it resolves or rejects as `work` did.
   */
  session<T>(work: (db: SqlSession) => Promise<T>): Promise<T>;

  /** One read in a session of its own. */
  all<T extends object = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;

  /** Forgets cached statements. The connections belong to the ORM: close the ORM to close them. */
  dispose(): Promise<void>;
}

/**
 * One connection. Statements run in the order they were issued, each after the previous one ended.
 * A statement may be issued before the previous one answered (MySQL then sends it at once, without
 * a round trip of its own: pipelining); it runs even when an earlier one failed, so issue one ahead
 * of an answer only where it is harmless if that answer turns out to be an error, or if the
 * transaction was rolled back under it (a deadlock victim continues in autocommit).
 *
 * Failures reject with the ORM's exception classes (`UniqueConstraintViolationException`,
 * `DeadlockException`... from `@mikro-orm/core`), as the ORM's own statements do.
 */
export interface SqlSession {
  /** A read, or a write with `RETURNING` (SQLite): its rows, column names as selected. */
  all<T extends object = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** A write. */
  run(sql: string, params?: readonly SqlValue[]): Promise<SqlRunResult>;
  /** Starts a transaction (SQLite: `BEGIN IMMEDIATE`, taking the write lock at once). */
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/**
 * A value for a `?` placeholder, bound as the ORM binds it on that database: a Date is a DATETIME
 * (MySQL: in UTC, as the ORM's connections are configured; SQLite: epoch milliseconds, as the ORM
 * stores dates there), a boolean 1 or 0.
 */
export type SqlValue = string | number | boolean | Date | null;

/** A row as the driver returns it; `sql-values.ts` converts its columns like the ORM would. */
export type SqlRow = Record<string, unknown>;

export interface SqlRunResult {
  /** Rows the statement matched (both drivers report found rows, not only changed ones). */
  affectedRows: number;
  /**
   * MySQL: `LAST_INSERT_ID()` after the statement (an AUTO_INCREMENT value, or the value of
   * `LAST_INSERT_ID(expr)` in an UPDATE); SQLite: the last inserted rowid.
   */
  insertId: number;
}
