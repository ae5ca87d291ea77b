import type { Clock } from '../../infra/clock';
import type { Orm } from '../../infra/db/orm';
import { BadUserInputError, NotFoundError, RateLimitedError } from '../../infra/graphql/errors';
import type { Logger } from '../../infra/logger';
import { merge } from '../../infra/pubsub/merge';
import { createMemoryPubSub } from '../../infra/pubsub/pubsub.memory';
import type { PubSub } from '../../infra/pubsub/pubsub.port';
import { relay } from '../../infra/pubsub/relay';
import type { RateLimiter } from '../../infra/ratelimit/rate-limiter.port';
import { RoomClosedReason, type RoomService } from '../chat';
import {
  parseUserPayload,
  toUserPayload,
  type ProfileService,
  type SafetyService,
  type UserFields,
  type UserPayload,
} from '../users';
import { snapToGrid } from './geo';
import type { MatchGate } from './match-gate';
import type {
  EnqueueResult,
  Exclusions,
  Filter,
  MatchQueue,
  Offer,
  Preferences,
  QueueEvent,
  QueueStatus,
  Traits,
} from './match-queue.port';

/** Pub/sub topic of one user's match events. */
export const matchTopic = (userId: string) => `match:${userId}`;

/** What travels over pub/sub to the user's matchEvents subscription (plain JSON). */
export interface MatchEventPayload {
  type:
    'OFFERED' | 'PEER_ACCEPTED' | 'MATCHED' | 'DECLINED' | 'EXPIRED' | 'CANCELLED' | 'SEARCH_TIMEOUT' | 'INTERRUPTED';
  matchId: string;
  partnerId?: string;
  /** OFFERED: the partner as the offer shows them (no lookup needed); other events carry only partnerId. */
  partner?: UserPayload;
  distanceKm?: number;
  expiresAt?: string;
  roomId?: string;
}

/** What a client asks for (MatchRequestInput). */
export interface MatchRequest {
  latitude: number;
  longitude: number;
  radiusKm: number;
  preferences?: { genders?: readonly string[] | null; minAge?: number | null; maxAge?: number | null } | null;
}

/**
 * The skip budget's counter: how many nexts and declines a user made in the current hour (a budget
 * far above any real count, so that `remaining` counts them).
 */
export const SKIP_COUNTER_POINTS = 100_000;
/** The first hold past the budget; each further skip within the hour doubles it, up to SKIP_HOLD_MAX_MS. */
export const SKIP_HOLD_BASE_MS = 15_000;
export const SKIP_HOLD_MAX_MS = 3_600_000;

/** How long a user who skipped `count` people this hour waits before searching again (0 within the budget). */
export function skipHoldMs(count: number, perHour: number): number {
  const over = count - perHour;
  return over <= 0 ? 0 : Math.min(SKIP_HOLD_BASE_MS * 2 ** Math.min(over - 1, 30), SKIP_HOLD_MAX_MS);
}

/**
 * What a search carries of the user for others' preferences: gender, and age as the age they turn
 * in the calendar year of `now` (from the birth year).
 */
function traitsOf(user: UserFields | null, now: number): Traits {
  const traits: Traits = {};
  if (user?.gender) traits.gender = user.gender;
  if (user?.birthYear) traits.age = new Date(now).getUTCFullYear() - user.birthYear;
  return traits;
}

/** A request's preferences as the queue takes them; BAD_USER_INPUT when they cannot be met by anyone. */
function preferencesOf(input: MatchRequest['preferences']): Preferences | undefined {
  if (!input) return undefined;
  const { genders, minAge, maxAge } = input;
  if (minAge != null && maxAge != null && minAge > maxAge)
    throw new BadUserInputError(`preferences.minAge (${minAge}) must not be above preferences.maxAge (${maxAge})`);
  const preferences: Preferences = {};
  if (genders?.length) preferences.genders = [...new Set(genders)];
  if (minAge != null) preferences.minAge = minAge;
  if (maxAge != null) preferences.maxAge = maxAge;
  return Object.keys(preferences).length > 0 ? preferences : undefined;
}

export interface MatchStatusView {
  state: QueueStatus['state'];
  radiusKm: number | null;
  offer: MatchEventPayload | null;
  accepted: boolean;
}

