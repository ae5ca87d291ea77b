import { StatementTimeoutError } from '../deadlines';
import type { SqlRow, SqlRunner, SqlRunResult, SqlSession, SqlValue } from './sql-runner.port';

/**
 * A connection with promise-returning statements: a `mariadb` PoolConnection as is, or a `mysql2`
 * connection of the ORM's pool wrapped (sql-runner.ts). `execute` prepares a statement once per
 * connection (both drivers cache it) and runs it with the binary protocol; with `mariadb`,
 * statements issued before an answer are sent at once (its `pipelining` option, on by default).
 */
export interface MysqlConnection {
  execute(sql: string, values: unknown[]): Promise<unknown>;
  query(sql: string): Promise<unknown>;
  /** Closes the socket at once; the pool then replaces the connection. */
  destroy(): void;
}

export interface MysqlSqlRunnerOptions<C extends MysqlConnection> {
  /** A connection to the primary. */
  acquire(): Promise<C>;
  release(connection: C): Promise<void> | void;
  /** The driver's error as the ORM reports it (its exception converter). */
  convertError(err: Error): Error;
  /** Called once per statement (never with its text). @default none */
  onStatement?: () => void;
  /**
   * A statement that has not answered after this long (ms) fails with StatementTimeoutError and its
   * connection is destroyed, so that a frozen or unreachable server cannot hold a request (and a
   * transaction left open there rolls back). 0: no deadline. @default 0
   */
  statementTimeoutMs?: number;
}

/** MariaDB or MySQL: prepared statements, pipelined when issued together. */
export function createMysqlSqlRunner<C extends MysqlConnection>(options: MysqlSqlRunnerOptions<C>): SqlRunner {
  const { convertError, onStatement } = options;
  const failed = (err: unknown): never => {
    throw convertError(typeof err === 'object' && err ? (err as Error) : new Error(String(err)));
  };

  const timeoutMs = options.statementTimeoutMs ?? 0;

  function open(connection: C) {
    const pending = new Set<Promise<unknown>>();
    let inTransaction = false;
    let destroyed = false;
    const track = <T>(statement: Promise<T>): Promise<T> => {
      pending.add(statement);
      const settled = () => void pending.delete(statement);
      statement.then(settled, settled);
      return statement;
    };
    /** The statement, or StatementTimeoutError once `timeoutMs` passed (the connection is then gone). */
    const bounded = <T>(statement: Promise<T>, commit: boolean): Promise<T> => {
      if (timeoutMs <= 0) return statement;
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          destroyed = true;
          connection.destroy();
          reject(new StatementTimeoutError(timeoutMs, commit));
        }, timeoutMs);
      });
      return Promise.race([statement, expired]).finally(() => clearTimeout(timer));
    };
    const execute = <T>(sql: string, params: readonly SqlValue[]) => {
      onStatement?.();
      return bounded(track(connection.execute(sql, [...params]).catch(failed) as Promise<T>), false);
    };
    const control = (sql: string, transaction: boolean) => {
      onStatement?.();
      return bounded(
        track(
          connection
            .query(sql)
            .catch(failed)
            .then(() => {
              inTransaction = transaction;
            }),
        ),
        sql === 'COMMIT',
      );
    };
    const db: SqlSession = {
      all: <T extends object = SqlRow>(sql: string, params: readonly SqlValue[] = []) => execute<T[]>(sql, params),
      run: (sql, params = []) =>
        execute<{ affectedRows: number; insertId: number | bigint }>(sql, params).then((ok): SqlRunResult => ({
          affectedRows: Number(ok.affectedRows),
          insertId: Number(ok.insertId),
        })),
      begin: () => control('START TRANSACTION', true),
      commit: () => control('COMMIT', false),
      rollback: () => control('ROLLBACK', false),
    };
    /**
     * Waits for what `work` left running and rolls back what it left open. A connection that could
     * not be rolled back is destroyed: it must never reach the next user with a transaction open.
     */
    const close = async () => {
      // A destroyed connection's statements end with it; nothing is left to wait for or roll back.
      while (pending.size > 0 && !destroyed) await Promise.allSettled([...pending]);
      if (!inTransaction || destroyed) return;
      await db.rollback().catch((err: unknown) => {
        connection.destroy();
        throw err;
      });
    };
    return { db, close };
  }

  const runner: SqlRunner = {
    dialect: 'mysql',
    async session(work) {
      const connection = await options.acquire();
      const { db, close } = open(connection);
      try {
        const result = await work(db).catch(async (err: unknown) => {
          // The work's own error is the one to report, whatever the clean-up meets.
          await close().catch(() => undefined);
          throw err;
        });
        await close();
        return result;
      } finally {
        await options.release(connection);
      }
    },
    all: (sql, params) => runner.session((db) => db.all(sql, params)),
    async dispose() {},
  };
  return runner;
}
