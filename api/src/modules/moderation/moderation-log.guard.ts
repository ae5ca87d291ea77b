import type { Orm } from '../../infra/db/orm';
import type { Logger } from '../../infra/logger';

/** The statements of one trigger that refuses `op` on the audit log, in the database's dialect. */
const TRIGGERS: Record<'mysql' | 'sqlite', (op: 'UPDATE' | 'DELETE') => string> = {
  sqlite: (op) =>
    `CREATE TRIGGER IF NOT EXISTS moderation_log_no_${op.toLowerCase()} BEFORE ${op} ON moderation_log ` +
    `BEGIN SELECT RAISE(ABORT, 'moderation_log is append-only'); END`,
  mysql: (op) =>
    `CREATE TRIGGER IF NOT EXISTS moderation_log_no_${op.toLowerCase()} BEFORE ${op} ON moderation_log ` +
    `FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'moderation_log is append-only'`,
};

/**
 * Triggers that make the database itself refuse UPDATE and DELETE on the audit log, created at
 * start (idempotent, safe from several instances at once). The application has no path that edits
 * the log either way. On MySQL/MariaDB creating a trigger needs the TRIGGER privilege, and with
 * binary logging also SUPER or `log_bin_trust_function_creators`: without them the instance starts
 * all the same and says so, since a migration that fails on a privilege would stop every upgrade.
 */
export async function guardModerationLog(orm: Orm, dialect: 'mysql' | 'sqlite', logger: Logger): Promise<void> {
  // Plain statements on the ORM's connection: MySQL cannot prepare CREATE TRIGGER.
  const connection = orm.em.getConnection();
  try {
    for (const op of ['UPDATE', 'DELETE'] as const) await connection.execute(TRIGGERS[dialect](op));
  } catch (err) {
    logger.warn(
      { err },
      'could not create the audit log triggers: moderation_log is append-only in the application only ' +
        '(grant TRIGGER, and with binary logging SUPER or log_bin_trust_function_creators, to have the database refuse edits too)',
    );
  }
}
