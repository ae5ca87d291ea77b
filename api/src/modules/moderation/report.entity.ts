import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, type Opt, PrimaryKey, Property, type Ref, Reference } from '@mikro-orm/core';
import { User } from '../users/user.entity';
import { ReportStatus, type ModerationAction } from './moderation.enums';

/**
 * A member's report about another user, filed from the room they shared: the room's conversation
 * is the evidence moderators read (kept EVIDENCE_RETENTION_DAYS after the room closed).
 */
@Entity({ tableName: 'reports' })
@Index({ name: 'reports_reported_status_created_index', properties: ['reported', 'status', 'createdAt'] })
@Index({ name: 'reports_status_created_index', properties: ['status', 'createdAt'] })
export class Report {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  reporter: Ref<User>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade', index: true })
  reported: Ref<User>;

  @Property({ length: 1000 })
  reason: string;

  /**
   * The room the two shared. A plain column, not a foreign key: the report outlives the room's purge.
   * Null on reports filed before reports carried a room.
   */
  @Property({ type: 'uuid', nullable: true })
  roomId?: string | null;

  /** OPEN until a moderator decides about the reported user (which resolves all their open reports). */
  @Property({ type: 'string', length: 16 })
  status: ReportStatus & Opt = ReportStatus.OPEN;

  @Property({ type: 'string', length: 16, nullable: true })
  action?: ModerationAction | null;

  /** The moderator who decided (a plain id: the decision outlives their account). */
  @Property({ type: 'uuid', nullable: true })
  resolvedBy?: string | null;

  @Property({ type: 'datetime', length: 3, nullable: true })
  resolvedAt?: Date | null;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date;

  constructor(init: { reporter: Ref<User>; reported: Ref<User>; reason: string; roomId: string; createdAt: Date }) {
    this.reporter = init.reporter;
    this.reported = init.reported;
    this.reason = init.reason;
    this.roomId = init.roomId;
    this.createdAt = init.createdAt;
  }
}

/** A new report by user ids (the users are references, not loaded). */
export function newReport(init: {
  reporterId: string;
  reportedId: string;
  reason: string;
  roomId: string;
  createdAt: Date;
}): Report {
  return new Report({
    reporter: Reference.createFromPK(User, init.reporterId),
    reported: Reference.createFromPK(User, init.reportedId),
    reason: init.reason,
    roomId: init.roomId,
    createdAt: init.createdAt,
  });
}
