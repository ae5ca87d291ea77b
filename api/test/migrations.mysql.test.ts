import { statSync } from 'node:fs';
import path from 'node:path';
import { entities } from '../src/registry';
import { loadConfig } from '../src/config';
import { createOrm, migrate, type Orm } from '../src/infra/db/orm';
import { createLogger } from '../src/infra/logger';
import { createTestBackend, type TestBackend } from './utils/backend';
import { TEST_ENV } from './utils/test-server';

let backend: TestBackend;
let orm: Orm;

beforeAll(async () => {
  backend = await createTestBackend('real');
  orm = await createOrm(loadConfig({ ...TEST_ENV, ...backend.env }), entities);
});

afterAll(async () => {
  await orm.close();
  await backend.cleanup();
});

describe('MySQL migrations', () => {
  it('bring an empty database to exactly the schema the entities describe, without writing into the source tree', async () => {
    const snapshot = path.resolve(__dirname, '../src/infra/db/migrations/.snapshot-randchat.json');
    const before = statSync(snapshot).mtimeMs;
    await migrate(orm, createLogger('silent'));
    expect(await orm.schema.getUpdateSchemaSQL({ wrap: false })).toBe('');
    // MikroORM rewrites its snapshot after applying migrations when asked to keep one: only
    // `npm run migration:create` does (a running instance must not write into its checkout).
    expect(statSync(snapshot).mtimeMs).toBe(before);
  });

  it('are idempotent and safe to run from two instances at once', async () => {
    await Promise.all([migrate(orm, createLogger('silent')), migrate(orm, createLogger('silent'))]);
    expect(await orm.getMigrator().getPendingMigrations()).toEqual([]);
  });
});