export interface MatchServiceDeps {
  queue: MatchQueue;
  pubsub: PubSub;
  orm: Orm;
  /** Opens the room of a completed match; tells which rooms are open (exclusions, replays). */
  rooms: RoomService;
  profile: ProfileService;
  safety: Pick<SafetyService, 'blockedEither'>;
  requestLimiter: RateLimiter;
  /** Counts nexts and declines per user and hour (points SKIP_COUNTER_POINTS). */
  skipCounter: RateLimiter;
  /** Nexts and declines an hour before a user's own hold starts to grow (NEXT_PER_HOUR). */
  nextPerHour: number;
  /** A completed match is remembered this long (MATCH_PAIR_MEMORY_HOURS). */
  pairMemoryMs: number;
  /** The matching pool of a user ('' for everyone; quarantined accounts meet only each other). @default '' */
  poolOf?: (userId: string) => Promise<string>;
  /** Checked of the caller before a request is queued (a verified phone, new accounts' limit). */
  gate?: MatchGate;
  logger: Logger;
  gridCellKm: number;
  presenceGraceMs: number;
  sweepIntervalMs: number;
  /** A subscription opened this long after a match still starts with its MATCHED (a dropped socket). */
  matchedReplayMs: number;
  /** The time the queue's deadlines, holds and the pair memory are judged by (tests move it). */
  clock: Clock;
  onMatched?: () => void;
  /** Called for each user an offer is made to (after the queue step, before publishing). */
  onOffered?: (userId: string, matchId: string) => void;
}

/** Search-level events (no offer) carry the id of the search instead of an offer id. */
const searchId = (userId: string) => `search:${userId}`;

function payloadFor(event: QueueEvent): MatchEventPayload {
  const { offer, to } = event;
  if (!offer) return { type: event.type, matchId: searchId(to) };
  const partnerId = offer.users.find((u) => u !== to);
  const partner = parseUserPayload(event.partnerProfile);
  return {
    type: event.type,
    matchId: offer.matchId,
    partnerId,
    ...(partner && partner.id === partnerId ? { partner } : {}),
    distanceKm: offer.distanceKm,
    expiresAt: new Date(offer.expiresAt).toISOString(),
  };
}

/**
 * Matching: turns requests into queue operations, publishes what each user must hear on their
 * own topic, creates the room when both accept, and keeps the queue clean (expiry, timeouts,
 * ghosts) with a sweep that every instance runs (the queue makes each step happen once).
 */
export class MatchService {
  /** Users with a live matchEvents subscription on this instance (count per user). */
  private readonly present = new Map<string, number>();
  /** Events for this instance's own subscribers only (INTERRUPTED), beside the shared pub/sub. */
  private readonly local = createMemoryPubSub();
  private timers: NodeJS.Timeout[] = [];
  private unwatch: (() => void) | null = null;

  constructor(private readonly deps: MatchServiceDeps) {}

  async requestMatch(userId: string, input: MatchRequest): Promise<MatchStatusView> {
    const preferences = preferencesOf(input.preferences);
    // The profile read (one plain statement on the primary) overlaps the rate limiter's round trip;
    // offers then need no read at all.
    const [limit, user, pool] = await Promise.all([
      this.deps.requestLimiter.consume(userId),
      this.deps.profile.find(this.deps.orm.em, userId),
      this.deps.poolOf?.(userId) ?? '',
    ]);
    if (!limit.allowed) throw new RateLimitedError('Too many match requests; slow down', limit.retryAfterMs);
    if (user) await this.deps.gate?.(user);
    const profile = user ? JSON.stringify(toUserPayload(user)) : undefined;
    const filter: Filter = { pool, traits: traitsOf(user, this.deps.clock()), ...(preferences ? { preferences } : {}) };
    const request = {
      userId,
      position: snapToGrid({ lat: input.latitude, lon: input.longitude }, this.deps.gridCellKm),
      radiusKm: input.radiusKm,
      profile,
      filter,
    };
    let result = await this.deps.queue.enqueue(request, this.deps.clock());
    if (result.status === 'needs-exclusions') {
      await this.deps.queue.loadExclusions(userId, await this.exclusionsOf(userId), this.deps.clock());
      result = await this.deps.queue.enqueue(request, this.deps.clock());
    }
    if (result.status === 'held') {
      const waitMs = Math.max(0, (result.heldUntil ?? 0) - this.deps.clock());
      throw new RateLimitedError(
        `You skipped many people within the hour: you can search again in ${Math.ceil(waitMs / 1000)} s`,
        waitMs,
      );
    }
    await this.publish(result.events);
    return this.enqueued(userId, input.radiusKm, result);
  }

  /**
   * "Next": searches again and leaves the room (the newest open one, or `roomId`), whose peer hears
   * PEER_LEFT with reason NEXT. The search starts first, so a refused search (a hold, the rate limit,
   * bad input) leaves the room as it was; the peer is remembered and never offered again within the
   * pair memory. Counts towards the skip budget.
   */
  async nextMatch(userId: string, input: MatchRequest, roomId?: string | null): Promise<MatchStatusView> {
    const leaving = roomId
      ? (await this.deps.rooms.membership(this.deps.orm.em.fork(), roomId, userId)).room.id
      : (await this.deps.rooms.newestOpenRoomSince(userId, new Date(0)))?.roomId;
    const view = await this.requestMatch(userId, input);
    if (leaving) await this.deps.rooms.leave(userId, leaving, RoomClosedReason.NEXT);
    await this.countSkip(userId);
    return view;
  }

