import type { Clock } from '../../infra/clock';
import type { Orm } from '../../infra/db/orm';
import type { Logger } from '../../infra/logger';
import type { SqlRunner } from '../../infra/db/sql-runner.port';
import type { RateLimiterFactory } from '../../infra/ratelimit/rate-limiter.port';
import type { ChatModule } from '../chat';
import type { UsersModule } from '../users';
import { guardModerationLog } from './moderation-log.guard';
import { ModerationResolver } from './moderation.resolver';
import { ModerationService } from './moderation.service';
import { ReportService } from './report.service';

export interface ModerationModuleDeps {
  orm: Orm;
  sql: SqlRunner;
  logger: Logger;
  limiters: RateLimiterFactory;
  users: Pick<UsersModule, 'standing' | 'profile'>;
  chat: Pick<ChatModule, 'evidence'>;
  /** The clock reports, quarantine windows and suspensions are judged by (tests move it). */
  clock: Clock;
  config: { reportsPerHour: number; quarantineReports: number };
}

/**
 * Reports with evidence, quarantine, and what moderators do (reports, report, resolveReport,
 * moderationLog). Sanctions are written by users (its columns) and announced as UserSanctioned:
 * auth ends the sessions on every instance, matching drops the search.
 */
export function createModerationModule(deps: ModerationModuleDeps) {
  const { orm, sql, logger, limiters, users, chat, clock, config } = deps;
  const reports = new ReportService({
    orm,
    evidence: chat.evidence,
    standing: users.standing,
    profile: users.profile,
    limiter: limiters.create({ name: 'report', points: config.reportsPerHour, durationMs: 3_600_000 }),
    quarantineReports: config.quarantineReports,
    clock,
  });
  const moderation = new ModerationService({
    evidence: chat.evidence,
    standing: users.standing,
    profile: users.profile,
    clock,
  });
  return {
    reports,
    moderation,
    resolvers: [new ModerationResolver(reports, moderation)],
    /** Makes the embedded SQLite database refuse changes to the audit log (MySQL: the migration does). */
    prepare: () => guardModerationLog(orm, sql.dialect, logger),
  };
}

export type ModerationModule = ReturnType<typeof createModerationModule>;
