import { DISTANCE_BUCKETS_KM } from './geo';

/**
 * Redis keys of the matching queue: the one definition of their layout, rendered twice from the
 * same names below, for TypeScript (`matchKeys`) and for the Lua scripts (`MATCH_KEYS_LUA`); the
 * Redis adapter's tests check that both renderings build the same key byte for byte.
 *
 * Every key is `base` + a name or a segment + id(s), and `base` (prefix + `{match}:v2:`) carries the
 * one hash tag, so a single Lua script may touch them all (one Redis Cluster slot). Scripts get
 * `base` as an argument and never spell the tag: sharding the queue by area (docs/scaling.md)
 * changes `base`, not the scripts.
 */
const HASH_TAG = '{match}';

/**
 * The layout's version, part of `base`: instances of two versions (a rolling upgrade) keep two
 * separate queues instead of reading each other's indexes wrongly. v2: the GEO index by radius
 * class with the judged fields in the member; v3: the user's filter (pool, traits, preferences) in the
 * member, and the mirror of recent meetings. The old version's searches are simply unknown here:
 * a client whose socket moves to an upgraded instance finds its search gone (matchStatus IDLE) and
 * requests again, as after any lost queue; the old keys expire or stay as a few idle bytes.
 */
const LAYOUT_VERSION = 'v3';

/** The queue's shared keys (indexes), whole names after `base`. Scripts receive them as KEYS, in this order. */
export const SHARED_KEYS = ['unindexed', 'searching', 'deadlines', 'seen', 'meta', 'offers'] as const;

/**
 * Radius classes of the GEO index: a searching user is indexed in the first class whose radius is
 * at least their own (below zero: the first), or past the last one (`RADIUS_CLASSES_KM.length + 1`).
 * A candidate is eligible only within their own radius, so a search reads class i only as far as
 * min(its radius, RADIUS_CLASSES_KM[i]) (match-queue.lua.ts §7). The distance buckets shown to users.
 */
export const RADIUS_CLASSES_KM: readonly number[] = DISTANCE_BUCKETS_KM;

/** The class (1-based, as in Lua) of a radius: see RADIUS_CLASSES_KM. */
export function radiusClass(radiusKm: number): number {
  const i = RADIUS_CLASSES_KM.findIndex((limit) => radiusKm <= limit);
  return i === -1 ? RADIUS_CLASSES_KM.length + 1 : i + 1;
}

/** Every radius class, 1-based. */
export const RADIUS_CLASSES = Array.from({ length: RADIUS_CLASSES_KM.length + 1 }, (_, i) => i + 1);

/** Per-user, per-offer and per-pair keys: `base` + segment + id(s). Short: there is one per queued user. */
const SEGMENT = {
  geo: 'geo:',
  user: 'u:',
  offer: 'o:',
  cooldown: 'cd:',
  blocked: 'xb:',
  openRooms: 'xr:',
  met: 'xm:',
  exclusionsLoaded: 'xl:',
  hold: 'h:',
  directory: 'd:',
  fence: 'f:',
  visit: 'v:',
  cooling: 'xc:',
} as const;

/** Separators of the cooldown key: `cd:<byte length of the smaller id>:<smaller id>|<larger id>`. */
const LENGTH_END = ':';
const PAIR_SEPARATOR = '|';

/**
 * The layout under one hash tag: `{match}` for the one-slot queue; the sharded queue
 * (match-queue.sharded.ts) uses the same layout once per area cell (`{match:<cell>}`) and once per
 * user (`{mu:<userId>}`, the user's directory, hold, cooldowns and the master of their exclusion
 * mirror), plus `{match}`'s `cells` registry.
 */
