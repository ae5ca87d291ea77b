import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Em, Orm } from '../../infra/db/orm';
import type { SqlRunner } from '../../infra/db/sql-runner.port';
import type { DomainEvents } from '../../infra/events/domain-events';
import { BadUserInputError, ConflictError, RateLimitedError } from '../../infra/graphql/errors';
import type { Logger } from '../../infra/logger';
import type { RateLimiter } from '../../infra/ratelimit/rate-limiter.port';
import type { Clock } from '../../infra/clock';
import { hasControlCharacter, hasVisibleCharacter } from '../../infra/text';
import type { MediaService } from '../media';
import { phoneRequired, toUserPayload, userColumns, userFromRow, type UserFields } from '../users';
import { notAMember } from './chat.errors';
import { MessageSent, toMessagePayload, type MessagePayload } from './chat.events';
import { Message } from './message.entity';
import { maskContacts, type MaskResult } from './link-guard';
import { findSent, SEND_CHECK_SQL, sentMessage, storeMessage, type SendGuard } from './message.store';
import { RoomMember } from './room-member.entity';
import type { RoomService } from './room.service';

export interface MessageServiceDeps {
  orm: Orm;
  /** The send path's statements, below the ORM. */
  sql: SqlRunner;
  rooms: RoomService;
  /** Where MessageSent goes (Web Push listens). */
  events: DomainEvents;
  /** sendMessage per user; `sendNewAccount` on top of it in an account's first day (NEW_ACCOUNT_PERIOD). */
  limiters: { send: RateLimiter; sendNewAccount: RateLimiter; typing: RateLimiter };
  trust: TrustRules;
  clock: Clock;
  /** Checks that an attached image is one of the sender's uploads. */
  media: Pick<MediaService, 'ownedUpload'>;
  logger: Logger;
  onMessage?: () => void;
}

/** The safety rules on sends (issue L), from the configuration. */
export interface TrustRules {
  /** Contacts are hidden in a sender's first this many messages of a room; 0: never. */
  linkGuardMessages: number;
  /** The country of phone numbers written without +country code. */
  phoneCountry: string;
  /** An account is new (tighter limits) for this long after sign-up. */
  newAccountPeriodMs: number;
  /** Sends need a verified phone. */
  requirePhoneVerification: boolean;
}

export const MAX_BODY_LENGTH = 2000;

/** A stored message and its sender, as `sendMessage` answers. */
export interface SentMessage {
  message: MessagePayload;
  sender: UserFields;
}

/** One user as the GraphQL view reads them (the email shows only to that user). */
const USER_SQL = `SELECT ${userColumns('u', 'user', { email: true })} FROM users u WHERE u.id = ?`;

type Row = Record<string, unknown>;

const lengthOf = (s: string) => [...s].length;

/** Why a body was refused: too long, control characters, or nothing visible (and no image). */
function malformedBody(given: string, body: string): string {
  if (hasControlCharacter(given)) return 'body may not contain control characters other than tab and line breaks';
  if (given !== body) return 'body must contain visible characters (or send an imageId)';
  return `body must be 1 to ${MAX_BODY_LENGTH} characters after trimming (or send an imageId), got ${lengthOf(body)}`;
}

