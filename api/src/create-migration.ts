/**
 * Writes the next MySQL migration (entities vs. the committed snapshot) into src/infra/db/migrations
 * and regenerates migrations/index.ts. Needs DATABASE_URL pointing at a scratch MySQL database.
 */
import 'reflect-metadata';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from './config';
import { createLogger } from './infra/logger';
import { createOrm, migrate } from './infra/db/orm';
import { entities } from './registry';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.database) throw new Error('DATABASE_URL must point at a scratch MySQL database');
  const orm = await createOrm(config, entities, undefined, { migrationSnapshot: true });
  try {
    await migrate(orm, createLogger('info'));
    const result = await orm.getMigrator().createMigration();
    console.log(
      result.fileName ? `created ${result.fileName}` : 'entities match the latest migration: nothing to create',
    );
  } finally {
    await orm.close();
  }
  const dir = path.resolve(__dirname, '../src/infra/db/migrations');
  const names = readdirSync(dir)
    .filter((f) => /^Migration\d+.*\.ts$/.test(f))
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
  const index = [
    "import type { MigrationObject } from '@mikro-orm/core';",
    ...names.map((n) => `import { ${n} } from './${n}';`),
    '',
    '/** Every MySQL migration in order; new ones are appended by `npm run migration:create -w api`. */',
    'export const migrationsList: MigrationObject[] = [',
    ...names.map((n) => `  { name: '${n}', class: ${n} },`),
    '];',
    '',
  ].join('\n');
  writeFileSync(path.join(dir, 'index.ts'), index);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
