import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../../infra/redis/clients';
import { defineScript, type Script } from '../../infra/redis/define-script';
import { matchKeys, sharedKeys } from './keys';
import { encodeFilter } from './match-queue.filter';
import {
  CANCEL_LUA,
  COMPLETE_LUA,
  ENQUEUE_LUA,
  HOLD_LUA,
  LOAD_EXCLUSIONS_LUA,
  RESPOND_LUA,
  SET_EXCLUDED_LUA,
  STATUS_LUA,
  SWEEP_LUA,
  TOUCH_LUA,
} from './match-queue.lua';
import { latestMeetings } from './match-queue.rule';
import { QueueGeneration } from './queue-generation';
import {
  EXCLUSIONS_TTL_MS,
  type EnqueueResult,
  type ExclusionKind,
  type Exclusions,
  type MatchQueue,
  type MatchQueueOptions,
  type Offer,
  type QueueChange,
  type QueueEvent,
  type QueueEventType,
  type QueueStatus,
  type RespondResult,
  type SearchRequest,
} from './match-queue.port';

export interface RedisMatchQueueOptions extends MatchQueueOptions {
  /** Prepended to every key (see `matchKeys`). Use '' for none. */
  prefix: string;
}

/** An offer as the scripts return it: matchId, a, b, distanceKm, expiresAt, accepted. */
export type OfferReply = [string, string, string, string, string, string[]];
/** to, type, then the offer concerned (if any), then the partner's profile (OFFERED, if any). */
export type EventReply =
  [string, QueueEventType] | [string, QueueEventType, OfferReply] | [string, QueueEventType, OfferReply, string | null];
type StatusReply = ['IDLE'] | ['SEARCHING', string, string] | ['OFFERED', string, OfferReply];

export const toOffer = ([matchId, a, b, distanceKm, expiresAt, accepted]: OfferReply): Offer => ({
  matchId,
  users: [a, b],
  distanceKm: Number(distanceKm),
  expiresAt: Number(expiresAt),
  accepted,
});

/** Events in the order the script produced them (the memory adapter's order). */
export const toEvents = (replies: EventReply[]): QueueEvent[] =>
  replies.map(([to, type, offer, partnerProfile]) =>
    offer
      ? { to, type, offer: toOffer(offer), ...(typeof partnerProfile === 'string' ? { partnerProfile } : {}) }
      : { to, type },
  );

export function checkFinite(what: string, value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`expected ${what} to be a finite number, got ${value}`);
}

/** The durations every queue script takes after `base` (match-queue.lua.ts' calling convention), checked finite. */
export function scriptDurations(options: MatchQueueOptions): number[] {
  const durations = [
    options.offerTtlMs,
    options.cooldownMs,
    options.searchTimeoutMs,
    options.presenceGraceMs,
    EXCLUSIONS_TTL_MS,
    options.pairMemoryMs,
  ];
  durations.forEach((ms) => checkFinite('a duration (ms)', ms));
  return durations;
}

/**
 * The matching queue in Redis, shared by every instance. Each method that changes state is ONE Lua
 * script over keys sharing the `{match}` hash tag (keys.ts); the header of match-queue.lua.ts states
 * the rule the scripts implement (§1 to §6), the memory adapter's steps one for one: pairing happens
 * inside the enqueue, respond, cancel and sweep scripts, so no user is ever in two offers, without
 * locks or WATCH. `status` is a (read-only) script too, so it never mixes two states.
 *
 * Candidates are prefiltered with GEOSEARCH around the user's cell centre (geo.ts' prefilterRadiusKm:
 * the radius + 0.1 % + 10 m, covering GEO's own Earth radius and 52-bit rounding), one GEO key per
 * radius class (keys.ts RADIUS_CLASSES_KM), each read only as far as a candidate of that class could
 * be eligible, then judged in Lua with geo.ts' haversine on the stored cell centres, longest waiting
 * first (ties: byte-wise smallest userId). What a candidate is judged by (since, radius, position)
 * is the GEO member itself (and mirrored in one `meta` hash, which finds the member to remove), so a
 * search reads nothing but the GEOSEARCH replies; only the chosen partner's own hash is read, to
 * confirm it is still there (and for their profile, which lives in that hash and travels back in
 * OFFERED events only).
 * Users beyond GEO's latitude band (|lat| > 85°) sit in an unindexed set that every search checks; a
 * search whose prefilter circle may reach past 84° of latitude, or is over 1000 km wide (a radius
 * over about 999 km), checks every searching user.
 *
 * Time: decisions use the `now` passed in (cooldowns and exclusion mirrors store their start or end
 * and are judged against it); key TTLs follow Redis' clock and only collect garbage: a user's hash
 * and an offer live searchTimeoutMs + 2 x offerTtlMs + presenceGraceMs after the user was last queued
 * or offered (or the offer fully accepted), so a location never outlives its search even when no
 * sweep runs; index entries left behind by an expired hash are dropped when next met. Offer ids are
 * `${nonce}-${n}` with a random nonce per call, as in the memory adapter.
 *
 * Needs Redis 6.2+ (GEOSEARCH). Positions, radii and times must be finite numbers (RangeError
 * otherwise), so a script never fails half-way through its writes. The shared keys are passed as
 * KEYS; the per-user, per-offer and per-pair keys are built inside the scripts from ids they read,
 * with keys.ts' layout (one slot, but undeclared keys), so Redis Cluster needs the whole `{match}`
 * slot on one node, as it always is. The caller owns the client: `dispose()` does not quit it.
 *
 * Loss: the generation marker (keys.ts `generation`, queue-generation.ts) is checked when the
 * adapter starts, each time the client is ready again after a reconnect, and with every `sweep`
 * (which also catches a flush without a reconnect); `onLost` listeners run when it went missing.
 */
