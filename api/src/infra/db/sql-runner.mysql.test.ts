import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createConnection } from 'mysql2/promise';
import { mysqlTestUrl } from '../../../test/utils/backend';
import { TEST_ENV } from '../../../test/utils/test-server';
import { loadConfig } from '../../config';
import { createOrm } from './orm';
import { sqlRunnerFor } from './sql-runner';
import { Probe, sqlRunnerContract } from './sql-runner.contract';

// The ORM picks MikroORM's MariaDB driver (the `mariadb` connector) or its MySQL driver (`mysql2`)
// from the URL scheme: the runner borrows that driver's connections, so both are checked.
for (const scheme of ['mariadb:', 'mysql:']) {
  sqlRunnerContract(`MySQL family through ${scheme}// (the ORM's pool)`, async () => {
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
