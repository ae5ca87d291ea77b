import type { SqlRow, SqlRunner, SqlRunResult, SqlSession, SqlValue } from './sql-runner.port';

type Callback = (err: Error | null, result?: unknown) => void;

/**
 * A connection of the callback APIs of `mariadb` (`mariadb/callback`) and `mysql2`, as the ORM's
 * pool holds them. `execute` prepares a statement once per connection (both drivers cache it) and
 * runs it with the binary protocol; with `mariadb`, statements issued before an answer are sent at
 * once (its `pipelining` option, on by default).
 */
export interface MysqlConnection {
  execute(sql: string, values: unknown[], callback: Callback): unknown;
  query(sql: string, values: unknown[], callback: Callback): unknown;
  /** Closes the socket at once; the pool's validation then replaces the connection. */
  destroy(): void;
}

export interface MysqlSqlRunnerOptions {
  /** A connection of the primary's pool. */
  acquire(): Promise<MysqlConnection>;
  release(connection: MysqlConnection): Promise<void> | void;
  /** The driver's error as the ORM reports it (its exception converter). */
  convertError(err: Error): Error;
  /** Called once per statement (never with its text). @default none */
  onStatement?: () => void;
}

/** MariaDB or MySQL through the ORM's pool: prepared statements, pipelined when issued together. */
export function createMysqlSqlRunner(options: MysqlSqlRunnerOptions): SqlRunner {
  const { convertError, onStatement } = options;

  const call = <T>(connection: MysqlConnection, method: 'execute' | 'query', sql: string, params: unknown[]) =>
    new Promise<T>((resolve, reject) => {
      onStatement?.();
      connection[method](sql, params, (err, result) => (err ? reject(convertError(err)) : resolve(result as T)));
    });

  function open(connection: MysqlConnection) {
    const pending = new Set<Promise<unknown>>();
    let inTransaction = false;
    const track = <T>(statement: Promise<T>): Promise<T> => {
      pending.add(statement);
      const settled = () => void pending.delete(statement);
      statement.then(settled, settled);
      return statement;
    };
    const control = (sql: string, transaction: boolean) =>
      track(
        call<unknown>(connection, 'query', sql, []).then(() => {
          inTransaction = transaction;
        }),
      );
    const db: SqlSession = {
      all: <T extends object = SqlRow>(sql: string, params: readonly SqlValue[] = []) =>
        track(call<T[]>(connection, 'execute', sql, [...params])),
      run: (sql, params = []) =>
        track(call<{ affectedRows: number; insertId: number | bigint }>(connection, 'execute', sql, [...params])).then(
          (ok): SqlRunResult => ({ affectedRows: Number(ok.affectedRows), insertId: Number(ok.insertId) }),
        ),
      begin: () => control('START TRANSACTION', true),
      commit: () => control('COMMIT', false),
      rollback: () => control('ROLLBACK', false),
    };
    /**
     * Waits for what `work` left running and rolls back what it left open. A connection that could
     * not be rolled back is destroyed: it must never reach the next user with a transaction open.
     */
    const close = async () => {
      while (pending.size > 0) await Promise.allSettled([...pending]);
      if (!inTransaction) return;
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
