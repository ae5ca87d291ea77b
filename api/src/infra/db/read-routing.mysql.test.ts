import { entities } from '../../registry';
import { randomBytes } from 'node:crypto';
import { EntitySchema, MikroORM } from '@mikro-orm/core';
import type { AbstractSqlConnection, AbstractSqlDriver } from '@mikro-orm/knex';
import { MariaDbConnection, MariaDbDriver } from '@mikro-orm/mariadb';
import { MySqlConnection, MySqlDriver } from '@mikro-orm/mysql';
import { createConnection, type Connection } from 'mysql2/promise';
import { mysqlTestUrl } from '../../../test/utils/backend';
import { TEST_ENV } from '../../../test/utils/test-server';
import { freePort } from '../../../test/utils/topology';
import { loadConfig } from '../../config';
import { createOrm } from './orm';
import { routesReads, withReadRouting, type ReadRouter, type ReplicaConnection } from './read-routing';
import { createReplicaRouter } from './replica-router';

// Guards the MikroORM extension points that read-routing.ts relies on (see its doc comment): each
// "replica" here is a database of its own on the test server, holding a row that names it, so a
// read's answer tells which connection ran it.

interface Probe {
  id: number;
  source: string;
}
const Probe = new EntitySchema<Probe>({
  name: 'Probe',
  tableName: 'probes',
  properties: { id: { type: 'number', primary: true, autoincrement: false }, source: { type: 'string' } },
});

const drivers = [
  { name: 'MariaDB', scheme: 'mariadb:', driver: withReadRouting(MariaDbDriver, MariaDbConnection) },
  { name: 'MySQL', scheme: 'mysql:', driver: withReadRouting(MySqlDriver, MySqlConnection) },
];