export function matchKeys(prefix: string, hashTag = HASH_TAG) {
  const base = `${prefix}${hashTag}:${LAYOUT_VERSION}:`;
  return {
    /** Prepended to every key below; handed to the Lua scripts. */
    base,
    /**
     * GEO set of the SEARCHING users of one radius class (`radiusClass`) inside the GEO-indexable
     * band, at their cell centres, for prefiltering. Each member is the user's `meta` entry, '|' and
     * the userId: a search judges candidates from the members alone.
     */
    geo: (radiusClass: number) => `${base}${SEGMENT.geo}${radiusClass}`,
    /** Set of SEARCHING users whose position GEO cannot index (|lat| > 85°): always checked exactly. */
    unindexed: `${base}unindexed`,
    /** ZSET of SEARCHING users: userId -> since (place in line). Its size is `searchingCount`. */
    searching: `${base}searching`,
    /** ZSET of SEARCHING users: userId -> search deadline (ms). */
    deadlines: `${base}deadlines`,
    /** ZSET of SEARCHING users: userId -> last heartbeat (ms). */
    seen: `${base}seen`,
    /**
     * Hash of GEO-indexed SEARCHING users: userId -> 'since|radiusKm|lat|lon|filter' (what a search
     * judges them by, the filter as match-queue.filter.ts encodes it; their GEO member is this entry
     * + '|' + userId).
     */
    meta: `${base}meta`,
    /** ZSET of open offers: matchId -> expiresAt (ms). */
    offers: `${base}offers`,
    /** Hash of a queued user: state, lat, lon, radiusKm, since, deadline, seen, matchId, profile, filter (safety TTL). */
    user: (userId: string) => `${base}${SEGMENT.user}${userId}`,
    /**
     * Hash of an offer: a, b (the users, enqueuer first), distanceKm, expiresAt, acc1 and acc2 (the
     * first and second user to accept), completing ('1' once both accepted) (safety TTL).
     */
    offer: (matchId: string) => `${base}${SEGMENT.offer}${matchId}`,
    /**
     * The unordered pair's cooldown: value = until (ms), PX = cooldownMs. The ids in byte order, the
     * first length-prefixed (ids may hold any byte, '|' included).
     */
    cooldown: (a: string, b: string) => {
      const [x, y] = Buffer.compare(Buffer.from(a), Buffer.from(b)) <= 0 ? [a, b] : [b, a];
      return `${base}${SEGMENT.cooldown}${Buffer.byteLength(x)}${LENGTH_END}${x}${PAIR_SEPARATOR}${y}`;
    },
    /** Set of users blocked either way (exclusion mirror). */
    blocked: (userId: string) => `${base}${SEGMENT.blocked}${userId}`,
    /** Set of peers with an open room (exclusion mirror). */
    openRooms: (userId: string) => `${base}${SEGMENT.openRooms}${userId}`,
    /** Hash of users met recently (exclusion mirror): userId -> until (ms). */
    met: (userId: string) => `${base}${SEGMENT.met}${userId}`,
    /** The user's hold (`holdOff`): value = until (ms), PX = until - now. */
    hold: (userId: string) => `${base}${SEGMENT.hold}${userId}`,
    /** Sharded queue, the user's slot: hash cell (their home cell), epoch (counts moves home). */
    directory: (userId: string) => `${base}${SEGMENT.directory}${userId}`,
    /** Sharded queue, a cell: the user left this cell as home at this epoch; older requests are refused here. */
    fence: (userId: string) => `${base}${SEGMENT.fence}${userId}`,
    /** Sharded queue, a visited cell: 'arrived' or 'void', the outcome of visit id (settled once). */
    visit: (visitId: string) => `${base}${SEGMENT.visit}${visitId}`,
    /** Sharded queue, the user's slot: hash of peers in a cooldown with the user -> until (ms). */
    cooling: (userId: string) => `${base}${SEGMENT.cooling}${userId}`,
    /** Sharded queue, a cell: list of effects on other slots still to apply (JSON, match-queue.sharded.ts). */
    outbox: `${base}outbox`,
    /** Sharded queue, a cell: ZSET of users VISITING another cell -> since when (ms). */
    visiting: `${base}visiting`,
    /** Sharded queue, `{match}` only: ZSET of cells -> last time a user made it their home (ms). */
    cells: `${base}cells`,
    /** Marker of a loaded mirror: value = loadedAt (ms), PX = EXCLUSIONS_TTL_MS. */
    exclusionsLoaded: (userId: string) => `${base}${SEGMENT.exclusionsLoaded}${userId}`,
    /**
     * The queue's generation: a random id, written once (SET NX) by the first instance that finds it
     * missing, no TTL. Missing or changed: the queue's data was lost (match-queue.port.ts `onLost`).
     * Read by TypeScript only.
     */
    generation: `${base}generation`,
  };
}

export type MatchKeys = ReturnType<typeof matchKeys>;

/** The shared keys of a layout in `SHARED_KEYS` order: the KEYS of every queue script. */
export const sharedKeys = (keys: MatchKeys): string[] => SHARED_KEYS.map((name) => keys[name]);

/** A Lua string literal of a layout name (plain ASCII by construction; checked so that nothing needs escaping). */
function lua(text: string): string {
  if (!/^[\w:|{}-]*$/.test(text)) throw new Error(`expected a plain key name, got ${JSON.stringify(text)}`);
  return `'${text}'`;
}

/**
 * The same layout in Lua: `matchKeys(base, shared)` returns a table read like `matchKeys(prefix)`
 * above (`keys.meta`, `keys.user(id)`, `keys.cooldown(a, b)`), whose shared keys are the script's
 * KEYS (`shared`, in `SHARED_KEYS` order) and whose per-id keys are built from `base`. Needs
 * `bytesLess(a, b)` (byte-wise string order, as Buffer.compare) in scope.
 */
export const MATCH_KEYS_LUA = `
local function matchKeys(base, shared)
  local keys = {}
${SHARED_KEYS.map((name, i) => `  keys.${name} = shared[${i + 1}]`).join('\n')}
  keys.geo = function(radiusClass) return base .. ${lua(SEGMENT.geo)} .. radiusClass end
  keys.user = function(userId) return base .. ${lua(SEGMENT.user)} .. userId end
  keys.offer = function(matchId) return base .. ${lua(SEGMENT.offer)} .. matchId end
  keys.cooldown = function(a, b)
    if bytesLess(b, a) then a, b = b, a end
    return base .. ${lua(SEGMENT.cooldown)} .. #a .. ${lua(LENGTH_END)} .. a .. ${lua(PAIR_SEPARATOR)} .. b
  end
  keys.blocked = function(userId) return base .. ${lua(SEGMENT.blocked)} .. userId end
  keys.openRooms = function(userId) return base .. ${lua(SEGMENT.openRooms)} .. userId end
  keys.met = function(userId) return base .. ${lua(SEGMENT.met)} .. userId end
  keys.exclusionsLoaded = function(userId) return base .. ${lua(SEGMENT.exclusionsLoaded)} .. userId end
  keys.hold = function(userId) return base .. ${lua(SEGMENT.hold)} .. userId end
  keys.directory = function(userId) return base .. ${lua(SEGMENT.directory)} .. userId end
  keys.fence = function(userId) return base .. ${lua(SEGMENT.fence)} .. userId end
  keys.visit = function(visitId) return base .. ${lua(SEGMENT.visit)} .. visitId end
  keys.cooling = function(userId) return base .. ${lua(SEGMENT.cooling)} .. userId end
  keys.outbox = base .. 'outbox'
  keys.visiting = base .. 'visiting'
  return keys
end
`;
