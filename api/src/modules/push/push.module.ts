import type { Orm } from '../../infra/db/orm';
import type { DomainEvents } from '../../infra/events/domain-events';
import type { Logger } from '../../infra/logger';
import type { VapidKeys } from '../../infra/vapid-keys';
import { MessageSent, type ChatModule } from '../chat';
import { MatchOffered } from '../matching';
import { UserErasing } from '../users';
import { JobQueue } from './job-queue';
import { DEFAULT_PRESENCE_TTL_MS, type Presence } from './presence.port';
import { PresenceTracker } from './presence.tracker';
import { PushResolver } from './push.resolver';
import { createPushSender } from './push.sender';
import { PushService } from './push.service';

export interface PushModuleDeps {
  orm: Orm;
  events: DomainEvents;
  logger: Logger;
  presence: Presence;
  chat: Pick<ChatModule, 'rooms'>;
  /** Null: no Web Push (production without VAPID keys); subscriptions are refused. */
  vapid: (VapidKeys & { subject: string }) | null;
  config: { allowLoopbackHttp: boolean; offerTtlMs: number };
  /** A message push was not sent: its recipient held a live socket. */
  onSkippedOnline?: () => void;
}

/**
 * Notifications to devices with no app open (Web Push, VAPID): subscriptions per device, pushes for
 * offers and for messages to people with no live socket (presence across instances), each sent in
 * a bounded background queue with a deadline; devices the push service forgot are deleted.
 */
export function createPushModule(deps: PushModuleDeps) {
  const { orm, events, logger, presence, chat, vapid, config } = deps;
  const queue = new JobQueue({
    concurrency: 8,
    maxQueued: 1000,
    onError: (err) => logger.warn({ err }, 'push job failed (not retried)'),
  });
  const push = new PushService({
    orm,
    presence,
    queue,
    rooms: chat.rooms,
    logger,
    vapid: vapid && { publicKey: vapid.publicKey, send: createPushSender({ vapid }) },
    allowLoopbackHttp: config.allowLoopbackHttp,
    offerTtlSeconds: Math.ceil(config.offerTtlMs / 1000),
    onSkippedOnline: deps.onSkippedOnline,
  });
  const tracker = new PresenceTracker(presence, { renewMs: DEFAULT_PRESENCE_TTL_MS / 3, logger });

  events.on(MatchOffered, ({ userId, matchId }) => push.offered(userId, matchId));
  events.on(MessageSent, (event) => push.messageSent(event));
  events.on(UserErasing, ({ tx, userId }) => push.forget(tx, userId));

  return {
    push,
    resolvers: [new PushResolver(push)],
    /** For the transport: a user's first socket on this instance opened (true) or their last closed. */
    socketsChanged: (userId: string, open: boolean) => tracker.change(userId, open),
    /** Stops renewing presence and waits for pushes under way. */
    async stop() {
      tracker.stop();
      await queue.idle();
    },
  };
}

export type PushModule = ReturnType<typeof createPushModule>;