describe.each(drivers)("MikroORM's $name driver with read routing", ({ scheme, driver }) => {
  const base = `rct_${randomBytes(6).toString('hex')}`;
  /** The primary, two replicas with a row each, and one replica database without the table. */
  const databases = { primary: base, r1: `${base}_r1`, r2: `${base}_r2`, empty: `${base}_empty` };
  const url = (database: string) => `${mysqlTestUrl().replace(/^mysql:/, scheme)}/${database}`;
  let admin: Connection;
  const orms: MikroORM<AbstractSqlDriver>[] = [];

  async function init(replicas: string[]) {
    const orm = await MikroORM.init({
      driver,
      entities: [Probe],
      clientUrl: url(databases.primary),
      replicas: replicas.map((clientUrl, i) => ({ name: `replica-${i + 1}`, clientUrl })),
      pool: { min: 0, max: 2 },
      allowGlobalContext: false,
    });
    orms.push(orm);
    return orm;
  }
  const sources = (rows: Probe[]) => rows.map((r) => r.source);

  beforeAll(async () => {
    admin = await createConnection({ uri: mysqlTestUrl(), multipleStatements: true });
    for (const [name, database] of Object.entries(databases)) {
      await admin.query(`CREATE DATABASE \`${database}\``);
      if (name === 'empty') continue;
      await admin.query(`CREATE TABLE \`${database}\`.probes (id INT PRIMARY KEY, source VARCHAR(20) NOT NULL)`);
      await admin.query(`INSERT INTO \`${database}\`.probes VALUES (1, ?)`, [name]);
    }
  });

  afterAll(async () => {
    await Promise.all(orms.map((orm) => orm.close()));
    for (const database of Object.values(databases)) await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.end();
  });

  describe('under a router', () => {
    let orm: MikroORM<AbstractSqlDriver>;
    let replicas: readonly ReplicaConnection[];
    let primary: AbstractSqlConnection;
    let chosen: AbstractSqlConnection;
    /** Each replica statement, by the replica it went to. */
    let executed: ReplicaConnection[];
    /** Runs a replica's statement on the primary instead. */
    let redirect = false;

    beforeAll(async () => {
      orm = await init([url(databases.r1), url(databases.r2)]);
      const routing = orm.em.getDriver();
      if (!routesReads(routing)) throw new Error('the driver does not route reads');
      replicas = routing.replicaConnections;
      primary = routing.getConnection('write');
      const router: ReadRouter = {
        choose: () => chosen,
        execute(replica, here, args) {
          executed.push(replica);
          return redirect ? primary.execute(...args) : here();
        },
      };
      routing.routeReads(router);
    });

    beforeEach(() => {
      chosen = replicas[1]!;
      executed = [];
      redirect = false;
    });

    it('makes one replica connection per `replicas` entry, in order', async () => {
      const names = [];
      for (const replica of replicas) {
        names.push((await replica.executeHere<{ db: string }[]>('select database() as db'))[0]!.db);
      }
      expect(names).toEqual([databases.r1, databases.r2]);
      expect(executed).toEqual([]);
    });

    it('sends reads outside a transaction to the connection the router chooses, through its execute', async () => {
      const em = orm.em.fork();
      expect(sources(await em.find(Probe, { id: 1 }))).toEqual(['r2']);
      expect(await em.fork().findOne(Probe, { id: 1 })).toMatchObject({ source: 'r2' });
      expect(await em.count(Probe, { source: 'r2' })).toBe(1);
      expect(sources(await em.createQueryBuilder(Probe).select('*').where({ id: 1 }).execute())).toEqual(['r2']);
      expect(executed).toEqual([chosen, chosen, chosen, chosen]);

      chosen = replicas[0]!;
      expect(sources(await orm.em.fork().find(Probe, { id: 1 }))).toEqual(['r1']);
      chosen = primary;
      expect(sources(await orm.em.fork().find(Probe, { id: 1 }))).toEqual(['primary']);
      expect(executed).toHaveLength(5);
    });

    it('sends writes, transactions and reads asking for the primary to the primary', async () => {
      const em = orm.em.fork();
      expect(sources(await em.find(Probe, { id: 1 }, { connectionType: 'write' }))).toEqual(['primary']);
      expect(sources(await em.transactional((tx) => tx.find(Probe, { id: 1 })))).toEqual(['primary']);
      const writer = orm.em.fork();
      await writer.persist(writer.create(Probe, { id: 2, source: 'written' })).flush();
      const [rows] = await admin.query(`SELECT id FROM \`${databases.primary}\`.probes WHERE id = 2`);
      expect(rows).toHaveLength(1);
      expect(executed).toEqual([]);
    });

    it("lets the router run a replica's read again elsewhere", async () => {
      redirect = true;
      expect(sources(await orm.em.fork().find(Probe, { id: 1 }))).toEqual(['primary']);
      expect(executed).toEqual([chosen]);
    });
  });

  describe('under the replica router', () => {
    it('gives an unreachable replica no reads, and runs a read that fails on a replica again on the primary', async () => {
      const closed = `${scheme}//root@127.0.0.1:${await freePort()}/${databases.r1}`;
      const orm = await init([url(databases.r1), closed, url(databases.empty)]);
      const failovers: string[] = [];
      const router = createReplicaRouter(orm, {
        intervalMs: 60_000,
        timeoutMs: 2000,
        maxLagMs: 0,
        onFailover: (replica, reason) => failovers.push(`${replica}: ${reason}`),
      });
      try {
        await router.start();
        expect(router.health().map((h) => h.healthy)).toEqual([true, false, true]);
        const seen = new Set<string>();
        for (let i = 0; i < 40; i++) seen.add((await orm.em.fork().findOneOrFail(Probe, { id: 1 })).source);
        // replica-1 answers its reads; replica-3 lacks the table, so its reads ran on the primary.
        expect([...seen].sort()).toEqual(['primary', 'r1']);
        expect(new Set(failovers)).toEqual(new Set(['replica-3: schema']));
      } finally {
        router.stop();
      }
    });
  });

  it('is the driver createOrm builds', async () => {
    const orm = await createOrm(
      loadConfig({ ...TEST_ENV, DATA_DIR: '/nonexistent', JWT_SECRET: 'x'.repeat(48), DATABASE_URL: url(base) }),
      entities,
    );
    orms.push(orm);
    expect(routesReads(orm.em.getDriver())).toBe(true);
    expect(orm.em.getDriver()).toBeInstanceOf(scheme === 'mariadb:' ? MariaDbDriver : MySqlDriver);
  });
});
