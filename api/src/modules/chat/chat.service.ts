import { randomUUID } from 'node:crypto';
import { ref, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Em, Orm } from '../../infra/db/orm';
import {
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
} from '../../infra/graphql/errors';
import type { PubSub } from '../../infra/pubsub/pubsub.port';
import { ended, relay } from '../../infra/pubsub/relay';
import type { RateLimiter } from '../../infra/ratelimit/rate-limiter.port';
import type { MatchQueue } from '../matching/match-queue.port';
import { Block } from '../users/block.entity';
import { User } from '../users/user.entity';
import { userColumns, userFromRow } from '../users/user.row';
import type { UserFields } from '../users/user.types';
import type { MediaService } from '../media/media.service';
import { Message } from './message.entity';
import { RoomClosedReason } from './room-closed-reason';
import { Report } from './report.entity';
import { RoomMember } from './room-member.entity';
import { Room } from './room.entity';

/** Pub/sub topic of one room: every instance with a subscriber in the room listens to it. */
export const roomTopic = (roomId: string) => `room:${roomId}`;

/** A message as it travels over pub/sub (plain JSON). */
export interface MessagePayload {
  id: string;
  roomId: string;
  seq: number;
  senderId: string;
  body: string;
  clientMessageId: string;
  createdAt: string;
  /** The attached upload, if any. */
  imageId?: string | null;
}

export interface RoomEventPayload {
  type: 'MESSAGE' | 'TYPING' | 'READ' | 'PEER_LEFT';
  roomId: string;
  message?: MessagePayload;
  userId?: string;
  seq?: number;
  /** Why the room closed (PEER_LEFT). */
  reason?: RoomClosedReason;
}

/** A room just closed, with both members (to lift their matching exclusion). */
export interface ClosedRoom {
  roomId: string;
  memberIds: string[];
}

export interface ChatLimiters {
  send: RateLimiter;
  typing: RateLimiter;
  report: RateLimiter;
}

export interface ChatServiceDeps {
  orm: Orm;
  pubsub: PubSub;
  /** Mirrors blocks and open rooms into matching. */
  queue: MatchQueue;
  limiters: ChatLimiters;
  /** Checks that an attached image is one of the sender's uploads. */
  media: Pick<MediaService, 'ownedUpload'>;
  onMessage?: () => void;
}

export const MAX_BODY_LENGTH = 2000;
export const MAX_REASON_LENGTH = 1000;

export function toMessagePayload(m: Message): MessagePayload {
  return {
    id: m.id,
    roomId: m.room.id,
    seq: m.seq,
    senderId: m.sender.id,
    body: m.body,
    clientMessageId: m.clientMessageId,
    createdAt: m.createdAt.toISOString(),
    imageId: m.image?.id ?? null,
  };
}

/** A stored message and its sender, as `sendMessage` answers. */
export interface SentMessage {
  message: MessagePayload;
  sender: UserFields;
}

/** The caller's membership, the room's state, an earlier send with the same key, and the caller. */
const SEND_CHECK_SQL = `SELECT r.closed_at, sent.id AS sent_id, ${userColumns('u', 'user', { email: true })}
FROM room_members me
JOIN rooms r ON r.id = me.room_id
JOIN users u ON u.id = me.user_id
LEFT JOIN messages sent ON sent.room_id = me.room_id AND sent.sender_id = me.user_id AND sent.client_message_id = ?
WHERE me.room_id = ? AND me.user_id = ?`;

/** One user as the GraphQL view reads them (the email shows only to that user). */
const USER_SQL = `SELECT ${userColumns('u', 'user', { email: true })} FROM users u WHERE u.id = ?`;

type Row = Record<string, unknown>;

const lengthOf = (s: string) => [...s].length;

/**
 * Chat: durable, ordered, idempotent messages and the room lifecycle. Every write commits before
 * anything is published; the database stays the source of truth and pub/sub only a fast path.
 */
export class ChatService {
  constructor(private readonly deps: ChatServiceDeps) {}

  /**
   * The caller's membership of an open-or-closed room, read from the primary. Unknown rooms and
   * rooms of others are refused identically, so ids cannot be probed.
   */
  async membership(em: Em, roomId: string, userId: string): Promise<RoomMember> {
    const member = await em.findOne(
      RoomMember,
      { room: roomId, user: userId },
      { populate: ['room'], connectionType: 'write' },
    );
    if (!member) throw new ForbiddenError(`You are not a member of room ${roomId}`);
    return member;
  }

