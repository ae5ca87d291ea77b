import { EXCLUSIONS_TTL_MS, type ExclusionKind, type Exclusions } from './match-queue.port';
import { latestMeetings, type PairRelations } from './match-queue.rule';

/** The unordered pair's key in the cooldown map (any fixed order of the two ids will do). */
const pairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

/**
 * The memory adapter's record of who may not be paired with whom, besides distance: the exclusion
 * mirrors (blocks, open rooms, recent meetings; loaded from the database) and the pair cooldowns
 * (§1 and §3 of the rule in match-queue.lua.ts' header; keys.ts' blocked, openRooms, met,
 * exclusionsLoaded and cooldown keys in Redis).
 */
export function createMemoryPairRelations() {
  interface Mirror {
    blocked: Set<string>;
    openRooms: Set<string>;
    /** userId -> until (ms). */
    met: Map<string, number>;
    loadedAt: number;
  }
  const mirrors = new Map<string, Mirror>();
  const cooldowns = new Map<string, number>();

  return {
    /** What §1 reads besides the two users, at `now`. */
    at: (now: number): PairRelations => ({
      excludes(x, y) {
        const mirror = mirrors.get(x);
        return Boolean(mirror && (mirror.blocked.has(y) || mirror.openRooms.has(y) || (mirror.met.get(y) ?? 0) > now));
      },
      coolingDown: (x, y) => (cooldowns.get(pairKey(x, y)) ?? 0) > now,
    }),

    /** Whether the user's mirror is loaded and younger than EXCLUSIONS_TTL_MS. */
    fresh(userId: string, now: number): boolean {
      const mirror = mirrors.get(userId);
      return Boolean(mirror && mirror.loadedAt + EXCLUSIONS_TTL_MS > now);
    },

    load(userId: string, { blocked, openRooms, met = [] }: Exclusions, now: number): void {
      mirrors.set(userId, {
        blocked: new Set(blocked),
        openRooms: new Set(openRooms),
        met: new Map(latestMeetings(met).map((m) => [m.userId, m.until])),
        loadedAt: now,
      });
    },

    /** Adds or removes y in x's mirror when x's mirror is loaded; one that is not is left alone. */
    set(x: string, y: string, kind: ExclusionKind, excluded: boolean): void {
      const set = mirrors.get(x)?.[kind];
      if (excluded) set?.add(y);
      else set?.delete(y);
    },

    /** Records in x's loaded mirror that x met y, excluded until `until` (ms); a later meeting extends it. */
    meet(x: string, y: string, until: number): void {
      const met = mirrors.get(x)?.met;
      if (met) met.set(y, Math.max(until, met.get(y) ?? 0));
    },

    /** §3: the pair is not offered to each other again before `until` (ms). */
    coolDown(a: string, b: string, until: number): void {
      cooldowns.set(pairKey(a, b), until);
    },

    /** Forgets cooldowns that are over (Redis lets them expire). */
    prune(now: number): void {
      for (const [key, until] of cooldowns) if (until <= now) cooldowns.delete(key);
    },

    clear(): void {
      mirrors.clear();
      cooldowns.clear();
    },
  };
}
