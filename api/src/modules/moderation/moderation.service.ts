import type { Clock } from '../../infra/clock';
import type { Em } from '../../infra/db/orm';
import { BadUserInputError, ConflictError, NotFoundError } from '../../infra/graphql/errors';
import type { EvidenceService, MessageObject } from '../chat';
import { toUserObject, type ProfileService, type StandingService, type UserFields } from '../users';
import { auditLog } from './audit-log';
import { decodeCursor, encodeCursor, olderThan, page, pageSize } from './cursor';
import { ModerationAction, ModerationLogAction, ReportStatus } from './moderation.enums';
import type { ModerationLogEntry } from './moderation-log.entity';
import { ModerationLogEntryObject, ReportObject } from './moderation.types';
import { Report } from './report.entity';

/** The longest suspension, in hours (one year). */
export const MAX_SUSPENSION_HOURS = 8760;
const MAX_NOTE_LENGTH = 500;

export interface ModerationServiceDeps {
  evidence: Pick<EvidenceService, 'conversation'>;
  standing: Pick<StandingService, 'requireModerator' | 'isQuarantined' | 'setQuarantined' | 'warn' | 'suspend' | 'ban'>;
  profile: Pick<ProfileService, 'findMany'>;
  clock: Clock;
}

/** A decision with its arguments, as resolveReport takes it. */
export interface Decision {
  action: ModerationAction;
  hours?: number | null;
  note?: string | null;
}

/**
 * What moderators do: list reports, read a reported conversation, decide, and read the audit log.
 * Every operation first checks that the caller is a moderator (FORBIDDEN otherwise); every read of
 * a conversation and every decision is written to the audit log.
 */
export class ModerationService {
  constructor(private readonly deps: ModerationServiceDeps) {}