  /**
   * Stores a message: one transaction takes the room row's lock while bumping its seq, inserts, and
   * moves the sender's read pointer; the (room, sender, clientMessageId) key makes retries
   * idempotent. Only then is it published. A retry with the same clientMessageId returns the stored
   * message and publishes nothing.
   *
   * The hot path of the service, in plain SQL without entity hydration: one statement reads the
   * membership, the room's state, an earlier send with this key and the sender, then the
   * transaction runs four.
   */
  async send(
    userId: string,
    input: { roomId: string; body?: string | null; imageId?: string | null; clientMessageId: string },
  ): Promise<SentMessage> {
    const em = this.deps.orm.em.fork();
    // Membership first: a non-member learns nothing, not even which input would be valid.
    const rows = await em
      .getConnection('write')
      .execute<Row[]>(SEND_CHECK_SQL, [input.clientMessageId, input.roomId, userId]);
    const check = rows[0];
    if (!check) throw new ForbiddenError(`You are not a member of room ${input.roomId}`);
    const sender = userFromRow(check, 'user');
    const body = (input.body ?? '').trim();
    const imageId = input.imageId ?? null;
    if (lengthOf(body) > MAX_BODY_LENGTH || (lengthOf(body) < 1 && !imageId)) {
      throw new BadUserInputError(
        `body must be 1 to ${MAX_BODY_LENGTH} characters after trimming (or send an imageId), got ${lengthOf(body)}`,
        'body',
      );
    }
    const replay = async () => {
      const sent = await this.findSent(em, input.roomId, userId, input.clientMessageId);
      return sent ? { message: this.replay(sent, body, imageId), sender } : null;
    };
    if (check.sent_id) {
      // Gone again only if it was deleted meanwhile: then this send is a new one.
      const again = await replay();
      if (again) return again;
    }
    if (check.closed_at !== null) throw new ConflictError('This room is closed: no new messages');
    if (imageId) await this.deps.media.ownedUpload(em, userId, imageId);
    const limit = await this.deps.limiters.send.consume(userId);
    if (!limit.allowed) throw new RateLimitedError('Too many messages; slow down', limit.retryAfterMs);

    const createdAt = new Date();
    const message: MessagePayload = {
      id: randomUUID(),
      roomId: input.roomId,
      seq: 0,
      senderId: userId,
      body,
      clientMessageId: input.clientMessageId,
      createdAt: createdAt.toISOString(),
      imageId,
    };
    try {
      await em.transactional(async (tx) => {
        // Takes the room row's lock: sends to one room queue here, and get consecutive seqs.
        const bumped = await tx.execute<{ affectedRows: number }>(
          'UPDATE rooms SET last_seq = last_seq + 1, last_activity_at = ? WHERE id = ? AND closed_at IS NULL',
          [createdAt, input.roomId],
          'run',
        );
        if (bumped.affectedRows === 0) throw new ConflictError('This room is closed: no new messages');
        const [room] = await tx.execute<Array<{ last_seq: number }>>('SELECT last_seq FROM rooms WHERE id = ?', [
          input.roomId,
        ]);
        message.seq = Number(room!.last_seq);
        await tx.execute(
          'INSERT INTO messages (id, room_id, seq, sender_id, client_message_id, body, image_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          [message.id, input.roomId, message.seq, userId, input.clientMessageId, body, imageId, createdAt],
          'run',
        );
        await tx.execute(
          'UPDATE room_members SET last_read_seq = ? WHERE room_id = ? AND user_id = ?',
          [message.seq, input.roomId, userId],
          'run',
        );
      });
    } catch (err) {
      // A concurrent retry with the same key committed first.
      if (err instanceof UniqueConstraintViolationException) {
        const winner = await replay();
        if (winner) return winner;
      }
      throw err;
    }
    this.deps.onMessage?.();
    await this.publish({ type: 'MESSAGE', roomId: input.roomId, message });
    return { message, sender };
  }

  /**
   * A message's sender for a live event, read fresh from the primary as a plain row: a
   * subscription's context lives as long as the subscription, and an identity map kept that long
   * would show a nickname as it was when the first event came.
   */
  async sender(userId: string): Promise<UserFields | null> {
    const [row] = await this.deps.orm.em.getConnection('write').execute<Row[]>(USER_SQL, [userId]);
    return row ? userFromRow(row, 'user') : null;
  }

  /**
   * History, newest page first; within the page oldest first. Read from a replica, then checked
   * against the room's last seq, which `membership` read from the primary: seqs have no gaps, so a
   * page that does not run unbroken down from its newest seq comes from a replica that is behind
   * (e.g. it lacks the message the caller just sent), and is read again from the primary.
   */
  async history(em: Em, userId: string, roomId: string, last: number, beforeSeq: number | null) {
    const member = await this.membership(em, roomId, userId);
    const newest = Math.min(member.room.getEntity().lastSeq, beforeSeq === null ? Infinity : beforeSeq - 1);
    const page = (connectionType?: 'write') =>
      em.find(
        Message,
        { room: roomId, seq: { $lte: newest } },
        { orderBy: { seq: 'desc' }, limit: last + 1, connectionType },
      );
    let rows = await page();
    const complete =
      rows.length === Math.min(last + 1, Math.max(newest, 0)) && rows.every((m, i) => m.seq === newest - i);
    if (!complete) rows = await page('write');
    return { messages: rows.slice(0, last).reverse().map(toMessagePayload), hasOlder: rows.length > last };
  }

