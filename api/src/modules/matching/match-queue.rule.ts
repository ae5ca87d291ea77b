import { distanceBucket, haversineKm, type Position } from './geo';
import type { Filter, Preferences, Traits } from './match-queue.port';

/**
 * The pairing rule as pure TypeScript, shared by the two oracles that the Redis scripts are judged
 * by: the memory adapter (match-queue.memory.ts) and the property test's reference model. Each
 * function names the section of the rule it states, in the header of match-queue.lua.ts (the rule
 * as it runs on Redis, §1 to §6) and in the MatchQueue port's doc.
 */

/** What the rule reads of a queued user. */
export interface Searcher {
  id: string;
  state: 'SEARCHING' | 'OFFERED';
  /** A grid cell centre (the caller snapped it). */
  position: Position;
  radiusKm: number;
  /** Place in line: when the search started (ms), kept across re-queues. */
  since: number;
  /** Who the user is and whom they accept (match-queue.port.ts `Filter`); none: anybody in the default pool. */
  filter?: Filter;
}

/** What the rule reads of the queue's other state, at the instant of the pairing. */
export interface PairRelations {
  /** Whether x's exclusion mirror holds y (blocked, or an open room together, as x's mirror records it). */
  excludes(x: string, y: string): boolean;
  /** Whether the unordered pair is in a cooldown after a decline (or a cancel while offered). */
  coolingDown(x: string, y: string): boolean;
}

/** Whether preferences accept traits: a preference the traits do not state (no gender, no age) is not met. */
export function accepts(preferences: Preferences | undefined, traits: Traits | undefined): boolean {
  if (!preferences) return true;
  const { genders, minAge, maxAge } = preferences;
  const { gender, age } = traits ?? {};
  if (genders?.length && !(gender && genders.includes(gender))) return false;
  if (minAge !== undefined && !(age !== undefined && age >= minAge)) return false;
  if (maxAge !== undefined && !(age !== undefined && age <= maxAge)) return false;
  return true;
}

/** §1's preferences: the same pool, and each side's preferences accept the other's traits. */
export function mutuallyAccepted(a: Filter | undefined, b: Filter | undefined): boolean {
  return (
    (a?.pool ?? '') === (b?.pool ?? '') && accepts(a?.preferences, b?.traits) && accepts(b?.preferences, a?.traits)
  );
}

/**
 * §1 Eligibility: whether c may be offered to u. Not self; both SEARCHING (an OFFERED user is in
 * nobody's candidates, so nobody is in two offers); the distance between the two cell centres
 * within both radii; the same pool and each side's preferences accepting the other; not excluded by either mirror (blocked either way, open room together); no
 * cooldown for the pair.
 */
export function eligible(u: Searcher, c: Searcher, relations: PairRelations): boolean {
  return (
    c.id !== u.id &&
    u.state === 'SEARCHING' &&
    c.state === 'SEARCHING' &&
    haversineKm(u.position, c.position) <= Math.min(u.radiusKm, c.radiusKm) &&
    mutuallyAccepted(u.filter, c.filter) &&
    !relations.excludes(u.id, c.id) &&
    !relations.excludes(c.id, u.id) &&
    !relations.coolingDown(u.id, c.id)
  );
}

/**
 * Byte-wise order of the ids' UTF-8 (as Redis sorts equal scores and as the scripts' `bytesLess`);
 * the same as `<` for the ASCII ids in use.
 */
export function compareIds(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * Oldest first, ties by `compareIds`: §2's order of candidates (`at` = since) and §5's order of
 * the items a sweep handles (`at` = expiresAt, deadline or last heartbeat).
 */
export const oldestFirst =
  <T>(at: (item: T) => number, id: (item: T) => string) =>
  (a: T, b: T): number =>
    at(a) - at(b) || compareIds(id(a), id(b));

/** §2 Order: the longest-waiting eligible candidate goes first, never the nearest. */
export const byPlaceInLine = oldestFirst<Searcher>(
  (s) => s.since,
  (s) => s.id,
);

/**
 * §3: the distance an offer shows, a bucket of the distance between the two cell centres, never more
 * than either radius: the pair is within both, so "within 5 km" to someone who searched within 3 km
 * would contradict what they chose (it shows "within 3 km").
 */
export const offerDistanceKm = (a: Searcher, b: Searcher): number =>
  Math.min(distanceBucket(haversineKm(a.position, b.position)), a.radiusKm, b.radiusKm);

/**
 * Recent meetings with each peer once, at its latest end: a pair that met twice in the window is
 * excluded until the later meeting's memory ends, whatever order the list comes in.
 */
export function latestMeetings(met: readonly { userId: string; until: number }[]): { userId: string; until: number }[] {
  const latest = new Map<string, number>();
  for (const { userId, until } of met) latest.set(userId, Math.max(until, latest.get(userId) ?? -Infinity));
  return [...latest].map(([userId, until]) => ({ userId, until }));
}
