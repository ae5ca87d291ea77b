/**
 * `npm run user:role -- <email> <USER|MODERATOR>`: sets an account's role, on the embedded SQLite
 * database (DATA_DIR) or on DATABASE_URL, like the server would open them. Prints one line; exits 1
 * on bad arguments or an unknown email.
 */
import 'reflect-metadata';
import { loadConfig } from './config';
import { createOrm, migrate } from './infra/db/orm';
import { createLogger } from './infra/logger';
import { setUserRole, UserRole } from './modules/users';
import { entities } from './registry';

const USAGE = `usage: npm run user:role -- <email> <${Object.values(UserRole).join('|')}>`;

async function main(): Promise<void> {
  const [email, role] = process.argv.slice(2);
  if (!email || !Object.values(UserRole).includes(role as UserRole)) throw new Error(USAGE);
  const config = loadConfig();
  const orm = await createOrm(config, entities);
  try {
    // As at server start: the embedded schema is synced, MySQL migrated unless MIGRATE_ON_START=false.
    if (!config.database || config.database.migrateOnStart) await migrate(orm, createLogger('warn'));
    if (!(await setUserRole(orm.em.fork(), email, role as UserRole)))
      throw new Error(`no account with the email ${email}`);
    console.log(`${email.trim().toLowerCase()} is now ${role}`);
  } finally {
    await orm.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
