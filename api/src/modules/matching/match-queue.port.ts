import type { Position } from './geo';

/** A loaded exclusion mirror is trusted this long, then reloaded from the database. */
export const EXCLUSIONS_TTL_MS = 3_600_000;

/**
 * The matching queue: who is searching, where (grid-snapped cell centres only), with which radius,
 * and the open offers. Every method is ONE atomic step on the backend (one Lua script over keys
 * sharing one hash tag in Redis, one synchronous critical section in memory), so no user is ever in
 * two offers and no decision is taken on stale state. There are no locks that could be lost.
 *
 * Pairing rule, applied whenever a user starts or resumes searching: among the other SEARCHING
 * users c with haversine(u, c) <= min(radius(u), radius(c)), in u's pool, whose preferences accept u
 * and whom u's preferences accept, not excluded either way (blocked, an open room together, or met
 * within pairMemoryMs), and not in a cooldown with u, the one with the smallest `since` (longest
 * waiting; ties: smallest userId) is offered to u. Exact distance never orders candidates.
 *
 * Time is passed in (`now`, ms since epoch) so that every instance judges deadlines the same way
 * and tests control the clock. Durations come from `MatchQueueOptions`.
 */
export interface MatchQueue {
  /**
   * Starts a search, or updates the position and radius of a running one (keeping its place in
   * line and pushing its search deadline to now + searchTimeoutMs), then tries to pair the user.
   * The request's `profile` replaces the stored one (none given: none stored); each OFFERED event
   * carries the partner's as `partnerProfile`, also after a re-queue. A user who is OFFERED is left
   * unchanged (`busy`). `needs-exclusions`: the user's exclusion mirror (blocks, open rooms) is not
   * loaded; call `loadExclusions` and retry. `held`: the user is held off (`holdOff`) until
   * `heldUntil`; nothing changed (a running search stays as it was).
   */
  enqueue(request: SearchRequest, now: number): Promise<EnqueueResult>;

  /**
   * Stops searching. A user who is OFFERED declines the offer instead (they get CANCELLED, the
   * peer DECLINED and is searching again; the pair enters cooldown as after a decline). IDLE: a no-op. Either way the user ends IDLE and their
   * location is deleted.
   */
  cancel(userId: string, now: number): Promise<QueueChange>;

  /**
   * Answers an offer. `stale` when the offer is gone or is not the user's current one (late
   * answers never touch a newer offer). Accept: the peer gets PEER_ACCEPTED; when both accepted,
   * `completing` carries the offer, which stays open (deadline extended by offerTtlMs) until
   * `complete` or expiry. Decline: both get DECLINED, the pair enters cooldown, the decliner is
   * IDLE and the declined user searches again (keeping their place in line) and may be re-paired.
   * Accepting twice is idempotent.
   */
  respond(userId: string, matchId: string, accept: boolean, now: number): Promise<RespondResult>;

  /**
   * Ends a fully accepted offer after its room was created: both users become IDLE (locations
   * deleted) and the pair is excluded from re-matching while the room is open, and for
   * pairMemoryMs from now (in the loaded mirrors; the database's rooms say the same on the next
   * load). False when the
   * offer no longer exists (it expired meanwhile).
   */
  complete(matchId: string, now: number): Promise<boolean>;

  /** The user's state as this instant. */
  status(userId: string, now: number): Promise<QueueStatus>;

  /**
   * Keeps the user from starting or updating a search until `until` (ms): `enqueue` answers `held`
   * meanwhile. A shorter hold never shortens a longer one. A search already running is left alone.
   */
  holdOff(userId: string, until: number, now: number): Promise<void>;

  /** Heartbeat: marks these users present (they hold a live matchEvents subscription). */
  touch(userIds: readonly string[], now: number): Promise<void>;

  /**
   * Housekeeping, safe to run from every instance at once (each item is handled exactly once):
   * offers past their deadline expire (everyone gets EXPIRED, and the pair gets NO cooldown: nobody
   * said no, so both searching again are offered to each other at once; whoever accepted searches
   * again and may be re-paired, the silent one is IDLE); searches past their deadline end
   * (SEARCH_TIMEOUT); searching users unseen for presenceGraceMs are removed (CANCELLED).
   * Handles at most `limit` items of each kind per call.
   */
  sweep(now: number, limit?: number): Promise<QueueChange>;

  /**
   * Replaces the mirror of the user's exclusions (users blocked either way, peers of open rooms),
   * whose source of truth is the database. Until it is loaded, and again once it is older than
   * EXCLUSIONS_TTL_MS (one hour) or lost with Redis, `enqueue` answers `needs-exclusions`.
   */
  loadExclusions(userId: string, exclusions: Exclusions, now: number): Promise<void>;

  /** Whether the user's exclusion mirror is loaded and fresh, i.e. `enqueue` would not answer `needs-exclusions`. */
  hasExclusions(userId: string, now: number): Promise<boolean>;

