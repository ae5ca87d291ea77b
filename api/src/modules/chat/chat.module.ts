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
  clock: Clock;
  config: {
    messagesPerMinute: number;
    /** The safety rules on sends (LINK_GUARD_MESSAGES, new accounts, REQUIRE_PHONE_VERIFICATION). */
    trust: TrustRules & { newAccountMessagesPerMinute: number };
    typingPerMinute: number;
    /** `roomEvents` set-ups running at once on this instance; more are refused UNAVAILABLE (infra/admission.ts). */
    streamSetups: number;
  };
  onMessage?: () => void;
}

/**
 * Rooms and messages. Closes shared rooms when a user blocks another, and every room of an account
 * being erased; images sent in messages stay when their owner replaces a photo or leaves.
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
  const rooms = new RoomService({ orm, pubsub, events });
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
  const stream = new RoomStream({ orm, sql, pubsub, setups: new Admission(config.streamSetups) });

  events.on(UserBlocked, ({ blockerId, blockedId }) => rooms.closeShared(blockerId, blockedId));
  events.on(UserErasing, async ({ tx, userId, afterCommit }) => {
    const closed = await rooms.closeRoomsOf(tx, userId, RoomClosedReason.ACCOUNT_DELETED);
    afterCommit(() => rooms.announceClosed(closed, userId, RoomClosedReason.ACCOUNT_DELETED));
  });
  media.media.keepReferenced((em, uploadIds) => messages.uploadsInUse(em, uploadIds));

  return {
    rooms,
    resolvers: [new ChatResolver(messages, rooms, users.profile, sql), new MessageResolver(media.media)],
    streams: { roomEvents: (userId: string, roomId: string) => stream.open(userId, roomId) },
  };
}

export type ChatModule = ReturnType<typeof createChatModule>;
