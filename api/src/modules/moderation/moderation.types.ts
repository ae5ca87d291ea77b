import { Field, ID, Int, ObjectType } from 'type-graphql';
import { MessageObject, PageInfo } from '../chat';
import { UserObject } from '../users';
import { ModerationAction, ModerationLogAction, ReportStatus } from './moderation.enums';

@ObjectType('Report', { description: 'A report about a user, with the conversation of the room they shared' })
export class ReportObject {
  @Field(() => ID, { description: 'Stable report id' })
  id!: string;

  @Field(() => UserObject, { description: 'Who reported' })
  reporter!: UserObject;

  @Field(() => UserObject, { description: 'Who was reported' })
  reported!: UserObject;

  @Field({ description: "The reporter's words (1-1000 characters)" })
  reason!: string;

  @Field(() => ID, {
    nullable: true,
    description: 'The room the two shared (null on reports older than rooms in reports)',
  })
  roomId!: string | null;

  @Field(() => ReportStatus, { description: 'OPEN until a moderator decides' })
  status!: ReportStatus;

  @Field(() => ModerationAction, { nullable: true, description: "The moderator's decision, once RESOLVED" })
  action!: ModerationAction | null;

  @Field(() => Date, { nullable: true, description: 'When a moderator decided' })
  resolvedAt!: Date | null;

  @Field({ description: 'When the report was filed' })
  createdAt!: Date;

  @Field({ description: 'Whether the reported user is in quarantine now (paired only with other quarantined users)' })
  reportedQuarantined!: boolean;

  @Field(() => [MessageObject], {
    nullable: true,
    description:
      "The room's conversation, oldest first (the newest 1000 messages, images included), read from report(id) only: " +
      'each read is written to the moderation log. Null in lists; empty once purged.',
  })
  evidence!: MessageObject[] | null;

  @Field({
    description: 'True once the conversation was purged (EVIDENCE_RETENTION_DAYS after the room closed)',
  })
  evidencePurged!: boolean;

  @Field(() => Date, { nullable: true, description: 'When the room closed (null while it is open or after the purge)' })
  roomClosedAt!: Date | null;
}

@ObjectType('ReportEdge', { description: 'A report with its cursor' })
export class ReportEdge {
  @Field({ description: 'Pass as `after` for the next page' })
  cursor!: string;

  @Field(() => ReportObject, { description: 'The report' })
  node!: ReportObject;
}

@ObjectType('ReportConnection', { description: 'A page of reports, newest first' })
export class ReportConnection {
  @Field(() => [ReportEdge], { description: 'The reports of this page' })
  edges!: ReportEdge[];

  @Field(() => PageInfo, { description: 'hasNextPage: older reports exist (use endCursor as `after`)' })
  pageInfo!: PageInfo;
}

@ObjectType('ModerationLogEntry', { description: 'One line of the append-only moderation audit log' })
export class ModerationLogEntryObject {
  @Field(() => ID, { description: 'Stable entry id' })
  id!: string;

  @Field({ description: 'When it happened' })
  createdAt!: Date;

  @Field(() => UserObject, { description: 'The moderator' })
  moderator!: UserObject;

  @Field(() => ModerationLogAction, { description: 'A read of a conversation, or a decision' })
  action!: ModerationLogAction;

  @Field(() => ID, { description: 'The report read or decided' })
  reportId!: string;

  @Field(() => UserObject, { description: 'The reported user' })
  subject!: UserObject;

  @Field(() => ID, { nullable: true, description: 'The room whose conversation was read or reported' })
  roomId!: string | null;

  @Field(() => Int, { nullable: true, description: 'SUSPEND: for how many hours' })
  hours!: number | null;

  @Field(() => String, { nullable: true, description: "The moderator's note to the user" })
  note!: string | null;
}

@ObjectType('ModerationLogEdge', { description: 'A moderation log entry with its cursor' })
export class ModerationLogEdge {
  @Field({ description: 'Pass as `after` for the next page' })
  cursor!: string;

  @Field(() => ModerationLogEntryObject, { description: 'The entry' })
  node!: ModerationLogEntryObject;
}

@ObjectType('ModerationLogConnection', { description: 'A page of the moderation log, newest first' })
export class ModerationLogConnection {
  @Field(() => [ModerationLogEdge], { description: 'The entries of this page' })
  edges!: ModerationLogEdge[];

  @Field(() => PageInfo, { description: 'hasNextPage: older entries exist (use endCursor as `after`)' })
  pageInfo!: PageInfo;
}
