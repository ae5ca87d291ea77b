import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';
import type { AbstractSqlDriver, SqlEntityManager } from '@mikro-orm/knex';
import { Migrator } from '@mikro-orm/migrations';
import type { Config } from '../../config';
import type { Logger } from '../logger';
import { migrationsList } from './migrations';
import { withReadRouting } from './read-routing';
import { withStatementPool } from './statement-pool';

export type Orm = MikroORM<AbstractSqlDriver>;
export type Em = SqlEntityManager;

const MIGRATIONS_SRC = path.resolve(__dirname, '../../../src/infra/db/migrations');

/** Called once per SQL statement (never with its text: statements carry user data). */
export type QueryListener = () => void;

/** Entity classes, as MikroORM takes them (the composition root's registry supplies the list). */
export type EntityList = NonNullable<Options['entities']>;

function baseOptions(entities: EntityList, onQuery: QueryListener) {
  return {
    entities,
    forceUtcTimezone: true,
    allowGlobalContext: false,
    // Reads go to the primary unless a query asks for a replica (`connectionType: 'read'`): replica
    // reads are the marked exception, each where a lagging answer is detected and read again from
    // the primary (message history, uploads, older pages of the room list).
    preferReadReplicas: false,
    // Counts statements through the `onQuery` hook: turning on the query debug log instead would
    // format every statement with its parameters for a log line nobody reads.
    onQuery: (sql: string) => {
      onQuery();
      return sql;
    },
  } satisfies Partial<Options>;
}

/**
 * Connects the ORM: MySQL (+ read replicas) when a database URL is configured, else SQLite under
 * dataDir. A `mariadb://` URL selects MikroORM's MariaDB driver, which reads MariaDB's catalogue
 * correctly (the MySQL driver misreads nullable column defaults there and reports schema drift).
 * Either driver lets a replica router (replica-router.ts) decide where reads go; the MariaDB one
 * also keeps a pool for hand-written hot statements (statement-pool.ts, sql-runner.ts).
 */
export async function createOrm(
  config: Config,
  entities: EntityList,
  onQuery: QueryListener = () => undefined,
  { migrationSnapshot = false }: { migrationSnapshot?: boolean } = {},
): Promise<Orm> {
  if (config.database) {
    const driver = config.database.url.startsWith('mariadb:')
      ? await import('@mikro-orm/mariadb').then((m) =>
          withStatementPool(withReadRouting(m.MariaDbDriver, m.MariaDbConnection)),
        )
      : await import('@mikro-orm/mysql').then((m) => withReadRouting(m.MySqlDriver, m.MySqlConnection));
    return MikroORM.init({
      ...baseOptions(entities, onQuery),
      driver,
      clientUrl: config.database.url,
      replicas: config.database.replicaUrls.map((clientUrl, i) => ({ name: `replica-${i + 1}`, clientUrl })),
      // Deadlines: waiting for a pooled connection and opening one fail after DATABASE_TIMEOUT.
      pool: { min: 0, max: config.database.poolMax, acquireTimeoutMillis: config.deadlines.databaseMs },
      driverOptions: { connection: { connectTimeout: config.deadlines.databaseMs } },
      extensions: [Migrator],
      migrations: {
        migrationsList,
        path: MIGRATIONS_SRC,
        transactional: false,
        // Only `npm run migration:create` keeps the committed snapshot: MikroORM rewrites it after
        // every `up` that applied something, which at run time would write into the source tree.
        snapshot: migrationSnapshot,
        snapshotName: '.snapshot-randchat',
        emit: 'ts',
        silent: true,
      },
    });
  }
  mkdirSync(config.dataDir, { recursive: true });
  const { MikroORM: SqliteOrm } = await import('@mikro-orm/better-sqlite');
  return SqliteOrm.init({
    ...baseOptions(entities, onQuery),
    dbName: path.join(config.dataDir, 'randchat.sqlite'),
  }) as Promise<Orm>;
}

/**
 * Brings the schema up to date. MySQL: the versioned migrations, serialised across instances by a
 * named lock so that two instances starting together do not both migrate. SQLite: generated from
 * the entities (never dropping anything).
 */
export async function migrate(orm: Orm, logger: Logger): Promise<void> {
  if (orm.config.get('clientUrl')) {
    const conn = orm.em.getConnection();
    const knex = conn.getKnex();
    await knex.transaction(async (trx) => {
      const [rows] = await trx.raw("SELECT GET_LOCK('randchat_migrations', 60) AS got");
      if (rows[0]?.got !== 1) throw new Error('could not take the migration lock within 60 s');
      try {
        const applied = await orm.getMigrator().up();
        if (applied.length > 0) logger.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
      } finally {
        await trx.raw("SELECT RELEASE_LOCK('randchat_migrations')");
      }
    });
    return;
  }
  await orm.schema.updateSchema({ safe: true });
}
