import { randomUUID } from 'node:crypto';
import { createMemoryPairRelations } from './match-queue.memory-relations';
import {
  type EnqueueResult,
  type ExclusionKind,
  type Exclusions,
  type MatchQueue,
  type MatchQueueOptions,
  type Offer,
  type QueueChange,
  type QueueEvent,
  type QueueStatus,
  type RespondResult,
  type SearchRequest,
} from './match-queue.port';
import { byPlaceInLine, eligible, offerDistanceKm, oldestFirst, type Searcher } from './match-queue.rule';

interface Entry extends Searcher {
  /** The search ends at this time unless renewed. */
  deadline: number;
  lastSeen: number;
  matchId?: string;
  /** Shown to partners (opaque). */
  profile?: string;
}

interface OfferEntry extends Offer {
  completing: boolean;
}

/**
 * The in-process queue (embedded default, one instance). Each method runs synchronously between
 * two awaits, which makes it one critical section (§4 of the rule in match-queue.lua.ts' header).
 * This is the reference behaviour, step for step the same as the Redis scripts: pairing (§1, §2)
 * through match-queue.rule.ts, offers ending (§3), sweeps (§5) and duplicate calls (§6) as the
 * header and the port's method docs state them.
 */
export function createMemoryMatchQueue(options: MatchQueueOptions): MatchQueue {
  const users = new Map<string, Entry>();
  const offers = new Map<string, OfferEntry>();
  const relations = createMemoryPairRelations();
  /** userId -> until (ms): `holdOff`. */
  const holds = new Map<string, number>();

  /** Ids of offers created by one call: a random nonce plus a counter. */
  const idSource = () => {
    const nonce = randomUUID();
    let n = 0;
    return () => `${nonce}-${n++}`;
  };

  const publicOffer = (o: OfferEntry): Offer => ({
    matchId: o.matchId,
    users: [...o.users],
    distanceKm: o.distanceKm,
    expiresAt: o.expiresAt,
    accepted: [...o.accepted],
  });

  /** §1, §2 and §3: offers the first eligible candidate in line to a SEARCHING user; returns the events. */
  function tryPair(userId: string, now: number, nextId: () => string): QueueEvent[] {
    const u = users.get(userId);
    if (!u || u.state !== 'SEARCHING') return [];
    const relationsNow = relations.at(now);
    let c: Entry | undefined;
    for (const candidate of users.values())
      if (eligible(u, candidate, relationsNow) && (!c || byPlaceInLine(candidate, c) < 0)) c = candidate;
    if (!c) return [];
    const offer: OfferEntry = {
      matchId: nextId(),
      users: [userId, c.id],
      distanceKm: offerDistanceKm(u, c),
      expiresAt: now + options.offerTtlMs,
      accepted: [],
      completing: false,
    };
    offers.set(offer.matchId, offer);
    for (const entry of [u, c]) {
      entry.state = 'OFFERED';
      entry.matchId = offer.matchId;
    }
    const shown = publicOffer(offer);
    const offered = (to: string, partner: Entry): QueueEvent => ({
      to,
      type: 'OFFERED',
      offer: shown,
      ...(partner.profile === undefined ? {} : { partnerProfile: partner.profile }),
    });
    return [offered(userId, c), offered(c.id, u)];
  }

  /** §3: puts an offered user back in line (original place, fresh deadline) and tries to pair them. */
  function requeue(userId: string, now: number, nextId: () => string): QueueEvent[] {
    const entry = users.get(userId);
    if (!entry) return [];
    entry.state = 'SEARCHING';
    entry.matchId = undefined;
    entry.deadline = now + options.searchTimeoutMs;
    entry.lastSeen = Math.max(entry.lastSeen, now);
    return tryPair(userId, now, nextId);
  }

  /**
   * §3: ends an offer that was declined or expired. `keep`: users who go back to searching;
   * `declined`: someone said no (only then does the pair get a cooldown).
   */
  function dropOffer(
    offer: OfferEntry,
    now: number,
    keep: string[],
    declined: boolean,
    nextId: () => string,
  ): QueueEvent[] {
    offers.delete(offer.matchId);
    if (declined) relations.coolDown(...offer.users, now + options.cooldownMs);
    const events: QueueEvent[] = [];
    for (const id of offer.users) {
      if (keep.includes(id)) events.push(...requeue(id, now, nextId));
      else users.delete(id);
    }
    return events;
  }

  const currentOffer = (userId: string, matchId: string) => {
    const offer = offers.get(matchId);
    return offer && users.get(userId)?.matchId === matchId && offer.users.includes(userId) ? offer : undefined;
  };

  return {
    async enqueue({ userId, position, radiusKm, profile, filter }: SearchRequest, now: number): Promise<EnqueueResult> {
      const heldUntil = holds.get(userId) ?? 0;
      if (heldUntil > now) return { status: 'held', events: [], heldUntil };
      if (!relations.fresh(userId, now)) return { status: 'needs-exclusions', events: [] };
      const existing = users.get(userId);
      if (existing?.state === 'OFFERED') return { status: 'busy', events: [] };
      const deadline = now + options.searchTimeoutMs;
      users.set(userId, {
        id: userId,
        state: 'SEARCHING',
        position,
        radiusKm,
        since: existing?.since ?? now,
        deadline,
        lastSeen: now,
        profile: profile || undefined,
        filter,
      });
      const events = tryPair(userId, now, idSource());
      return { status: events.length > 0 ? 'offered' : 'searching', events };
    },

    async cancel(userId: string, now: number): Promise<QueueChange> {
      const entry = users.get(userId);
      if (!entry) return { events: [] };
      const offer = entry.matchId ? offers.get(entry.matchId) : undefined;
      if (!offer) {
        users.delete(userId);
        return { events: [] };
      }
      const peer = offer.users.find((id) => id !== userId)!;
      return {
        events: [
          { to: userId, type: 'CANCELLED', offer: publicOffer(offer) },
          { to: peer, type: 'DECLINED', offer: publicOffer(offer) },
          ...dropOffer(offer, now, [peer], true, idSource()),
        ],
      };
    },

    async respond(userId: string, matchId: string, accept: boolean, now: number): Promise<RespondResult> {
      const offer = currentOffer(userId, matchId);
      if (!offer || offer.expiresAt <= now) return { status: 'stale', events: [] };
      const peer = offer.users.find((id) => id !== userId)!;
      if (!accept) {
        const shown = publicOffer(offer);
        return {
          status: 'declined',
          events: [
            { to: userId, type: 'DECLINED', offer: shown },
            { to: peer, type: 'DECLINED', offer: shown },
            ...dropOffer(offer, now, [peer], true, idSource()),
          ],
        };
      }
      if (offer.accepted.includes(userId)) return { status: 'accepted', events: [] };
      offer.accepted.push(userId);
      const events: QueueEvent[] = [{ to: peer, type: 'PEER_ACCEPTED', offer: publicOffer(offer) }];
      if (offer.accepted.length < 2) return { status: 'accepted', events };
      offer.completing = true;
      offer.expiresAt = now + options.offerTtlMs;
      return { status: 'accepted', events, completing: publicOffer(offer) };
    },

    async complete(matchId: string, now: number): Promise<boolean> {
      const offer = offers.get(matchId);
      // Past its deadline the offer is gone, as for `respond`, even before a sweep removed it.
      if (!offer?.completing || offer.expiresAt <= now) return false;
      offers.delete(matchId);
      for (const id of offer.users) users.delete(id);
      const [a, b] = offer.users;
      relations.set(a, b, 'openRooms', true);
      relations.set(b, a, 'openRooms', true);
      relations.meet(a, b, now + options.pairMemoryMs);
      relations.meet(b, a, now + options.pairMemoryMs);
      return true;
    },

    async status(userId: string): Promise<QueueStatus> {
      const entry = users.get(userId);
      if (!entry) return { state: 'IDLE' };
      const offer = entry.matchId ? offers.get(entry.matchId) : undefined;
      if (entry.state === 'OFFERED' && offer)
        return { state: 'OFFERED', radiusKm: entry.radiusKm, offer: publicOffer(offer) };
      return { state: 'SEARCHING', radiusKm: entry.radiusKm, since: entry.since };
    },

    async holdOff(userId: string, until: number): Promise<void> {
      holds.set(userId, Math.max(until, holds.get(userId) ?? 0));
    },

    async touch(userIds: readonly string[], now: number): Promise<void> {
      for (const id of userIds) {
        const entry = users.get(id);
        if (entry) entry.lastSeen = Math.max(entry.lastSeen, now);
      }
    },

    async sweep(now: number, limit = 100): Promise<QueueChange> {
      const events: QueueEvent[] = [];
      const nextId = idSource();
      // §5: each kind in a fixed order (oldest time first, ties by id), so that `limit` picks the
      // same items and the events come in the same order on every backend.
      const expired = [...offers.values()]
        .filter((o) => o.expiresAt <= now)
        .sort(
          oldestFirst(
            (o) => o.expiresAt,
            (o) => o.matchId,
          ),
        )
        .slice(0, limit);
      for (const offer of expired) {
        const shown = publicOffer(offer);
        events.push(...offer.users.map((to) => ({ to, type: 'EXPIRED' as const, offer: shown })));
        events.push(...dropOffer(offer, now, offer.accepted, false, nextId));
      }
      /** SEARCHING users whose `at` is at or before `until`, oldest first (ties: smallest id). */
      const dueSearches = (at: (entry: Entry) => number, until: number) =>
        [...users.values()]
          .filter((entry) => entry.state === 'SEARCHING' && at(entry) <= until)
          .sort(oldestFirst(at, (entry) => entry.id))
          .slice(0, limit)
          .map((entry) => entry.id);
      for (const id of dueSearches((entry) => entry.deadline, now)) {
        users.delete(id);
        events.push({ to: id, type: 'SEARCH_TIMEOUT' });
      }
      for (const id of dueSearches((entry) => entry.lastSeen, now - options.presenceGraceMs)) {
        users.delete(id);
        events.push({ to: id, type: 'CANCELLED' });
      }
      relations.prune(now);
      for (const [id, until] of holds) if (until <= now) holds.delete(id);
      return { events };
    },

    async loadExclusions(userId: string, exclusions: Exclusions, now: number): Promise<void> {
      relations.load(userId, exclusions, now);
    },

    async hasExclusions(userId: string, now: number): Promise<boolean> {
      return relations.fresh(userId, now);
    },

    async setExcluded(a: string, b: string, kind: ExclusionKind, excluded: boolean): Promise<void> {
      relations.set(a, b, kind, excluded);
      relations.set(b, a, kind, excluded);
    },

    async searchingCount(): Promise<number> {
      let n = 0;
      for (const entry of users.values()) if (entry.state === 'SEARCHING') n++;
      return n;
    },

    // The data lives and dies with the process: never lost while anyone could listen.
    onLost: () => () => undefined,

    async dispose(): Promise<void> {
      users.clear();
      offers.clear();
      relations.clear();
      holds.clear();
    },
  };
}
