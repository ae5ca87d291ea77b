import type { SqlRunner } from '../../infra/db/sql-runner.port';

/**
 * On the embedded SQLite database (whose schema is generated from the entities, without
 * migrations), triggers that refuse UPDATE and DELETE on the audit log. On MySQL/MariaDB the
 * migration creates the same triggers.
 */
export async function guardModerationLog(sql: SqlRunner): Promise<void> {
  if (sql.dialect !== 'sqlite') return;
  await sql.session(async (db) => {
    for (const op of ['UPDATE', 'DELETE']) {
      await db.run(
        `CREATE TRIGGER IF NOT EXISTS moderation_log_no_${op.toLowerCase()} BEFORE ${op} ON moderation_log ` +
          `BEGIN SELECT RAISE(ABORT, 'moderation_log is append-only'); END`,
      );
    }
  });
}