export function createRedisMatchQueue(redis: RedisClient, options: RedisMatchQueueOptions): MatchQueue {
  const keys = matchKeys(options.prefix);
  const shared = sharedKeys(keys);
  const scripts = {
    enqueue: defineScript(redis, 'matchQueueEnqueue', shared.length, ENQUEUE_LUA),
    cancel: defineScript(redis, 'matchQueueCancel', shared.length, CANCEL_LUA),
    respond: defineScript(redis, 'matchQueueRespond', shared.length, RESPOND_LUA),
    complete: defineScript(redis, 'matchQueueComplete', shared.length, COMPLETE_LUA),
    status: defineScript(redis, 'matchQueueStatus', shared.length, STATUS_LUA),
    touch: defineScript(redis, 'matchQueueTouch', shared.length, TOUCH_LUA),
    hold: defineScript(redis, 'matchQueueHold', shared.length, HOLD_LUA),
    sweep: defineScript(redis, 'matchQueueSweep', shared.length, SWEEP_LUA),
    loadExclusions: defineScript(redis, 'matchQueueLoadExclusions', shared.length, LOAD_EXCLUSIONS_LUA),
    setExcluded: defineScript(redis, 'matchQueueSetExcluded', shared.length, SET_EXCLUDED_LUA),
  };
  const durations = scriptDurations(options);
  const generation = new QueueGeneration(redis, keys.generation);
  const onReady = () => void generation.check();
  redis.on('ready', onReady);
  void generation.check();

  /** Runs a script with the shared keys and leading arguments (see match-queue.lua.ts). */
  const run = (script: Script, now: number, ...args: string[]) => {
    checkFinite('now (ms)', now);
    return script(...shared, keys.base, ...durations.map(String), String(now), randomUUID(), ...args);
  };

  return {
    async enqueue(
      { userId, position, radiusKm, profile = '', filter }: SearchRequest,
      now: number,
    ): Promise<EnqueueResult> {
      checkFinite('latitude', position.lat);
      checkFinite('longitude', position.lon);
      checkFinite('radiusKm', radiusKm);
      const args = [
        userId,
        String(position.lat),
        String(position.lon),
        String(radiusKm),
        profile,
        encodeFilter(filter),
      ];
      const [status, events, heldUntil] = (await run(scripts.enqueue, now, ...args)) as [
        EnqueueResult['status'],
        EventReply[],
        string | undefined,
      ];
      return { status, events: toEvents(events), ...(heldUntil === undefined ? {} : { heldUntil: Number(heldUntil) }) };
    },

    async cancel(userId: string, now: number): Promise<QueueChange> {
      const [events] = (await run(scripts.cancel, now, userId)) as [EventReply[]];
      return { events: toEvents(events) };
    },

    async respond(userId: string, matchId: string, accept: boolean, now: number): Promise<RespondResult> {
      const [status, events, completing] = (await run(scripts.respond, now, userId, matchId, accept ? '1' : '0')) as [
        RespondResult['status'],
        EventReply[],
        OfferReply | null,
      ];
      const result: RespondResult = { status, events: toEvents(events) };
      if (completing) result.completing = toOffer(completing);
      return result;
    },

    async complete(matchId: string, now: number): Promise<boolean> {
      return (await run(scripts.complete, now, matchId)) === 1;
    },

    async status(userId: string, now: number): Promise<QueueStatus> {
      const reply = (await run(scripts.status, now, userId)) as StatusReply;
      switch (reply[0]) {
        case 'IDLE':
          return { state: 'IDLE' };
        case 'SEARCHING':
          return { state: 'SEARCHING', radiusKm: Number(reply[1]), since: Number(reply[2]) };
        case 'OFFERED':
          return { state: 'OFFERED', radiusKm: Number(reply[1]), offer: toOffer(reply[2]) };
      }
    },

    async holdOff(userId: string, until: number, now: number): Promise<void> {
      checkFinite('until (ms)', until);
      await run(scripts.hold, now, userId, String(until));
    },

    async touch(userIds: readonly string[], now: number): Promise<void> {
      if (userIds.length > 0) await run(scripts.touch, now, ...userIds);
    },

    async sweep(now: number, limit = 100): Promise<QueueChange> {
      const count = Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : -1;
      if (count === 0) return { events: [] };
      const [[events]] = (await Promise.all([run(scripts.sweep, now, String(count)), generation.check()])) as [
        [EventReply[]],
        void,
      ];
      return { events: toEvents(events) };
    },

    async loadExclusions(userId: string, { blocked, openRooms, met = [] }: Exclusions, now: number): Promise<void> {
      met.forEach(({ until }) => checkFinite('until (ms)', until));
      const counts = [String(blocked.length), String(openRooms.length)];
      const meetings = latestMeetings(met).flatMap(({ userId: peer, until }) => [peer, String(until)]);
      await run(scripts.loadExclusions, now, userId, ...counts, ...blocked, ...openRooms, ...meetings);
    },

    async hasExclusions(userId: string, now: number): Promise<boolean> {
      const loadedAt = await redis.get(keys.exclusionsLoaded(userId));
      return loadedAt !== null && Number(loadedAt) + EXCLUSIONS_TTL_MS > now;
    },

    async setExcluded(a: string, b: string, kind: ExclusionKind, excluded: boolean): Promise<void> {
      await run(scripts.setExcluded, 0, a, b, kind, excluded ? '1' : '0');
    },

    async searchingCount(): Promise<number> {
      return redis.zcard(keys.searching);
    },

    onLost: (listener) => generation.onLost(listener),

    async dispose(): Promise<void> {
      redis.off('ready', onReady);
    },
  };
}