  async cancel(userId: string): Promise<MatchStatusView> {
    const { events } = await this.deps.queue.cancel(userId, this.deps.clock());
    await this.publish(events);
    // A cancel during an offer declines it.
    if (events.some((e) => e.to === userId && e.type === 'CANCELLED' && e.offer)) await this.countSkip(userId);
    return this.status(userId);
  }

  async respond(userId: string, matchId: string, accept: boolean): Promise<MatchStatusView> {
    const result = await this.deps.queue.respond(userId, matchId, accept, this.deps.clock());
    if (result.status === 'stale')
      throw new NotFoundError(`Match offer ${matchId} is not open (it expired, was answered or is not yours)`);
    await this.publish(result.events);
    if (result.completing) await this.createRoom(result.completing);
    if (result.status === 'declined') await this.countSkip(userId);
    return this.status(userId);
  }

  /**
   * One more next or decline by the user this hour: past NEXT_PER_HOUR, the user is held off from
   * searching for a time that doubles with each further skip (skipHoldMs), so a bot that skips
   * everyone slows itself down while a person never meets the budget.
   */
  private async countSkip(userId: string): Promise<void> {
    const { remaining } = await this.deps.skipCounter.consume(userId);
    const holdMs = skipHoldMs(SKIP_COUNTER_POINTS - remaining, this.deps.nextPerHour);
    if (holdMs > 0) {
      const now = this.deps.clock();
      await this.deps.queue.holdOff(userId, now + holdMs, now);
    }
  }

  /** The state the enqueue left the user in (what `status` would read right after it). */
  private async enqueued(userId: string, radiusKm: number, result: EnqueueResult): Promise<MatchStatusView> {
    const offered =
      result.status === 'offered' ? result.events.find((e) => e.to === userId && e.type === 'OFFERED') : undefined;
    if (offered) return { state: 'OFFERED', radiusKm, offer: payloadFor(offered), accepted: false };
    if (result.status === 'searching') return { state: 'SEARCHING', radiusKm, offer: null, accepted: false };
    return this.status(userId);
  }

  async status(userId: string): Promise<MatchStatusView> {
    const status = await this.deps.queue.status(userId, this.deps.clock());
    if (status.state === 'IDLE') return { state: 'IDLE', radiusKm: null, offer: null, accepted: false };
    if (status.state === 'SEARCHING')
      return { state: 'SEARCHING', radiusKm: status.radiusKm, offer: null, accepted: false };
    return {
      state: 'OFFERED',
      radiusKm: status.radiusKm,
      offer: payloadFor({ to: userId, type: 'OFFERED', offer: status.offer }),
      accepted: status.offer.accepted.includes(userId),
    };
  }

  /**
   * The user's event stream. Subscribes first, then replays the open offer (if any), so an offer
   * made while the user had no subscription is still delivered; an idle user whose match completed
   * within `matchedReplayMs` gets its MATCHED again (clients dedupe by matchId). While it is open the user counts
   * as present (no ghost removal).
   */
  async events(userId: string): Promise<AsyncIterableIterator<MatchEventPayload>> {
    const local = await this.local.subscribe<MatchEventPayload>(matchTopic(userId));
    let shared: AsyncIterableIterator<MatchEventPayload>;
    try {
      shared = await this.deps.pubsub.subscribe<MatchEventPayload>(matchTopic(userId));
    } catch (err) {
      await local.return?.(); // Redis refused or timed out: nothing may stay subscribed
      throw err;
    }
    const live = merge(local, shared);
    this.present.set(userId, (this.present.get(userId) ?? 0) + 1);
    const leave = () => {
      const n = (this.present.get(userId) ?? 1) - 1;
      if (n > 0) this.present.set(userId, n);
      else this.present.delete(userId);
    };
    let current: MatchEventPayload | null;
    try {
      // Clients subscribe before they request a match: loading the exclusions now keeps their
      // database reads off the first requestMatch.
      const replay = async () => {
        // Issued together: the queue still runs the heartbeat before the read (one connection, or
        // one critical section in memory), one round trip sooner.
        const [, status] = await Promise.all([this.deps.queue.touch([userId], this.deps.clock()), this.status(userId)]);
        return status.offer ?? (status.state === 'IDLE' ? await this.recentMatch(userId) : null);
      };
      [current] = await Promise.all([replay(), this.ensureExclusions(userId)]);
    } catch (err) {
      leave();
      await live.return?.();
      throw err;
    }
    return relay<MatchEventPayload, MatchEventPayload>(
      live,
      // The replayed offer may also arrive live: deliver each (type, matchId) once.
      (event) => (current && event.type === current.type && event.matchId === current.matchId ? {} : { value: event }),
      { first: current ? [current] : [], onEnd: leave },
    );
  }