  async reports(em: Em, moderatorId: string, status: ReportStatus | null, first: number, after?: string | null) {
    await this.deps.standing.requireModerator(moderatorId);
    const size = pageSize(first);
    const cursor = after ? decodeCursor(after, 'reports') : null;
    const rows = await em.find(
      Report,
      { ...(status ? { status } : {}), ...(cursor ? olderThan(cursor) : {}) },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: size + 1 },
    );
    const objects = await this.reportObjects(em, rows.slice(0, size), moderatorId);
    return page(rows, size, after, (row) => ({
      cursor: encodeCursor(row.createdAt, row.id),
      node: objects.get(row.id)!,
    }));
  }

  /** One report with its evidence; the read is written to the audit log first. */
  async report(em: Em, moderatorId: string, reportId: string): Promise<ReportObject> {
    await this.deps.standing.requireModerator(moderatorId);
    const report = await this.find(em, reportId);
    await auditLog.append(em, {
      createdAt: new Date(this.deps.clock()),
      moderatorId,
      action: ModerationLogAction.READ_EVIDENCE,
      reportId,
      subjectId: report.reported.id,
      roomId: report.roomId,
    });
    const object = (await this.reportObjects(em, [report], moderatorId)).get(report.id)!;
    const conversation = report.roomId
      ? await this.deps.evidence.conversation(em, report.roomId, moderatorId)
      : { closedAt: null, purged: true, messages: [] as MessageObject[] };
    return Object.assign(object, {
      evidence: conversation.messages,
      evidencePurged: conversation.purged,
      roomClosedAt: conversation.closedAt,
    });
  }

  /**
   * Decides about the reported user: resolves this report and every other open report about them,
   * applies the sanction (see ModerationAction), and logs it. CONFLICT when the report was already
   * resolved (by another moderator, say).
   */
  async resolve(em: Em, moderatorId: string, reportId: string, decision: Decision): Promise<ReportObject> {
    await this.deps.standing.requireModerator(moderatorId);
    const { action } = decision;
    const hours = decision.hours ?? null;
    if (action === ModerationAction.SUSPEND) {
      if (hours === null || !Number.isInteger(hours) || hours < 1 || hours > MAX_SUSPENSION_HOURS) {
        throw new BadUserInputError(`SUSPEND needs hours: 1..${MAX_SUSPENSION_HOURS}`, 'hours');
      }
    } else if (hours !== null) {
      throw new BadUserInputError('hours is only for SUSPEND', 'hours');
    }
    const note = decision.note?.trim() || null;
    if (note && [...note].length > MAX_NOTE_LENGTH) {
      throw new BadUserInputError(`note must be at most ${MAX_NOTE_LENGTH} characters`, 'note');
    }
    const report = await this.find(em, reportId);
    const subjectId = report.reported.id;
    const now = new Date(this.deps.clock());
    const resolved = { status: ReportStatus.RESOLVED, action, resolvedBy: moderatorId, resolvedAt: now };
    if ((await em.nativeUpdate(Report, { id: reportId, status: ReportStatus.OPEN }, resolved)) === 0) {
      throw new ConflictError('This report was already resolved');
    }
    await em.nativeUpdate(Report, { reported: subjectId, status: ReportStatus.OPEN }, resolved);
    await auditLog.append(em, {
      createdAt: now,
      moderatorId,
      action: ModerationLogAction[action],
      reportId,
      subjectId,
      roomId: report.roomId,
      hours,
      note,
    });
    switch (action) {
      case ModerationAction.DISMISS:
        await this.deps.standing.setQuarantined(subjectId, false, now);
        break;
      case ModerationAction.WARN:
        await this.deps.standing.warn(subjectId, note, now);
        break;
      case ModerationAction.SUSPEND:
        await this.deps.standing.suspend(subjectId, new Date(now.getTime() + hours! * 3_600_000), note);
        break;
      case ModerationAction.BAN:
        await this.deps.standing.ban(subjectId, note, now);
        break;
    }
    em.clear();
    const fresh = await this.find(em, reportId);
    return (await this.reportObjects(em, [fresh], moderatorId)).get(fresh.id)!;
  }

  async log(em: Em, moderatorId: string, first: number, after?: string | null) {
    await this.deps.standing.requireModerator(moderatorId);
    const size = pageSize(first);
    const rows = await auditLog.list(em, size, after ? decodeCursor(after, 'moderationLog') : null);
    const users = await this.users(
      em,
      rows.slice(0, size).flatMap((r) => [r.moderatorId, r.subjectId]),
    );
    return page(rows, size, after, (row) => ({
      cursor: encodeCursor(row.createdAt, row.id),
      node: toLogObject(row, users, moderatorId),
    }));
  }

  private async find(em: Em, reportId: string): Promise<Report> {
    const report = await em.findOne(Report, { id: reportId });
    if (!report) throw new NotFoundError(`No report ${reportId}`);
    return report;
  }

  private async users(em: Em, ids: string[]): Promise<Map<string, UserFields>> {
    return this.deps.profile.findMany(em, ids);
  }

  private async reportObjects(em: Em, reports: Report[], viewerId: string): Promise<Map<string, ReportObject>> {
    const users = await this.users(
      em,
      reports.flatMap((r) => [r.reporter.id, r.reported.id]),
    );
    const quarantined = new Map<string, boolean>();
    for (const id of new Set(reports.map((r) => r.reported.id))) {
      quarantined.set(id, await this.deps.standing.isQuarantined(id));
    }
    return new Map(
      reports.map((r) => [
        r.id,
        Object.assign(new ReportObject(), {
          id: r.id,
          reporter: toUserObject(users.get(r.reporter.id)!, viewerId),
          reported: toUserObject(users.get(r.reported.id)!, viewerId),
          reason: r.reason,
          roomId: r.roomId ?? null,
          status: r.status,
          action: r.action ?? null,
          resolvedAt: r.resolvedAt ?? null,
          createdAt: r.createdAt,
          reportedQuarantined: quarantined.get(r.reported.id) ?? false,
          evidence: null,
          evidencePurged: false,
          roomClosedAt: null,
        }),
      ]),
    );
  }
}

function toLogObject(row: ModerationLogEntry, users: Map<string, UserFields>, viewerId: string) {
  return Object.assign(new ModerationLogEntryObject(), {
    id: row.id,
    createdAt: row.createdAt,
    moderator: toUserObject(users.get(row.moderatorId)!, viewerId),
    action: row.action,
    reportId: row.reportId,
    subject: toUserObject(users.get(row.subjectId)!, viewerId),
    roomId: row.roomId ?? null,
    hours: row.hours ?? null,
    note: row.note ?? null,
  });
}
