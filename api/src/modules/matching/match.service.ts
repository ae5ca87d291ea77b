import type { Orm } from '../../infra/db/orm';
import { NotFoundError, RateLimitedError } from '../../infra/graphql/errors';
import type { Logger } from '../../infra/logger';
import { merge } from '../../infra/pubsub/merge';
import { createMemoryPubSub } from '../../infra/pubsub/pubsub.memory';
import type { PubSub } from '../../infra/pubsub/pubsub.port';
import { relay } from '../../infra/pubsub/relay';
import type { RateLimiter } from '../../infra/ratelimit/rate-limiter.port';
import type { RoomService } from '../chat';
import { parseUserPayload, toUserPayload, type ProfileService, type SafetyService, type UserPayload } from '../users';
import { snapToGrid } from './geo';
import type { MatchGate } from './match-gate';
import type { EnqueueResult, MatchQueue, Offer, QueueEvent, QueueStatus } from './match-queue.port';

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
  /** Checked of the caller before a request is queued (a verified phone, new accounts' limit). */
  gate?: MatchGate;
  logger: Logger;
  gridCellKm: number;
  presenceGraceMs: number;
  sweepIntervalMs: number;
  /** A subscription opened this long after a match still starts with its MATCHED (a dropped socket). */
  matchedReplayMs: number;
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

  async requestMatch(
    userId: string,
    input: { latitude: number; longitude: number; radiusKm: number },
  ): Promise<MatchStatusView> {
    // The profile read (one plain statement on the primary) overlaps the rate limiter's round trip;
    // offers then need no read at all.
    const [limit, user] = await Promise.all([
      this.deps.requestLimiter.consume(userId),
      this.deps.profile.find(this.deps.orm.em, userId),
    ]);
    if (!limit.allowed) throw new RateLimitedError('Too many match requests; slow down', limit.retryAfterMs);
    if (user) await this.deps.gate?.(user);
    const profile = user ? JSON.stringify(toUserPayload(user)) : undefined;
    const request = {
      userId,
      position: snapToGrid({ lat: input.latitude, lon: input.longitude }, this.deps.gridCellKm),
      radiusKm: input.radiusKm,
      profile,
    };
    let result = await this.deps.queue.enqueue(request, Date.now());
    if (result.status === 'needs-exclusions') {
      await this.deps.queue.loadExclusions(userId, await this.exclusionsOf(userId), Date.now());
      result = await this.deps.queue.enqueue(request, Date.now());
    }
    await this.publish(result.events);
    return this.enqueued(userId, input.radiusKm, result);
  }

  async cancel(userId: string): Promise<MatchStatusView> {
    await this.publish((await this.deps.queue.cancel(userId, Date.now())).events);
    return this.status(userId);
  }

  async respond(userId: string, matchId: string, accept: boolean): Promise<MatchStatusView> {
    const result = await this.deps.queue.respond(userId, matchId, accept, Date.now());
    if (result.status === 'stale')
      throw new NotFoundError(`Match offer ${matchId} is not open (it expired, was answered or is not yours)`);
    await this.publish(result.events);
    if (result.completing) await this.createRoom(result.completing);
    return this.status(userId);
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
    const status = await this.deps.queue.status(userId, Date.now());
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
        const [, status] = await Promise.all([this.deps.queue.touch([userId], Date.now()), this.status(userId)]);
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
      this.deps.queue.touch([...this.present.keys()], Date.now()),
    );
  }

  stop(): void {
    this.unwatch?.();
    this.unwatch = null;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  async sweep(): Promise<void> {
    await this.publish((await this.deps.queue.sweep(Date.now())).events);
  }

  /** Both accepted: room + both members in one transaction, then MATCHED to both. */
  private async createRoom(offer: Offer): Promise<void> {
    const roomId = await this.deps.rooms.open(offer.matchId, offer.distanceKm, offer.users);
    if (!(await this.deps.queue.complete(offer.matchId, Date.now()))) {
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
    const room = await this.deps.rooms.newestOpenRoomSince(userId, new Date(Date.now() - this.deps.matchedReplayMs));
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
    if (await this.deps.queue.hasExclusions(userId, Date.now())) return;
    await this.deps.queue.loadExclusions(userId, await this.exclusionsOf(userId), Date.now());
  }

  /** The database's view of who may never be offered to the user: blocks both ways, open rooms. */
  private async exclusionsOf(userId: string): Promise<{ blocked: string[]; openRooms: string[] }> {
    const [blocked, openRooms] = await Promise.all([
      this.deps.safety.blockedEither(userId),
      this.deps.rooms.openRoomPeers(userId),
    ]);
    return { blocked, openRooms };
  }

  private async publish(events: QueueEvent[]): Promise<void> {
    for (const { type, to, offer } of events) if (type === 'OFFERED' && offer) this.deps.onOffered?.(to, offer.matchId);
    await Promise.all(events.map((event) => this.deps.pubsub.publish(matchTopic(event.to), payloadFor(event))));
  }
}