  /** Catch-up after a reconnect, from the primary so that nothing committed is skipped. */
  async after(em: Em, userId: string, roomId: string, afterSeq: number, first: number): Promise<MessagePayload[]> {
    await this.membership(em, roomId, userId);
    const rows = await em.find(
      Message,
      { room: roomId, seq: { $gt: afterSeq } },
      { orderBy: { seq: 'asc' }, limit: first, connectionType: 'write' },
    );
    return rows.map(toMessagePayload);
  }

  /** Moves the caller's read pointer forward (never back, never past the last message). */
  async markRead(em: Em, userId: string, roomId: string, seq: number): Promise<void> {
    const member = await this.membership(em, roomId, userId);
    const target = Math.min(seq, member.room.getEntity().lastSeq);
    if (target <= member.lastReadSeq) return;
    const moved = await em.nativeUpdate(
      RoomMember,
      { room: roomId, user: userId, lastReadSeq: { $lt: target } },
      { lastReadSeq: target },
    );
    if (moved > 0) await this.publish({ type: 'READ', roomId, userId, seq: target });
  }

  async typing(userId: string, roomId: string): Promise<void> {
    const member = await this.membership(this.deps.orm.em.fork(), roomId, userId);
    if (member.room.getEntity().closedAt) throw new ConflictError('This room is closed');
    const limit = await this.deps.limiters.typing.consume(userId);
    if (!limit.allowed) throw new RateLimitedError('Too many typing notifications', limit.retryAfterMs);
    await this.publish({ type: 'TYPING', roomId, userId });
  }

  /** Closes the room for both members; history stays readable. False when it was already closed. */
  async leave(userId: string, roomId: string): Promise<boolean> {
    const em = this.deps.orm.em.fork();
    await this.membership(em, roomId, userId);
    return this.close(em, roomId, userId, RoomClosedReason.LEFT);
  }

