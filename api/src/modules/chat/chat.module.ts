import { Admission } from '../../infra/admission';
import type { Clock } from '../../infra/clock';
import type { Orm } from '../../infra/db/orm';
import type { SqlRunner } from '../../infra/db/sql-runner.port';
import type { DomainEvents } from '../../infra/events/domain-events';
import type { Logger } from '../../infra/logger';
import type { PubSub } from '../../infra/pubsub/pubsub.port';
import type { RateLimiterFactory } from '../../infra/ratelimit/rate-limiter.port';
import type { MediaModule } from '../media';
import { UserBlocked, UserErasing, type UsersModule } from '../users';
import { ChatResolver } from './chat.resolver';
import { MessageResolver } from './message.resolver';
import { MessageService, type TrustRules } from './message.service';
import { RoomClosedReason } from './room-closed-reason';
import { EvidenceService } from './evidence.service';
import { RoomStream } from './room-stream';
import { RoomService } from './room.service';

export interface ChatModuleDeps {
  orm: Orm;
  /** Hand-written statements on the primary for the hot paths (sends, the room list's first page). */
  sql: SqlRunner;
  events: DomainEvents;
  pubsub: PubSub;
  limiters: RateLimiterFactory;
  logger: Logger;
  users: Pick<UsersModule, 'profile'>;
  media: Pick<MediaModule, 'media'>;
  /** The clock of the date rules: new accounts, closing rooms, the evidence purge (tests move it). */
  clock: Clock;
  config: {
    messagesPerMinute: number;
    /** The safety rules on sends (LINK_GUARD_MESSAGES, new accounts, REQUIRE_PHONE_VERIFICATION). */
    trust: TrustRules & { newAccountMessagesPerMinute: number };
    typingPerMinute: number;
    /** `roomEvents` set-ups running at once on this instance; more are refused UNAVAILABLE (infra/admission.ts). */
    streamSetups: number;
    /** How long a closed room's conversation is kept (EVIDENCE_RETENTION_DAYS), in ms. */
    evidenceRetentionMs: number;
    /** How often each instance looks for conversations past retention (EVIDENCE_PURGE_INTERVAL), in ms. */
    evidencePurgeIntervalMs: number;
  };
  onMessage?: () => void;
}

/**
 * Rooms and messages. A blocker leaves the rooms shared with the blocked user, and an account being
 * erased leaves all of its rooms (the open ones close); images sent in messages stay when their
 * owner replaces a photo or leaves. Closed rooms are kept as evidence for the retention period, then
 * purged.
 */
export function createChatModule({
  orm,
  sql,
  events,
  pubsub,
  limiters,
  logger,
  users,
  media,
  config,
  clock,
  onMessage,
}: ChatModuleDeps) {
  const perMinute = (name: string, points: number) => limiters.create({ name, points, durationMs: 60_000 });
  const now = () => new Date(clock());
  const rooms = new RoomService({ orm, pubsub, events, now });
  const messages = new MessageService({
    orm,
    sql,
    rooms,
    events,
    logger,
    media: media.media,
    limiters: {
      send: perMinute('chat-send', config.messagesPerMinute),
      sendNewAccount: perMinute('chat-send-new', config.trust.newAccountMessagesPerMinute),
      typing: perMinute('chat-typing', config.typingPerMinute),
    },
    trust: config.trust,
    clock,
    onMessage,
  });
  const evidence = new EvidenceService({
    orm,
    logger,
    media: media.media,
    retentionMs: config.evidenceRetentionMs,
    now,
  });
  const stream = new RoomStream({ orm, sql, pubsub, setups: new Admission(config.streamSetups) });

  events.on(UserBlocked, ({ blockerId, blockedId }) => rooms.closeShared(blockerId, blockedId));
  events.on(UserErasing, async ({ tx, userId, afterCommit }) => {
    const closed = await rooms.closeRoomsOf(tx, userId, RoomClosedReason.ACCOUNT_DELETED);
    afterCommit(() => rooms.announceClosed(closed, userId, RoomClosedReason.ACCOUNT_DELETED));
  });
  media.media.keepReferenced((em, uploadIds) => messages.uploadsInUse(em, uploadIds));

  let purging: NodeJS.Timeout | undefined;
  /** The round in progress, if any: a tick during a long round is skipped, not queued. */
  let running: Promise<void> | undefined;
  const purge = () => {
    running ??= evidence
      .purge()
      .then(
        () => undefined,
        (err: unknown) => logger.warn({ err }, 'evidence purge failed; retried next round'),
      )
      .finally(() => (running = undefined));
  };

  return {
    rooms,
    evidence,
    /** Starts the periodic evidence purge (every instance runs it; see EvidenceService.purge). */
    start() {
      purge();
      purging ??= setInterval(purge, config.evidencePurgeIntervalMs).unref();
    },
    /** Stops the purge and waits for a round in progress (before the database closes). */
    async stop() {
      clearInterval(purging);
      purging = undefined;
      await running;
    },
    resolvers: [new ChatResolver(messages, rooms, users.profile, sql), new MessageResolver(media.media)],
    streams: { roomEvents: (userId: string, roomId: string) => stream.open(userId, roomId) },
  };
}

export type ChatModule = ReturnType<typeof createChatModule>;
