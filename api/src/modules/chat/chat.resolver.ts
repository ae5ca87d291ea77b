import type { GraphQLResolveInfo } from 'graphql';
import {
  Arg,
  Authorized,
  Ctx,
  Extensions,
  ID,
  Info,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import type { SqlRunner } from '../../infra/db/sql-runner.port';
import { viewerId as viewer, type Context } from '../../infra/graphql/context';
import { BadUserInputError, UnauthenticatedError } from '../../infra/graphql/errors';
import { selectsAny } from '../../infra/graphql/selection';
import { userFromPayload, type ProfileService, type UserFields } from '../users';
import type { MessagePayload, RoomEventPayload } from './chat.events';
import { SendMessageInput } from './chat.inputs';
import { MessageConnection, RoomConnection, RoomEventObject, RoomEventType } from './chat.types';
import type { MessageService } from './message.service';
import { MessageObject, toMessageObject } from './message.types';
import { listRooms, loadRoomView } from './room.queries';
import type { RoomService } from './room.service';
import { RoomObject } from './room.types';

declare module '../../infra/graphql/context' {
  interface SubscriptionStreams {
    /** The caller's view of one room's live events (see RoomStream). */
    roomEvents(userId: string, roomId: string): Promise<AsyncIterableIterator<RoomEventPayload>>;
  }
}

function inRange(name: string, value: number, min: number, max: number): number {
  if (value < min || value > max)
    throw new BadUserInputError(`${name} must be between ${min} and ${max}, got ${value}`, name);
  return value;
}

function seqCursor(cursor: string | null | undefined): number | null {
  if (cursor == null) return null;
  if (!/^[1-9]\d{0,9}$/.test(cursor))
    throw new BadUserInputError('before must be a cursor returned by messages', 'before');
  return Number(cursor);
}

@Resolver()
export class ChatResolver {
  constructor(
    private readonly messageService: MessageService,
    private readonly roomService: RoomService,
    private readonly profile: ProfileService,
    private readonly sql: SqlRunner,
  ) {}

  /** Converts messages for the caller, loading their senders in one statement. */
  private async withSenders(ctx: Context, payloads: MessagePayload[]): Promise<MessageObject[]> {
    const senders = await this.profile.findMany(
      ctx.em,
      payloads.map((p) => p.senderId),
    );
    return payloads.map((p) => {
      const sender = senders.get(p.senderId);
      if (!sender) throw new Error(`message ${p.id} has no sender ${p.senderId}`);
      return toMessageObject(p, sender, viewer(ctx));
    });
  }

  @Authorized()
  @Query(() => RoomConnection, { description: 'Your rooms, newest activity first; rooms you left are gone' })
  async rooms(
    @Arg('first', () => Int, { defaultValue: 20, description: '1..100' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page' }) after: string | null,
    @Ctx() ctx: Context,
  ): Promise<RoomConnection> {
    return listRooms({ em: ctx.em, sql: this.sql }, viewer(ctx), inRange('first', first, 1, 100), after);
  }

  @Authorized()
  @Query(() => RoomObject, {
    description: 'One of your rooms; FORBIDDEN for anyone else, and for you once you left it',
  })
  async room(@Arg('id', () => ID, { description: 'Room id' }) id: string, @Ctx() ctx: Context): Promise<RoomObject> {
    return loadRoomView(ctx.em, id, viewer(ctx));
  }

  @Authorized()
  @Query(() => MessageConnection, {
    description: 'History, newest page first (oldest first within a page); members only',
  })
  async messages(
    @Arg('roomId', () => ID, { description: 'Room id' }) roomId: string,
    @Arg('last', () => Int, { defaultValue: 50, description: 'Page size, 1..100' }) last: number,
    @Arg('before', () => String, { nullable: true, description: 'startCursor of the page after (to go back in time)' })
    before: string | null,
    @Ctx() ctx: Context,
  ): Promise<MessageConnection> {
    const page = await this.messageService.history(
      ctx.em,
      viewer(ctx),
      roomId,
      inRange('last', last, 1, 100),
      seqCursor(before),
    );
    const nodes = await this.withSenders(ctx, page.messages);
    const edges = nodes.map((node) => ({ cursor: String(node.seq), node }));
    return {
      edges,
      pageInfo: {
        hasPreviousPage: page.hasOlder,
        hasNextPage: before != null,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
    };
  }

  @Authorized()
  @Query(() => [MessageObject], {
    description:
      'Catch-up after a reconnect: messages with seq > afterSeq, oldest first, read from the primary; members only',
  })
  async messagesAfter(
    @Arg('roomId', () => ID, { description: 'Room id' }) roomId: string,
    @Arg('afterSeq', () => Int, { description: 'The last seq you have' }) afterSeq: number,
    @Arg('first', () => Int, { defaultValue: 100, description: 'At most this many, 1..500' }) first: number,
    @Ctx() ctx: Context,
  ): Promise<MessageObject[]> {
    const messages = await this.messageService.after(
      ctx.em,
      viewer(ctx),
      roomId,
      inRange('afterSeq', afterSeq, 0, 2 ** 31 - 1),
      inRange('first', first, 1, 500),
    );
    return this.withSenders(ctx, messages);
  }

  // Sheddable: an overloaded instance refuses sends first (UNAVAILABLE, nothing stored); clients
  // keep them queued and retry, while catch-ups go through.
  @Authorized()
  @Extensions({ sheddable: true })
  @Mutation(() => MessageObject, {
    description:
      'Stores and delivers a message. The answer means it is stored. Retrying with the same clientMessageId returns the same message.',
  })
  async sendMessage(
    @Arg('input', () => SendMessageInput, { description: 'The room, the text and/or image, and your idempotency key' })
    input: SendMessageInput,
    @Ctx() ctx: Context,
  ): Promise<MessageObject> {
    const { message, sender } = await this.messageService.send(viewer(ctx), input);
    return toMessageObject(message, sender, viewer(ctx));
  }

  @Authorized()
  @Mutation(() => RoomObject, {
    description: 'Marks the room read up to seq (never backwards); the peer gets a READ event',
  })
  async markRoomRead(
    @Arg('roomId', () => ID, { description: 'Room id' }) roomId: string,
    @Arg('seq', () => Int, { description: 'Highest seq read' }) seq: number,
    @Ctx() ctx: Context,
  ): Promise<RoomObject> {
    await this.messageService.markRead(ctx.em, viewer(ctx), roomId, inRange('seq', seq, 0, 2 ** 31 - 1));
    return loadRoomView(ctx.em, roomId, viewer(ctx));
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description:
      'Leaves the room: it closes for both and is gone for you (the peer can read it, closed, until they leave too; moderators read a reported one until the purge). False if it was already closed, also when you had left it already',
  })
  async leaveRoom(
    @Arg('roomId', () => ID, { description: 'Room id' }) roomId: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return this.roomService.leave(viewer(ctx), roomId);
  }

  @Authorized()
  @Extensions({ sheddable: true })
  @Mutation(() => Boolean, { description: 'Tells the peer you are typing (ephemeral, never stored)' })
  async setTyping(
    @Arg('roomId', () => ID, { description: 'Room id' }) roomId: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await this.messageService.typing(viewer(ctx), roomId);
    return true;
  }

  @Subscription(() => RoomEventObject, {
    description:
      "A room's live events (members only). After a reconnect, call messagesAfter with your last seq and merge by seq.",
    subscribe: ({ args, context }) => {
      const ctx = context as Context;
      if (!ctx.auth.user) throw new UnauthenticatedError(ctx.auth.error);
      return ctx.streams.roomEvents(ctx.auth.user.userId, String(args.roomId));
    },
  })
  async roomEvents(
    @Arg('roomId', () => ID, { description: 'Room id' }) _roomId: string,
    @Root() event: RoomEventPayload,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<RoomEventObject> {
    let message: MessageObject | null = null;
    if (event.message) {
      const { id, senderId } = event.message;
      // The sender as published with the message, unless the event has none (a gap filled from
      // the database) or the sender reads their own email, which events never carry.
      const ownEmail = senderId === viewer(ctx) && selectsAny(info, ['message', 'sender'], ['email', 'maskedEmail']);
      const sender: UserFields | null =
        event.sender && !ownEmail ? userFromPayload(event.sender) : await this.messageService.sender(senderId);
      if (!sender) throw new Error(`message ${id} has no sender ${senderId}`);
      message = toMessageObject(event.message, sender, viewer(ctx));
    }
    return Object.assign(new RoomEventObject(), {
      type: RoomEventType[event.type],
      roomId: event.roomId,
      message,
      userId: event.userId ?? null,
      seq: event.seq ?? null,
      reason: event.reason ?? null,
    });
  }
}
