/** `npm run migrate`: applies pending migrations (MySQL) or syncs the embedded SQLite schema, then exits. */
import 'reflect-metadata';
import { loadConfig } from './config';
import { createLogger } from './infra/logger';
import { createOrm, migrate } from './infra/db/orm';
import { entities } from './registry';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const orm = await createOrm(config, entities);
  try {
    await migrate(orm, logger);
    logger.info('schema up to date');
  } finally {
    await orm.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
