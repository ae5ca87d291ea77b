import type { Clock } from '../../infra/clock';
import type { Orm } from '../../infra/db/orm';
import { BadUserInputError, ForbiddenError, NotFoundError, RateLimitedError } from '../../infra/graphql/errors';
import type { RateLimiter } from '../../infra/ratelimit/rate-limiter.port';
import type { EvidenceService } from '../chat';
import type { ProfileService, StandingService } from '../users';
import { ReportStatus } from './moderation.enums';
import { newReport, Report } from './report.entity';

export const MAX_REASON_LENGTH = 1000;

/** Reports count towards quarantine for this long (24 h). */
export const QUARANTINE_WINDOW_MS = 24 * 3_600_000;

const lengthOf = (s: string) => [...s].length;

export interface ReportServiceDeps {
  orm: Orm;
  evidence: Pick<EvidenceService, 'relation'>;
  standing: Pick<StandingService, 'setQuarantined'>;
  profile: Pick<ProfileService, 'find'>;
  /** Reports per user (REPORTS_PER_HOUR). */
  limiter: RateLimiter;
  /** Open reports from distinct users within 24 h that quarantine an account (MODERATION_QUARANTINE_REPORTS). */
  quarantineReports: number;
  clock: Clock;
}

/** Members reporting each other from a room they shared; enough reports quarantine an account. */
export class ReportService {
  constructor(private readonly deps: ReportServiceDeps) {}

  /**
   * Files a report whose evidence is the room's conversation. The room must be one the two share:
   * FORBIDDEN when the reporter is not a member (as everything room-scoped), NOT_FOUND for an
   * unknown user, BAD_USER_INPUT when the reported user is not the other member. Limited per reporter.
   */
  async file(reporterId: string, reportedId: string, reason: string, roomId: string): Promise<void> {
    const text = reason.trim();
    if (lengthOf(text) < 1 || lengthOf(text) > MAX_REASON_LENGTH) {
      throw new BadUserInputError(`reason must be 1 to ${MAX_REASON_LENGTH} characters after trimming`, 'reason');
    }
    const relation = await this.deps.evidence.relation(roomId, reporterId, reportedId);
    if (relation === 'not-a-member') throw new ForbiddenError(`You are not a member of room ${roomId}`);
    if (relation === 'not-the-peer') {
      if (!(await this.deps.profile.find(this.deps.orm.em.fork(), reportedId))) {
        throw new NotFoundError(`No user ${reportedId}`);
      }
      throw new BadUserInputError('userId must be the other member of the room you report from', 'userId');
    }
    const limit = await this.deps.limiter.consume(reporterId);
    if (!limit.allowed) throw new RateLimitedError('Too many reports', limit.retryAfterMs);

    const em = this.deps.orm.em.fork();
    const now = new Date(this.deps.clock());
    await em.persistAndFlush(newReport({ reporterId, reportedId, reason: text, roomId, createdAt: now }));
    if ((await this.recentReporters(reportedId, now)) >= this.deps.quarantineReports) {
      await this.deps.standing.setQuarantined(reportedId, true, now);
    }
  }

  /** Distinct users with an open report about the user filed within the window, from the primary. */
  private async recentReporters(reportedId: string, now: Date): Promise<number> {
    const since = new Date(now.getTime() - QUARANTINE_WINDOW_MS);
    const reports = await this.deps.orm.em
      .fork()
      .find(
        Report,
        { reported: reportedId, status: ReportStatus.OPEN, createdAt: { $gte: since } },
        { fields: ['reporter'] },
      );
    return new Set(reports.map((r) => r.reporter.id)).size;
  }
}
