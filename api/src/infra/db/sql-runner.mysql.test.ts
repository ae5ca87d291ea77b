import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createConnection } from 'mysql2/promise';
import { mysqlTestUrl } from '../../../test/utils/backend';
import { TEST_ENV } from '../../../test/utils/test-server';
import { waitFor } from '../../../test/utils/wait-for';
import { loadConfig } from '../../config';
import { createOrm } from './orm';
import { sqlRunnerFor } from './sql-runner';
import { Probe, sqlRunnerContract } from './sql-runner.contract';
import { hasStatementPool } from './statement-pool';

// The ORM picks MikroORM's MariaDB driver (the `mariadb` connector) or its MySQL driver (`mysql2`)
// from the URL scheme: the runner borrows that driver's connections, so both are checked.
const drivers = [
  { scheme: 'mariadb:', name: "MikroORM's MariaDB driver (its statement pool)" },
  { scheme: 'mysql:', name: "MikroORM's MySQL driver (the mysql2 connections of the ORM's pool)" },
];

for (const { scheme, name } of drivers) {
  sqlRunnerContract(name, async () => {
    const database = `rct_${randomBytes(6).toString('hex')}`;
    const admin = await createConnection(mysqlTestUrl());
    await admin.query(`CREATE DATABASE \`${database}\``);
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'randchat-sql-runner-'));
    const url = `${mysqlTestUrl().replace(/^mysql:/, scheme)}/${database}`;
    let statements = 0;
    const config = loadConfig({ ...TEST_ENV, DATA_DIR: dataDir, DATABASE_URL: url });
    const orm = await createOrm(config, [Probe], () => statements++);
    await orm.schema.createSchema();
    return {
      orm,
      runner: sqlRunnerFor(orm),
      statements: () => statements,
      async cleanup() {
        await orm.close();
        await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
        await admin.end();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  });
}

describe("MikroORM's MariaDB driver with a statement pool", () => {
  it('opens the pool on first use and closes it with the ORM', async () => {
    const database = `rct_${randomBytes(6).toString('hex')}`;
    const admin = await createConnection(mysqlTestUrl());
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'randchat-sql-runner-'));
    const connections = async () => {
      const [rows] = await admin.query('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ?', [
        database,
      ]);
      return Number((rows as [{ n: number }])[0].n);
    };
    try {
      await admin.query(`CREATE DATABASE \`${database}\``);
      const url = `${mysqlTestUrl().replace(/^mysql:/, 'mariadb:')}/${database}`;
      const orm = await createOrm(loadConfig({ ...TEST_ENV, DATA_DIR: dataDir, DATABASE_URL: url }), [Probe]);
      const driver = orm.em.getDriver();
      expect(hasStatementPool(driver)).toBe(true);
      const before = await connections();
      await sqlRunnerFor(orm).all('SELECT 1 AS one');
      expect(await connections()).toBeGreaterThan(before);
      await orm.close();
      // The server ends a thread shortly after its client quit.
      await waitFor(async () => (await connections()) === 0, { message: 'no connection left to the database' });
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await admin.end();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
