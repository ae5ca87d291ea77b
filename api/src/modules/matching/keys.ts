/**
 * Redis keys of the matching module. Every key carries the one hash tag `{match}`, so a single Lua
 * script may touch all of them (one Redis Cluster slot). The scripts build the per-user, per-offer and
 * per-pair keys themselves from `base` with the same segments as the builders below.
 */
export function matchKeys(prefix: string) {
  const base = `${prefix}{match}:`;
  return {
    /** Prepended to every key below; handed to the Lua scripts. */
    base,
    /** GEO set of SEARCHING users (cell centres) inside the GEO-indexable band, for prefiltering. */
    geo: `${base}geo`,
    /** Set of SEARCHING users whose position GEO cannot index (|lat| > 85°): always checked exactly. */
    unindexed: `${base}unindexed`,
    /** ZSET of SEARCHING users: userId -> since (place in line). Its size is `searchingCount`. */
    searching: `${base}searching`,
    /** ZSET of SEARCHING users: userId -> search deadline (ms). */
    deadlines: `${base}deadlines`,
    /** ZSET of SEARCHING users: userId -> last heartbeat (ms). */
    seen: `${base}seen`,
    /** Hash of GEO-indexed SEARCHING users: userId -> 'since|radiusKm|lat|lon' (what a search judges them by). */
    meta: `${base}meta`,
    /** ZSET of open offers: matchId -> expiresAt (ms). */
    offers: `${base}offers`,
    /** Hash of a queued user: state, lat, lon, radiusKm, since, deadline, seen, matchId, profile (safety TTL). */
    user: (userId: string) => `${base}u:${userId}`,
    /** Hash of an offer: a, b, distanceKm, expiresAt, acc1, acc2, completing (safety TTL). */
    offer: (matchId: string) => `${base}o:${matchId}`,
    /** The unordered pair's cooldown: value = until (ms), PX = cooldownMs. Length-prefixed: ids may hold any byte. */
    cooldown: (a: string, b: string) => {
      const [x, y] = Buffer.compare(Buffer.from(a), Buffer.from(b)) <= 0 ? [a, b] : [b, a];
      return `${base}cd:${Buffer.byteLength(x)}:${x}|${y}`;
    },
    /** Set of users blocked either way (exclusion mirror). */
    blocked: (userId: string) => `${base}xb:${userId}`,
    /** Set of peers with an open room (exclusion mirror). */
    openRooms: (userId: string) => `${base}xr:${userId}`,
    /** Marker of a loaded mirror: value = loadedAt (ms), PX = EXCLUSIONS_TTL_MS. */
    exclusionsLoaded: (userId: string) => `${base}xl:${userId}`,
  };
}

export type MatchKeys = ReturnType<typeof matchKeys>;
