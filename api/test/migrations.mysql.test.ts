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
  it('bring an empty database to exactly the schema the entities describe', async () => {
    await migrate(orm, createLogger('silent'));
    expect(await orm.schema.getUpdateSchemaSQL({ wrap: false })).toBe('');
  });

  it('are idempotent and safe to run from two instances at once', async () => {
    await Promise.all([migrate(orm, createLogger('silent')), migrate(orm, createLogger('silent'))]);
    expect(await orm.getMigrator().getPendingMigrations()).toEqual([]);
  });
});
