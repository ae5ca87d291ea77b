import type { Configuration } from '@mikro-orm/core';
import type { AbstractSqlDriver } from '@mikro-orm/knex';
import { createPool, type Pool } from 'mariadb';

/** What a statement-pool driver adds to MikroORM's MariaDB driver. */
export interface StatementPooling {
  /**
   * A `mariadb` pool (the connector's promise API) to the primary, with the ORM's connection options
   * (credentials, UTC dates, dates as strings...) and as many connections at most as the ORM's pool.
   * Opened on first use; closed when the ORM closes.
   */
  statementPool(): Pool;
}

type DriverClass = new (config: Configuration) => AbstractSqlDriver;

export function hasStatementPool(driver: object): driver is AbstractSqlDriver & StatementPooling {
  return typeof (driver as Partial<StatementPooling>).statementPool === 'function';
}

/**
 * MikroORM's MariaDB driver with a second pool beside its own, for hand-written hot statements
 * (sql-runner.ts): the ORM's connections come from the connector's callback API, which copies
 * every connection option into each statement it runs (~40 µs per statement on the 2-core bench
 * machine, most of the connector's CPU on the send path); the promise API does not. A subclass,
 * passed to MikroORM through its documented `driver` option (orm.ts), like read routing.
 */
export function withStatementPool(Driver: DriverClass): DriverClass {
  return class StatementPoolDriver extends Driver implements StatementPooling {
    #pool: Pool | undefined;

    statementPool(): Pool {
      if (this.#pool) return this.#pool;
      const { password, ...options } = this.connection.getConnectionOptions();
      // The configuration gives passwords in DATABASE_URL: never MikroORM's password callbacks.
      if (typeof password === 'function') throw new Error('the statement pool needs a password string');
      this.#pool = createPool({
        ...options,
        password,
        connectionLimit: this.config.get('pool')?.max ?? 10,
        // The ORM's deadlines (orm.ts): waiting for a connection, and opening one.
        acquireTimeout: this.config.get('pool')?.acquireTimeoutMillis ?? 10_000,
        connectTimeout: (this.config.get('driverOptions') as { connection?: { connectTimeout?: number } })?.connection
          ?.connectTimeout,
        // Connections beyond one open on demand and close after the connector's idle timeout.
        // (0 is no option: mariadb 3.4 then never opens a connection at all.)
        minimumIdle: 1,
      });
      return this.#pool;
    }

    override async close(force?: boolean): Promise<void> {
      const pool = this.#pool;
      this.#pool = undefined;
      await pool?.end();
      await super.close(force);
    }
  };
}
