import { randomUUID } from 'node:crypto';
import { Entity, type Opt, PrimaryKey, Property } from '@mikro-orm/core';
import type { ModerationLogAction } from './moderation.enums';

/**
 * One line of the moderation audit log: a moderator read a reported conversation, or decided about
 * a report. Append-only: the code has no path that changes or deletes a line, and the database
 * refuses UPDATE and DELETE on the table (triggers: the migration on MySQL/MariaDB,
 * `moderation-log.guard.ts` on SQLite). Ids are plain columns, not foreign keys, so that nothing
 * (an account deletion, a purge) cascades into the log.
 */
@Entity({ tableName: 'moderation_log' })
export class ModerationLogEntry {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @Property({ type: 'datetime', length: 3, index: true })
  createdAt: Date;

  @Property({ type: 'uuid' })
  moderatorId: string;

  @Property({ type: 'string', length: 24 })
  action: ModerationLogAction;

  @Property({ type: 'uuid' })
  reportId: string;

  /** The reported user. */
  @Property({ type: 'uuid' })
  subjectId: string;

  /** The room read (READ_EVIDENCE) or reported. */
  @Property({ type: 'uuid', nullable: true })
  roomId?: string | null;

  /** SUSPEND: for how many hours. */
  @Property({ type: 'integer', nullable: true })
  hours?: number | null;

  /** The moderator's note to the user (WARN, SUSPEND, BAN). */
  @Property({ length: 500, nullable: true })
  note?: string | null;

  constructor(init: {
    createdAt: Date;
    moderatorId: string;
    action: ModerationLogAction;
    reportId: string;
    subjectId: string;
    roomId?: string | null;
    hours?: number | null;
    note?: string | null;
  }) {
    this.createdAt = init.createdAt;
    this.moderatorId = init.moderatorId;
    this.action = init.action;
    this.reportId = init.reportId;
    this.subjectId = init.subjectId;
    this.roomId = init.roomId ?? null;
    this.hours = init.hours ?? null;
    this.note = init.note ?? null;
  }
}