  /** Blocks a user: stored, shared rooms closed, never matched again. Idempotent. */
  async block(userId: string, otherId: string): Promise<void> {
    if (otherId === userId) throw new BadUserInputError('You cannot block yourself', 'userId');
    const em = this.deps.orm.em.fork();
    await this.requireUser(em, otherId);
    try {
      await em.persistAndFlush(new Block(ref(em.getReference(User, userId)), ref(em.getReference(User, otherId))));
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException)) throw err;
    }
    await this.deps.queue.setExcluded(userId, otherId, 'blocked', true);
    const shared = await em.find(
      RoomMember,
      { user: userId, room: { closedAt: null, members: { user: otherId } } },
      { connectionType: 'write' },
    );
    for (const member of shared) await this.close(em, member.room.id, userId, RoomClosedReason.BLOCKED);
  }

  async report(userId: string, otherId: string, reason: string): Promise<void> {
    const text = reason.trim();
    if (lengthOf(text) < 1 || lengthOf(text) > MAX_REASON_LENGTH) {
      throw new BadUserInputError(`reason must be 1 to ${MAX_REASON_LENGTH} characters after trimming`, 'reason');
    }
    if (otherId === userId) throw new BadUserInputError('You cannot report yourself', 'userId');
    const em = this.deps.orm.em.fork();
    await this.requireUser(em, otherId);
    const limit = await this.deps.limiters.report.consume(userId);
    if (!limit.allowed) throw new RateLimitedError('Too many reports', limit.retryAfterMs);
    await em.persistAndFlush(new Report(ref(em.getReference(User, userId)), ref(em.getReference(User, otherId)), text));
  }

  /**
   * The room's live events for one member: MESSAGE, READ, PEER_LEFT and the peer's TYPING (not
   * their own). The stream ends after PEER_LEFT; for a closed room it ends at once.
   *
   * Messages come in seq order, each once, starting after the last one stored when the subscription
   * began. Senders publish after their commits, so publishes can overtake each other (across
   * instances above all): a message beyond the next expected seq proves the ones before it are
   * committed, and they are read from the primary and delivered first; their late copies are
   * skipped. PEER_LEFT is preceded by whatever was committed before the room closed.
   */
  async events(userId: string, roomId: string): Promise<AsyncIterableIterator<RoomEventPayload>> {
    const em = this.deps.orm.em.fork();
    const member = await this.membership(em, roomId, userId);
    if (member.room.getEntity().closedAt) return ended();
    let delivered = member.room.getEntity().lastSeq;
    const live = await this.deps.pubsub.subscribe<RoomEventPayload>(roomTopic(roomId));
    // The room may have closed between the check and the subscription.
    const room = await em.findOne(Room, { id: roomId }, { refresh: true, connectionType: 'write' });
    if (room?.closedAt) {
      await live.return?.();
      return ended();
    }
    const catchUp = async (beforeSeq?: number): Promise<RoomEventPayload[]> => {
      const seq = beforeSeq === undefined ? { $gt: delivered } : { $gt: delivered, $lt: beforeSeq };
      const rows = await this.deps.orm.em
        .fork()
        .find(Message, { room: roomId, seq }, { orderBy: { seq: 'asc' }, connectionType: 'write' });
      delivered = Math.max(delivered, rows.at(-1)?.seq ?? 0);
      return rows.map((m) => ({ type: 'MESSAGE', roomId, message: toMessagePayload(m) }));
    };
    return relay<RoomEventPayload, RoomEventPayload>(live, async (event) => {
      if (event.type === 'TYPING' && event.userId === userId) return {};
      if (event.type === 'PEER_LEFT') return { values: await catchUp(), value: event, done: true };
      if (event.type !== 'MESSAGE' || !event.message) return { value: event };
      const { seq } = event.message;
      if (seq <= delivered) return {};
      const missed = seq > delivered + 1 ? await catchUp(seq) : [];
      delivered = seq;
      return { values: missed, value: event };
    });
  }

  private async close(em: Em, roomId: string, userId: string, reason: RoomClosedReason): Promise<boolean> {
    // clear: the room loaded by the membership check would otherwise be written back at commit.
    const closed = await em.transactional((tx) => this.closeRooms(tx, [roomId], userId, reason), { clear: true });
    if (closed.length === 0) return false;
    await this.announceClosed(closed, userId, reason);
    return true;
  }

  /**
   * Closes every open room of `userId` inside the caller's transaction (account deletion); call
   * `announceClosed` with the result after the commit.
   */
  async closeRoomsOf(tx: Em, userId: string, reason: RoomClosedReason): Promise<ClosedRoom[]> {
    const open = await tx.find(RoomMember, { user: userId, room: { closedAt: null } });
    return this.closeRooms(
      tx,
      open.map((m) => m.room.id),
      userId,
      reason,
    );
  }

  /** After the commit: the pair may meet again in matching, and the peer hears PEER_LEFT. */
  async announceClosed(rooms: ClosedRoom[], userId: string, reason: RoomClosedReason): Promise<void> {
    for (const { roomId, memberIds } of rooms) {
      const [a, b] = memberIds;
      if (a && b) await this.deps.queue.setExcluded(a, b, 'openRooms', false);
      await this.publish({ type: 'PEER_LEFT', roomId, userId, reason });
    }
  }

  /** Closes the rooms still open among `roomIds` (each exactly once, whoever races) and marks who left. */
  private async closeRooms(tx: Em, roomIds: string[], userId: string, reason: RoomClosedReason): Promise<ClosedRoom[]> {
    const now = new Date();
    const closed: ClosedRoom[] = [];
    for (const roomId of roomIds) {
      const changed = await tx.nativeUpdate(
        Room,
        { id: roomId, closedAt: null },
        { closedAt: now, closedReason: reason, lastActivityAt: now },
      );
      if (changed === 0) continue;
      await tx.nativeUpdate(RoomMember, { room: roomId, user: userId }, { leftAt: now });
      const members = await tx.find(RoomMember, { room: roomId });
      closed.push({ roomId, memberIds: members.map((m) => m.user.id) });
    }
    return closed;
  }

  private findSent(em: Em, roomId: string, senderId: string, clientMessageId: string): Promise<Message | null> {
    return em.findOne(Message, { room: roomId, sender: senderId, clientMessageId }, { connectionType: 'write' });
  }

  /** A retry: same key and same content return the stored message; the same key for new content is a conflict. */
  private replay(message: Message, body: string, imageId: string | null): MessagePayload {
    if (message.body !== body || (message.image?.id ?? null) !== imageId) {
      throw new ConflictError('clientMessageId was already used for a different message');
    }
    return toMessagePayload(message);
  }

  private async requireUser(em: Em, id: string): Promise<void> {
    if (!(await em.findOne(User, { id }, { fields: ['id'], connectionType: 'write' })))
      throw new NotFoundError(`No user ${id}`);
  }

  private publish(event: RoomEventPayload): Promise<void> {
    return this.deps.pubsub.publish(roomTopic(event.roomId), event);
  }
}