/** Marks `promise` handled (its rejection is read later, or not at all on an earlier refusal). */
function started<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

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
   * The hot path, in prepared statements below the ORM (message.store.ts), on one connection:
   * the check (membership, room state, an earlier send with this key, the sender) with BEGIN
   * pipelined behind it, while the rate limit is spent in parallel; the seq bump; the INSERT and
   * the read pointer; COMMIT; then PUBLISH. Refusals answer in the order membership (a non-member
   * learns nothing, not even which input would be valid), input, retry, closed room, image, rate
   * limit; a send refused after the check (or answered as a retry) has still spent a point of the
   * sender's budget.
   */
  async send(
    userId: string,
    input: { roomId: string; body?: string | null; imageId?: string | null; clientMessageId: string },
  ): Promise<SentMessage> {
    const { roomId, clientMessageId: key } = input;
    const given = (input.body ?? '').trim();
    // Text that shows nothing (zero-width characters, Hangul fillers) is no text.
    const body = hasVisibleCharacter(given) ? given : '';
    const imageId = input.imageId ?? null;
    const wellFormed =
      lengthOf(body) <= MAX_BODY_LENGTH && (lengthOf(body) >= 1 || imageId !== null) && !hasControlCharacter(body);
    const limit = wellFormed ? started(this.deps.limiters.send.consume(userId)) : null;
    // Before the session: on SQLite the ORM's one connection is the session's while it lasts.
    const image = wellFormed && imageId ? await this.imageCheck(userId, imageId) : null;
    const guard = wellFormed ? this.guardOf(body) : undefined;
    const { sql, trust } = this.deps;
    const sent = await sql.session(async (db) => {
      const checking = db.all(SEND_CHECK_SQL, [key, roomId, userId]);
      const begun = wellFormed ? started(db.begin()) : null;
      const [check] = await checking;
      if (!check) throw notAMember(roomId);
      const sender = userFromRow(check, 'user');
      if (trust.requirePhoneVerification && !sender.phoneVerifiedAt) throw phoneRequired('send messages');
      if (!wellFormed) throw new BadUserInputError(malformedBody(given, body), 'body');
      const earlier = sentMessage(check, roomId, userId, key);
      if (earlier) return { message: this.replay(earlier, body, imageId, guard?.masked), sender, stored: false };
      if (check.closed_at !== null) throw new ConflictError('This room is closed: no new messages');
      image?.verdict();
      const allowed = await limit!;
      if (!allowed.allowed) throw new RateLimitedError('Too many messages; slow down', allowed.retryAfterMs);
      if (this.isNew(sender)) {
        const extra = await this.deps.limiters.sendNewAccount.consume(userId);
        if (!extra.allowed) {
          const perMinute = this.deps.limiters.sendNewAccount.policy.points;
          throw new RateLimitedError(
            `New accounts may send ${perMinute} messages a minute in their first day; slow down`,
            extra.retryAfterMs,
          );
        }
      }
      await begun;

      const createdAt = new Date(this.deps.clock());
      const draft: MessagePayload = {
        id: randomUUID(),
        roomId,
        seq: 0,
        senderId: userId,
        body,
        clientMessageId: key,
        createdAt: createdAt.toISOString(),
        imageId,
      };
      try {
        const message = await storeMessage(db, sql.dialect, draft, createdAt, guard);
        if (!message) throw new ConflictError('This room is closed: no new messages');
        return { message, sender, stored: true };
      } catch (err) {
        if (!(err instanceof UniqueConstraintViolationException)) throw err;
        // A concurrent retry with the same key committed first: answer with its message.
        await db.rollback();
        const winner = await findSent(db, roomId, userId, key);
        if (!winner) throw err;
        return { message: this.replay(winner, body, imageId, guard?.masked), sender, stored: false };
      }
    });
    if (sent.stored) {
      this.deps.onMessage?.();
      // Stored is acknowledged: a publish that fails (Redis away) loses only the live delivery,
      // which the peers' catch-up (messagesAfter) makes good.
      await this.deps.rooms
        .publish({ type: 'MESSAGE', roomId, message: sent.message, sender: toUserPayload(sent.sender) })
        .catch((err: unknown) => {
          this.deps.logger.warn({ err, roomId }, 'message stored but not published; peers catch up');
        });
      const { id: messageId, body: text } = sent.message;
      this.deps.events.emit(MessageSent, { roomId, senderId: userId, messageId, body: text }).catch((err: unknown) => {
        this.deps.logger.warn({ err, roomId }, 'a MessageSent listener failed; the message is stored and published');
      });
    }
    return { message: sent.message, sender: sent.sender };
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

  /** Whether the image is one of the sender's uploads; `verdict` throws the refusal, if any. */
  private async imageCheck(userId: string, imageId: string): Promise<{ verdict(): void }> {
    const outcome = await this.deps.media.ownedUpload(this.deps.orm.em.fork(), userId, imageId).then(
      () => null,
      (err: unknown) => ({ err }),
    );
    return {
      verdict() {
        if (outcome) throw outcome.err;
      },
    };
  }

  /** Whether the account is in its first NEW_ACCOUNT_PERIOD (tighter limits). */
  private isNew(user: UserFields): boolean {
    return this.deps.clock() - user.createdAt.getTime() < this.deps.trust.newAccountPeriodMs;
  }

  /** The link guard for this body: undefined when it is off or the body has nothing to hide. */
  private guardOf(body: string): SendGuard | undefined {
    const { linkGuardMessages: messages, phoneCountry } = this.deps.trust;
    if (messages === 0 || !body) return undefined;
    const masked = maskContacts(body, phoneCountry);
    return masked.kinds.length ? { messages, masked } : undefined;
  }

  /**
   * A retry: same key and same content return the stored message; the same key for new content is a
   * conflict. A message whose contacts the link guard hid is compared as stored (its original text
   * is not kept: no contact data at rest), so a retry whose text hides to the same is the same.
   */
  private replay(
    message: MessagePayload,
    body: string,
    imageId: string | null,
    masked: MaskResult | undefined,
  ): MessagePayload {
    const sameBody = message.body === body || (Boolean(message.masked?.length) && message.body === masked?.body);
    if (!sameBody || (message.imageId ?? null) !== imageId) {
      throw new ConflictError('clientMessageId was already used for a different message');
    }
    return message;
  }
}
