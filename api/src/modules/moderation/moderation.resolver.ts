import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { viewerId, type Context } from '../../infra/graphql/context';
import { ModerationAction, ReportStatus } from './moderation.enums';
import type { ModerationService } from './moderation.service';
import { ModerationLogConnection, ReportConnection, ReportObject } from './moderation.types';
import type { ReportService } from './report.service';

@Resolver()
export class ModerationResolver {
  constructor(
    private readonly reportsService: ReportService,
    private readonly moderation: ModerationService,
  ) {}

  @Authorized()
  @Mutation(() => Boolean, {
    description:
      "Reports the other member of a room you share to the moderators; the room's conversation is the evidence. " +
      'Enough reports from different people within 24 h quarantine the account until a moderator decides.',
  })
  async reportUser(
    @Arg('userId', () => ID, { description: 'The user to report: the other member of the room' }) userId: string,
    @Arg('reason', { description: 'What happened, 1..1000 characters' }) reason: string,
    @Arg('roomId', () => ID, { description: 'The room you share with them (its conversation is the evidence)' })
    roomId: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await this.reportsService.file(viewerId(ctx), userId, reason, roomId);
    return true;
  }

  @Authorized()
  @Query(() => ReportConnection, { description: 'Moderators only: reports, newest first' })
  reports(
    @Arg('status', () => ReportStatus, { nullable: true, description: 'Only OPEN or only RESOLVED; absent: all' })
    status: ReportStatus | null,
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1..100' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page' })
    after: string | null,
    @Ctx() ctx: Context,
  ): Promise<ReportConnection> {
    return this.moderation.reports(ctx.em, viewerId(ctx), status, first, after);
  }

  @Authorized()
  @Query(() => ReportObject, {
    description: "Moderators only: a report with its room's conversation (evidence); the read is logged",
  })
  report(@Arg('id', () => ID, { description: 'The report' }) id: string, @Ctx() ctx: Context): Promise<ReportObject> {
    return this.moderation.report(ctx.em, viewerId(ctx), id);
  }

  @Authorized()
  @Mutation(() => ReportObject, {
    description:
      'Moderators only: decides about the reported user, resolving every open report about them; logged. ' +
      'SUSPEND and BAN end their sessions on every instance at once (sockets close with 4403).',
  })
  resolveReport(
    @Arg('id', () => ID, { description: 'The report' }) id: string,
    @Arg('action', () => ModerationAction, { description: 'The decision' }) action: ModerationAction,
    @Arg('hours', () => Int, { nullable: true, description: 'SUSPEND only (required there): 1..8760 hours' })
    hours: number | null,
    @Arg('note', () => String, {
      nullable: true,
      description:
        'Words to the user (up to 500 characters), shown with a warning or at login when suspended or banned',
    })
    note: string | null,
    @Ctx() ctx: Context,
  ): Promise<ReportObject> {
    return this.moderation.resolve(ctx.em, viewerId(ctx), id, { action, hours, note });
  }

  @Authorized()
  @Query(() => ModerationLogConnection, {
    description: 'Moderators only: the append-only audit log of evidence reads and decisions, newest first',
  })
  moderationLog(
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1..100' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page' })
    after: string | null,
    @Ctx() ctx: Context,
  ): Promise<ModerationLogConnection> {
    return this.moderation.log(ctx.em, viewerId(ctx), first, after);
  }
}
