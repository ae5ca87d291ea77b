import type { AnyEntity, Configuration, ConnectionType, EntityData, QueryResult } from '@mikro-orm/core';
import type { AbstractSqlConnection, AbstractSqlDriver, MySqlConnection } from '@mikro-orm/knex';

/** The arguments of a connection's `execute` (SQL or a knex query, params, method, transaction, logging). */
export type ExecuteArgs = Parameters<AbstractSqlConnection['execute']>;
/** What a connection's `execute` may resolve to. */
type Rows = QueryResult | EntityData<AnyEntity> | EntityData<AnyEntity>[];

/** A connection of MikroORM's `replicas` option, made by a read-routing driver. */
export interface ReplicaConnection extends AbstractSqlConnection {
  /** Runs a statement on this replica whatever the router would do with it (health checks). */
  executeHere<T extends Rows = EntityData<AnyEntity>[]>(...args: ExecuteArgs): Promise<T>;
}

/** Decides where reads outside transactions go (replica-router.ts is the one in use). */
export interface ReadRouter {
  /** The connection for the next read: one of the replicas, or the primary. */
  choose(): AbstractSqlConnection;
  /** Runs a statement sent to `replica`: `here` runs it there; it may run again elsewhere. */
  execute<T extends Rows>(replica: ReplicaConnection, here: () => Promise<T>, args: ExecuteArgs): Promise<T>;
}

/** What a read-routing driver adds to MikroORM's SQL driver. */
export interface ReadRouting {
  /** The connections of the `replicas` option, in its order. */
  readonly replicaConnections: readonly ReplicaConnection[];
  /** Sends every read through `router` from now on. Until then reads go where MikroORM sends them. */
  routeReads(router: ReadRouter): void;
}

type DriverClass = new (config: Configuration) => AbstractSqlDriver;
/** MySqlConnection, or MariaDbConnection (its subclass). */
type ConnectionClass = typeof MySqlConnection;

/**
 * MikroORM's MySQL or MariaDB driver, with its choice of read connection and its replicas' `execute`
 * open to a {@link ReadRouter}: a subclass, passed to MikroORM through its documented `driver`
 * option (orm.ts). It relies on these points of MikroORM 6, each guarded by read-routing.mysql.test.ts:
 * - reads outside a transaction (and those asking for `connectionType: 'read'`) take their
 *   connection from the driver's public `getConnection('read')`; writes, transactions and
 *   `connectionType: 'write'` ask for `'write'`;
 * - every statement runs through its connection's public `execute`;
 * - the driver makes the connections of the `replicas` option with its protected `createReplicas`,
 *   so they can be a subclass of the driver's own connection class.
 * Raw knex queries from `em.getKnex('read')` bypass `execute` (nothing here uses them).
 */
export function withReadRouting(Driver: DriverClass, Connection: ConnectionClass): DriverClass {
  class Replica extends Connection implements ReplicaConnection {
    router?: ReadRouter;

    override execute<T extends Rows = EntityData<AnyEntity>[]>(...args: ExecuteArgs): Promise<T> {
      if (!this.router) return super.execute<T>(...args);
      return this.router.execute(this, () => super.execute<T>(...args), args);
    }

    executeHere<T extends Rows = EntityData<AnyEntity>[]>(...args: ExecuteArgs): Promise<T> {
      return super.execute<T>(...args);
    }
  }

  return class ReadRoutingDriver extends Driver implements ReadRouting {
    private router?: ReadRouter;

    get replicaConnections(): readonly Replica[] {
      return this.replicas as Replica[];
    }

    routeReads(router: ReadRouter): void {
      this.router = router;
      for (const replica of this.replicaConnections) replica.router = router;
    }

    override getConnection(type: ConnectionType = 'write'): AbstractSqlConnection {
      return type === 'read' && this.router ? this.router.choose() : super.getConnection(type);
    }

    protected override createReplicas(): Replica[] {
      return super.createReplicas((options) => new Replica(this.config, options, 'read')) as Replica[];
    }
  };
}

/** Whether `driver` was made by {@link withReadRouting}. */
export function routesReads(driver: AbstractSqlDriver): driver is AbstractSqlDriver & ReadRouting {
  return typeof (driver as Partial<ReadRouting>).routeReads === 'function';
}
