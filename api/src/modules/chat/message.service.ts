import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Em, Orm } from '../../infra/db/orm';
import { BadUserInputError, ConflictError, ForbiddenError, RateLimitedError } from '../../infra/graphql/errors';
import type { RateLimiter } from '../../infra/ratelimit/rate-limiter.port';
import type { MediaService } from '../media';
import { userColumns, userFromRow, type UserFields } from '../users';
import { toMessagePayload, type MessagePayload } from './chat.events';
import { Message } from './message.entity';
import { RoomMember } from './room-member.entity';
import type { RoomService } from './room.service';

export interface MessageServiceDeps {
  orm: Orm;
  rooms: RoomService;
  limiters: { send: RateLimiter; typing: RateLimiter };
  /** Checks that an attached image is one of the sender's uploads. */
  media: Pick<MediaService, 'ownedUpload'>;
  onMessage?: () => void;
}

export const MAX_BODY_LENGTH = 2000;

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
 * Messages: durable, ordered, idempotent. Every write commits before anything is published; the
 * database stays the source of truth and pub/sub only a fast path.
 */
export class MessageService {
  constructor(private readonly deps: MessageServiceDeps) {}

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
    const rows = await em.getConnection().execute<Row[]>(SEND_CHECK_SQL, [input.clientMessageId, input.roomId, userId]);
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
    await this.deps.rooms.publish({ type: 'MESSAGE', roomId: input.roomId, message });
    return { message, sender };
  }

  /**
   * A message's sender for a live event, read fresh from the primary as a plain row: a
   * subscription's context lives as long as the subscription, and an identity map kept that long
   * would show a nickname as it was when the first event came.
   */
  async sender(userId: string): Promise<UserFields | null> {
    const [row] = await this.deps.orm.em.getConnection().execute<Row[]>(USER_SQL, [userId]);
    return row ? userFromRow(row, 'user') : null;
  }

  /**
   * History, newest page first; within the page oldest first. Read from a replica, then checked
   * against the room's last seq, which `membership` read from the primary: seqs have no gaps, so a
   * page that does not run unbroken down from its newest seq comes from a replica that is behind
   * (e.g. it lacks the message the caller just sent), and is read again from the primary.
   */
  async history(em: Em, userId: string, roomId: string, last: number, beforeSeq: number | null) {
    const member = await this.deps.rooms.membership(em, roomId, userId);
    const newest = Math.min(member.room.getEntity().lastSeq, beforeSeq === null ? Infinity : beforeSeq - 1);
    const page = (connectionType: 'read' | 'write') =>
      em.find(
        Message,
        { room: roomId, seq: { $lte: newest } },
        { orderBy: { seq: 'desc' }, limit: last + 1, connectionType },
      );
    let rows = await page('read');
    const complete =
      rows.length === Math.min(last + 1, Math.max(newest, 0)) && rows.every((m, i) => m.seq === newest - i);
    if (!complete) rows = await page('write');
    return { messages: rows.slice(0, last).reverse().map(toMessagePayload), hasOlder: rows.length > last };
  }

  /** Catch-up after a reconnect, from the primary so that nothing committed is skipped. */
  async after(em: Em, userId: string, roomId: string, afterSeq: number, first: number): Promise<MessagePayload[]> {
    await this.deps.rooms.membership(em, roomId, userId);
    const rows = await em.find(
      Message,
      { room: roomId, seq: { $gt: afterSeq } },
      { orderBy: { seq: 'asc' }, limit: first },
    );
    return rows.map(toMessagePayload);
  }

  /** Moves the caller's read pointer forward (never back, never past the last message). */
  async markRead(em: Em, userId: string, roomId: string, seq: number): Promise<void> {
    const member = await this.deps.rooms.membership(em, roomId, userId);
    const target = Math.min(seq, member.room.getEntity().lastSeq);
    if (target <= member.lastReadSeq) return;
    const moved = await em.nativeUpdate(
      RoomMember,
      { room: roomId, user: userId, lastReadSeq: { $lt: target } },
      { lastReadSeq: target },
    );
    if (moved > 0) await this.deps.rooms.publish({ type: 'READ', roomId, userId, seq: target });
  }

  async typing(userId: string, roomId: string): Promise<void> {
    const member = await this.deps.rooms.membership(this.deps.orm.em.fork(), roomId, userId);
    if (member.room.getEntity().closedAt) throw new ConflictError('This room is closed');
    const limit = await this.deps.limiters.typing.consume(userId);
    if (!limit.allowed) throw new RateLimitedError('Too many typing notifications', limit.retryAfterMs);
    await this.deps.rooms.publish({ type: 'TYPING', roomId, userId });
  }

  /** Which of these uploads were sent in a message (they stay in the peers' history), from the primary. */
  async uploadsInUse(em: Em, uploadIds: string[]): Promise<Set<string>> {
    const sent = await em.find(Message, { image: { $in: uploadIds } }, { fields: ['image'] });
    return new Set(sent.flatMap((m) => (m.image ? [m.image.id] : [])));
  }

  private findSent(em: Em, roomId: string, senderId: string, clientMessageId: string): Promise<Message | null> {
    return em.findOne(Message, { room: roomId, sender: senderId, clientMessageId });
  }

  /** A retry: same key and same content return the stored message; the same key for new content is a conflict. */
  private replay(message: Message, body: string, imageId: string | null): MessagePayload {
    if (message.body !== body || (message.image?.id ?? null) !== imageId) {
      throw new ConflictError('clientMessageId was already used for a different message');
    }
    return toMessagePayload(message);
  }
}