  /**
   * The queue lost its data (Redis restarted empty): every search and offer is gone and nobody was
   * told. Each instance tells its own subscribers, who request again with their last input.
   */
  private interrupted(): void {
    const users = [...this.present.keys()];
    this.deps.logger.warn({ subscribers: users.length }, 'matching queue lost its data; telling subscribers');
    for (const userId of users)
      void this.local
        .publish<MatchEventPayload>(matchTopic(userId), { type: 'INTERRUPTED', matchId: searchId(userId) })
        .catch((err: unknown) => this.deps.logger.warn({ err }, 'could not tell a subscriber of the lost queue'));
  }

  /** Starts the sweep and heartbeat loops, and listens for a lost queue. */
  start(): void {
    this.unwatch ??= this.deps.queue.onLost(() => this.interrupted());
    const every = (ms: number, task: () => Promise<void>) => {
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        task()
          .catch((err: unknown) => this.deps.logger.warn({ err }, 'matching housekeeping failed'))
          .finally(() => (running = false));
      }, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.deps.sweepIntervalMs, () => this.sweep());
    every(Math.max(250, Math.floor(this.deps.presenceGraceMs / 4)), () =>
      this.deps.queue.touch([...this.present.keys()], this.deps.clock()),
    );
  }

  stop(): void {
    this.unwatch?.();
    this.unwatch = null;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  async sweep(): Promise<void> {
    await this.publish((await this.deps.queue.sweep(this.deps.clock())).events);
  }

  /** Both accepted: room + both members in one transaction, then MATCHED to both. */
  private async createRoom(offer: Offer): Promise<void> {
    const roomId = await this.deps.rooms.open(offer.matchId, offer.distanceKm, offer.users);
    if (!(await this.deps.queue.complete(offer.matchId, this.deps.clock()))) {
      // The offer expired while the room was being created: nobody was told MATCHED, close it.
      await this.deps.rooms.discard(roomId);
      return;
    }
    this.deps.onMatched?.();
    await Promise.all(
      offer.users.map((to) =>
        this.deps.pubsub.publish<MatchEventPayload>(matchTopic(to), {
          type: 'MATCHED',
          matchId: offer.matchId,
          partnerId: offer.users.find((u) => u !== to),
          distanceKm: offer.distanceKm,
          roomId,
        }),
      ),
    );
  }

  /** The MATCHED event of the user's newest open room, if it was created within matchedReplayMs. */
  private async recentMatch(userId: string): Promise<MatchEventPayload | null> {
    const room = await this.deps.rooms.newestOpenRoomSince(
      userId,
      new Date(this.deps.clock() - this.deps.matchedReplayMs),
    );
    if (!room) return null;
    return {
      type: 'MATCHED',
      matchId: room.matchId,
      partnerId: room.peerId ?? undefined,
      distanceKm: room.distanceKm ?? undefined,
      roomId: room.roomId,
    };
  }

  /** Loads the user's exclusion mirror unless it is loaded and fresh. */
  private async ensureExclusions(userId: string): Promise<void> {
    if (await this.deps.queue.hasExclusions(userId, this.deps.clock())) return;
    await this.deps.queue.loadExclusions(userId, await this.exclusionsOf(userId), this.deps.clock());
  }

  /**
   * The database's view of who may not be offered to the user: blocks both ways, open rooms, and
   * everyone matched with within the pair memory (until the memory of that match ends).
   */
  private async exclusionsOf(userId: string): Promise<Exclusions> {
    const memoryMs = this.deps.pairMemoryMs;
    const [blocked, openRooms, matched] = await Promise.all([
      this.deps.safety.blockedEither(userId),
      this.deps.rooms.openRoomPeers(userId),
      memoryMs > 0 ? this.deps.rooms.matchedSince(userId, new Date(this.deps.clock() - memoryMs)) : [],
    ]);
    const met = matched.map((m) => ({ userId: m.userId, until: m.matchedAt.getTime() + memoryMs }));
    return { blocked, openRooms, met };
  }

  private async publish(events: QueueEvent[]): Promise<void> {
    for (const { type, to, offer } of events) if (type === 'OFFERED' && offer) this.deps.onOffered?.(to, offer.matchId);
    await Promise.all(events.map((event) => this.deps.pubsub.publish(matchTopic(event.to), payloadFor(event))));
  }
}
