import type { Orm } from './orm';
import { createMysqlSqlRunner, type MysqlConnection } from './sql-runner.mysql';
import type { SqlRunner } from './sql-runner.port';
import { createSqliteSqlRunner, type SqliteDatabase } from './sql-runner.sqlite';
import { hasStatementPool } from './statement-pool';

type Callback = (err: Error | null, result?: unknown) => void;

/** A `mysql2` connection of the ORM's pool (its callback API). */
interface Mysql2Connection {
  execute(sql: string, values: unknown[], callback: Callback): unknown;
  query(sql: string, callback: Callback): unknown;
  destroy(): void;
}

const promised = (start: (callback: Callback) => unknown) =>
  new Promise<unknown>((resolve, reject) => void start((err, result) => (err ? reject(err) : resolve(result))));

/**
 * The SqlRunner over the ORM's primary, with its exception converter and its statement hook (orm.ts
 * counts statements there). MariaDB: the driver's statement pool (statement-pool.ts); MySQL: the
 * `mysql2` connections of the ORM's pool; SQLite: the ORM's connection.
 */
export function sqlRunnerFor(orm: Orm, options: { statementTimeoutMs?: number } = {}): SqlRunner {
  const driver = orm.em.getDriver();
  const pool = () => orm.em.getConnection('write').getKnex().client;
  const onQuery = orm.config.get('onQuery');
  const shared = {
    convertError: (err: Error) => driver.convertException(err),
    onStatement: () => void onQuery('', []),
    statementTimeoutMs: options.statementTimeoutMs,
  };
  if (hasStatementPool(driver)) {
    return createMysqlSqlRunner({
      ...shared,
      acquire: () => driver.statementPool().getConnection(),
      release: (connection) => connection.release(),
    });
  }
  if (orm.config.get('clientUrl')) {
    const wrapped = new WeakMap<MysqlConnection, Mysql2Connection>();
    return createMysqlSqlRunner({
      ...shared,
      async acquire() {
        const raw = (await pool().acquireConnection()) as Mysql2Connection;
        const connection: MysqlConnection = {
          execute: (sql, values) => promised((done) => raw.execute(sql, values, done)),
          query: (sql) => promised((done) => raw.query(sql, done)),
          destroy: () => raw.destroy(),
        };
        wrapped.set(connection, raw);
        return connection;
      },
      release: (connection) => pool().releaseConnection(wrapped.get(connection)),
    });
  }
  return createSqliteSqlRunner({
    ...shared,
    acquire: () => pool().acquireConnection() as Promise<SqliteDatabase>,
    release: (database) => pool().releaseConnection(database),
  });
}
