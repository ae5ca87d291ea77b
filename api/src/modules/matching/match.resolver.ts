import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { viewerId as viewer, type Context } from '../../infra/graphql/context';
import { UnauthenticatedError } from '../../infra/graphql/errors';
import { loadRoomView } from '../chat';
import { toUserObject, userObjectFromPayload, type ProfileService, type UserObject } from '../users';
import { MatchRequestInput } from './match.inputs';
import type { MatchEventPayload, MatchService, MatchStatusView } from './match.service';
import { MatchEventObject, MatchEventType, MatchState, MatchStatusObject } from './match.types';

declare module '../../infra/graphql/context' {
  interface SubscriptionStreams {
    /** The caller's match events (see MatchService.events). */
    matchEvents(userId: string): Promise<AsyncIterableIterator<MatchEventPayload>>;
  }
}

@Resolver()
export class MatchResolver {
  constructor(
    private readonly matching: MatchService,
    private readonly profile: ProfileService,
  ) {}

  /** The partner of an event: from the profile an offer carries, else read from the database. */
  private async partnerOf(ctx: Context, payload: MatchEventPayload, me: string): Promise<UserObject | null> {
    if (!payload.partnerId) return null;
    if (payload.partner) return userObjectFromPayload(payload.partner, me);
    const partner = await this.profile.find(ctx.em, payload.partnerId);
    return partner ? toUserObject(partner, me) : null;
  }

  private async toEventObject(ctx: Context, payload: MatchEventPayload): Promise<MatchEventObject> {
    const me = viewer(ctx);
    return Object.assign(new MatchEventObject(), {
      type: MatchEventType[payload.type],
      matchId: payload.matchId,
      partner: await this.partnerOf(ctx, payload, me),
      distanceKm: payload.distanceKm ?? null,
      expiresAt: payload.expiresAt ? new Date(payload.expiresAt) : null,
      room: payload.roomId ? await loadRoomView(ctx.em, payload.roomId, me) : null,
    });
  }

  private async toStatusObject(ctx: Context, view: MatchStatusView): Promise<MatchStatusObject> {
    return Object.assign(new MatchStatusObject(), {
      state: MatchState[view.state],
      radiusKm: view.radiusKm,
      offer: view.offer ? await this.toEventObject(ctx, view.offer) : null,
      accepted: view.accepted,
    });
  }

  @Authorized()
  @Mutation(() => MatchStatusObject, {
    description:
      'Enters the matching queue, or updates position and radius of a running search (keeping your place in line). Open matchEvents first.',
  })
  async requestMatch(
    @Arg('input', () => MatchRequestInput, {
      description: 'Where you are (snapped to a ~1 km grid, never stored in the database) and how far to look',
    })
    input: MatchRequestInput,
    @Ctx() ctx: Context,
  ): Promise<MatchStatusObject> {
    return this.toStatusObject(ctx, await this.matching.requestMatch(viewer(ctx), input));
  }

  @Authorized()
  @Mutation(() => MatchStatusObject, {
    description:
      'Next: searches again and leaves your current chat room in one call, as leaveRoom does (the peer gets PEER_LEFT with reason NEXT; the room is gone for you). The search starts first: when it is refused (RATE_LIMITED, BAD_USER_INPUT) the room stays open. The partner you leave is not offered to you again for MATCH_PAIR_MEMORY_HOURS. Nexts and declines beyond NEXT_PER_HOUR in an hour hold you off from searching for a growing time.',
  })
  async nextMatch(
    @Arg('input', () => MatchRequestInput, { description: 'The new search, as for requestMatch' })
    input: MatchRequestInput,
    @Arg('roomId', () => ID, {
      nullable: true,
      description: 'The room to leave; absent: your newest open room (none open: just searches)',
    })
    roomId: string | null | undefined,
    @Ctx() ctx: Context,
  ): Promise<MatchStatusObject> {
    return this.toStatusObject(ctx, await this.matching.nextMatch(viewer(ctx), input, roomId));
  }

  @Authorized()
  @Mutation(() => MatchStatusObject, { description: 'Leaves the queue; during an offer this declines it' })
  async cancelMatch(@Ctx() ctx: Context): Promise<MatchStatusObject> {
    return this.toStatusObject(ctx, await this.matching.cancel(viewer(ctx)));
  }

  @Authorized()
  @Mutation(() => MatchStatusObject, {
    description: 'Accepts or declines your open offer; NOT_FOUND if it is no longer open',
  })
  async respondToMatch(
    @Arg('matchId', () => ID, { description: 'The matchId of the OFFERED event' }) matchId: string,
    @Arg('accept', { description: 'true to accept, false to decline' }) accept: boolean,
    @Ctx() ctx: Context,
  ): Promise<MatchStatusObject> {
    return this.toStatusObject(ctx, await this.matching.respond(viewer(ctx), matchId, accept));
  }

  @Authorized()
  @Query(() => MatchStatusObject, { description: 'Your matching state, with the open offer if any' })
  async matchStatus(@Ctx() ctx: Context): Promise<MatchStatusObject> {
    return this.toStatusObject(ctx, await this.matching.status(viewer(ctx)));
  }

  @Subscription(() => MatchEventObject, {
    description:
      'Your own match events. Opens with the current offer, if any; keep it open while searching (without it you leave the queue after a short grace).',
    subscribe: ({ context }) => {
      const ctx = context as Context;
      if (!ctx.auth.user) throw new UnauthenticatedError(ctx.auth.error);
      return ctx.streams.matchEvents(ctx.auth.user.userId);
    },
  })
  async matchEvents(@Root() payload: MatchEventPayload, @Ctx() ctx: Context): Promise<MatchEventObject> {
    return this.toEventObject(ctx, payload);
  }
}
