import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TEST_ENV } from '../../../test/utils/test-server';
import { loadConfig } from '../../config';
import { createOrm } from './orm';
import { sqlRunnerFor } from './sql-runner';
import { Probe, sqlRunnerContract } from './sql-runner.contract';

sqlRunnerContract('SQLite', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'randchat-sql-runner-'));
  let statements = 0;
  const orm = await createOrm(loadConfig({ ...TEST_ENV, DATA_DIR: dataDir }), [Probe], () => statements++);
  await orm.schema.createSchema();
  return {
    orm,
    runner: sqlRunnerFor(orm),
    statements: () => statements,
    async cleanup() {
      await orm.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
