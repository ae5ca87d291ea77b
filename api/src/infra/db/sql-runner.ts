import type { Orm } from './orm';
import { createMysqlSqlRunner, type MysqlConnection } from './sql-runner.mysql';
import type { SqlRunner } from './sql-runner.port';
import { createSqliteSqlRunner, type SqliteDatabase } from './sql-runner.sqlite';

/**
 * The SqlRunner over the ORM's primary: connections from its pool (no second pool, nothing more to
 * open or close), its exception converter, and its statement hook (orm.ts counts statements there).
 */
export function sqlRunnerFor(orm: Orm): SqlRunner {
  const pool = () => orm.em.getConnection('write').getKnex().client;
  const driver = orm.em.getDriver();
  const onQuery = orm.config.get('onQuery');
  const shared = {
    release: (connection: unknown) => pool().releaseConnection(connection),
    convertError: (err: Error) => driver.convertException(err),
    onStatement: () => void onQuery('', []),
  };
  return orm.config.get('clientUrl')
    ? createMysqlSqlRunner({ ...shared, acquire: () => pool().acquireConnection() as Promise<MysqlConnection> })
    : createSqliteSqlRunner({ ...shared, acquire: () => pool().acquireConnection() as Promise<SqliteDatabase> });
}
