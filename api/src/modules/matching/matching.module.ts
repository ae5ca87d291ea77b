import type { Clock } from '../../infra/clock';
import type { Orm } from '../../infra/db/orm';
import type { DomainEvents } from '../../infra/events/domain-events';
import type { Logger } from '../../infra/logger';
import type { PubSub } from '../../infra/pubsub/pubsub.port';
import type { RateLimiterFactory } from '../../infra/ratelimit/rate-limiter.port';
import { RoomClosed, RoomClosedReason, type ChatModule } from '../chat';
import { UserBlocked, UserDeleted, UserDeleting, UserSanctioned, type UsersModule } from '../users';
import type { MatchQueue } from './match-queue.port';
import { createMatchGate } from './match-gate';
import { MatchOffered } from './matching.events';
import { MatchResolver } from './match.resolver';
import { MatchService, SKIP_COUNTER_POINTS } from './match.service';

/** The matching pool of quarantined accounts (match-queue.port.ts `Filter.pool`). */
export const QUARANTINE_POOL = 'quarantine';

export interface MatchingModuleDeps {
  orm: Orm;
  events: DomainEvents;
  pubsub: PubSub;
  limiters: RateLimiterFactory;
  queue: MatchQueue;
  logger: Logger;
  users: Pick<UsersModule, 'profile' | 'safety' | 'standing'>;
  chat: Pick<ChatModule, 'rooms'>;
  config: {
    offerTtlMs: number;
    presenceGraceMs: number;
    gridCellKm: number;
    requestsPerMinute: number;
    sweepIntervalMs: number;
    nextPerHour: number;
    pairMemoryMs: number;
    /** The safety rules on matching (REQUIRE_PHONE_VERIFICATION, new accounts). */
    trust: { requirePhoneVerification: boolean; newAccountPeriodMs: number; newAccountMatchRequestsPerMinute: number };
  };
  clock: Clock;
  onMatched?: () => void;
}

/**
 * Matching: the queue, offers and the room of an accepted match. Keeps the queue's mirror of who
 * may never meet (blocks, open rooms) in step with users and chat, and drops a deleted user's search.
 */
export function createMatchingModule(deps: MatchingModuleDeps) {
  const { events, queue, users, chat, config } = deps;
  const matching = new MatchService({
    queue,
    pubsub: deps.pubsub,
    orm: deps.orm,
    rooms: chat.rooms,
    profile: users.profile,
    safety: users.safety,
    requestLimiter: deps.limiters.create({
      name: 'match-request',
      points: config.requestsPerMinute,
      durationMs: 60_000,
    }),
    skipCounter: deps.limiters.create({ name: 'match-skips', points: SKIP_COUNTER_POINTS, durationMs: 3_600_000 }),
    nextPerHour: config.nextPerHour,
    pairMemoryMs: config.pairMemoryMs,
    // Quarantined accounts (reported by several people, until a moderator decides) meet only each other.
    poolOf: async (userId) => ((await users.standing.isQuarantined(userId)) ? QUARANTINE_POOL : ''),
    gate: createMatchGate({
      requirePhoneVerification: config.trust.requirePhoneVerification,
      newAccountPeriodMs: config.trust.newAccountPeriodMs,
      newAccountLimiter: deps.limiters.create({
        name: 'match-request-new',
        points: config.trust.newAccountMatchRequestsPerMinute,
        durationMs: 60_000,
      }),
      clock: deps.clock,
    }),
    logger: deps.logger,
    gridCellKm: config.gridCellKm,
    presenceGraceMs: config.presenceGraceMs,
    sweepIntervalMs: config.sweepIntervalMs,
    matchedReplayMs: config.offerTtlMs,
    clock: deps.clock,
    onMatched: deps.onMatched,
    onOffered: (userId, matchId) =>
      void events.emit(MatchOffered, { userId, matchId }).catch((err: unknown) => {
        deps.logger.warn({ err, matchId }, 'a MatchOffered listener failed; the offer stands');
      }),
  });

  events.on(UserBlocked, ({ blockerId, blockedId }) => queue.setExcluded(blockerId, blockedId, 'blocked', true));
  events.on(RoomClosed, async ({ memberIds: [a, b], reason }) => {
    if (!a || !b) return;
    // A block closes the room: the pair stays excluded (blocked) before the open-room exclusion lifts.
    if (reason === RoomClosedReason.BLOCKED) await queue.setExcluded(a, b, 'blocked', true);
    await queue.setExcluded(a, b, 'openRooms', false);
  });
  // Out of the queue before the profile is erased (a search carries the profile offers show), and
  // again after the commit, for a request that was already past its session check.
  const leaveQueue = async ({ userId }: { userId: string }) => void (await matching.cancel(userId));
  events.on(UserDeleting, leaveQueue);
  events.on(UserDeleted, leaveQueue);
  // A suspended or banned account leaves matching at once (its sessions end on every instance too).
  events.on(UserSanctioned, leaveQueue);

  return {
    matching,
    resolvers: [new MatchResolver(matching, users.profile)],
    streams: { matchEvents: (userId: string) => matching.events(userId) },
    /** Starts the sweep and heartbeat loops. */
    start: () => matching.start(),
    stop: () => matching.stop(),
  };
}

export type MatchingModule = ReturnType<typeof createMatchingModule>;