  /**
   * Adds or removes one excluded pair in both users' mirrors (a block, a room opened or closed).
   * A mirror that is not loaded is left alone: it will be loaded from the database when needed.
   */
  setExcluded(a: string, b: string, kind: ExclusionKind, excluded: boolean): Promise<void>;

  /** Users currently SEARCHING (for metrics). */
  searchingCount(): Promise<number>;

  /**
   * Calls `listener` each time the adapter finds that the backend lost the queue's data (a Redis
   * that restarted empty, a failover without persistence, a flush): every search, offer and
   * exclusion mirror is gone and the users concerned were told nothing. The Redis adapter keeps a
   * generation marker and checks it whenever its connection is ready again and on every `sweep`;
   * a marker that is missing or changed means the data was lost. On a Redis Cluster, a failover of
   * the queue's shard counts too (the promoted replica may miss the latest writes). The memory adapter never calls it
   * (its data lives exactly as long as the process). Returns the function that removes the listener.
   */
  onLost(listener: () => void): () => void;

  dispose(): Promise<void>;
}

export interface MatchQueueOptions {
  /** How long both users have to accept. @default 30 000 ms */
  offerTtlMs: number;
  /**
   * After an explicit "no" (a decline, or a cancel while offered) the pair is not offered again for
   * this long; an offer that expires sets no cooldown. @default 300 000 ms
   */
  cooldownMs: number;
  /** A search ends by itself after this long without a new request. @default 300 000 ms */
  searchTimeoutMs: number;
  /** A searching user unseen (no heartbeat) for this long is removed. @default 20 000 ms */
  presenceGraceMs: number;
  /** A pair whose match completed is not offered to each other again for this long. @default 24 h */
  pairMemoryMs: number;
}

/** What a user states about themself, for the preferences of others. */
export interface Traits {
  /** The user's gender (any token of [A-Z_]); none: not stated. */
  gender?: string;
  /** Whole years (the caller's rule); none: not stated. */
  age?: number;
}

/** Whom a user accepts; each stated part must be met, and a trait not stated does not meet it. */
export interface Preferences {
  /** Accepted genders (tokens of [A-Z_]); none or empty: any, including not stated. */
  genders?: string[];
  minAge?: number;
  maxAge?: number;
}

/**
 * Who a searching user is and whom they accept: two users are paired only when they are in the same
 * pool and each side's preferences accept the other's traits (checked in the same atomic step as
 * distance, exclusions and cooldowns).
 */
export interface Filter {
  /** Users are paired only within one pool ([a-z0-9]*; '' is the default pool). @default '' */
  pool?: string;
  traits?: Traits;
  preferences?: Preferences;
}

export interface SearchRequest {
  userId: string;
  /** Already snapped to the grid by the caller. */
  position: Position;
  radiusKm: number;
  /**
   * What a partner is shown of the user, as opaque text (the queue never reads it; '' is none),
   * kept while the user is queued so that offers need no lookup. @default none
   */
  profile?: string;
  /** Pool, traits and preferences. @default the default pool, no traits, no preferences */
  filter?: Filter;
}

export interface Exclusions {
  blocked: string[];
  openRooms: string[];
  /**
   * Users met recently (a completed match), each excluded until `until` (ms); a user listed twice is
   * excluded until the later. @default none
   */
  met?: { userId: string; until: number }[];
}

/** The kinds of exclusion `setExcluded` changes (a recent meeting only ends by itself). */
export type ExclusionKind = 'blocked' | 'openRooms';

export interface Offer {
  matchId: string;
  /** The two users, in the order they were paired (the enqueuer first). */
  users: [string, string];
  /** Bucket of the distance between the two cell centres, frozen for the offer. */
  distanceKm: number;
  expiresAt: number;
  accepted: string[];
}

export type QueueEventType = 'OFFERED' | 'PEER_ACCEPTED' | 'DECLINED' | 'EXPIRED' | 'CANCELLED' | 'SEARCH_TIMEOUT';

/** Something one user must be told. */
export interface QueueEvent {
  to: string;
  type: QueueEventType;
  /** The offer concerned (absent for CANCELLED of a search and SEARCH_TIMEOUT). */
  offer?: Offer;
  /** OFFERED only: the partner's `profile` from their last `enqueue`, when they gave one. */
  partnerProfile?: string;
}

export interface QueueChange {
  events: QueueEvent[];
}

export type EnqueueResult = QueueChange & {
  status: 'searching' | 'offered' | 'busy' | 'needs-exclusions' | 'held';
  /** `held` only: when the hold ends (ms). */
  heldUntil?: number;
};

export type RespondResult = QueueChange & { status: 'accepted' | 'declined' | 'stale'; completing?: Offer };

export type QueueStatus =
  | { state: 'IDLE' }
  | { state: 'SEARCHING'; radiusKm: number; since: number }
  | { state: 'OFFERED'; radiusKm: number; offer: Offer };
