import { DISTANCE_BUCKETS_KM, EARTH_RADIUS_KM, GEO_PREFILTER_MARGIN } from './geo';
import { MATCH_KEYS_LUA, RADIUS_CLASSES_KM } from './keys';

/**
 * The Redis match queue's scripts, one per MatchQueue method (run by match-queue.redis.ts): the
 * matching rule as it runs in production. This header is its spec. The memory adapter
 * (match-queue.memory.ts) and the property test's reference model implement the same sections,
 * through the pure predicates of match-queue.rule.ts, and are the oracle the scripts are tested
 * against.
 *
 * §1 Eligibility. A user c may be offered to a user u only when all of these hold:
 *    - c is not u;
 *    - both are SEARCHING: an OFFERED user is in no index and no search sees them, so nobody is
 *      ever in two offers;
 *    - haversine(u, c) <= min(u.radiusKm, c.radiusKm), measured between the grid-cell centres the
 *      caller snapped both positions to (geo.ts' formula and Earth radius, term by term);
 *    - the same pool, and each side's preferences accept the other's traits (match-queue.filter.ts'
 *      encoding; a preference the other does not state a trait for is not met);
 *    - neither exclusion mirror holds the other: not blocked either way, no open room together, not
 *      met within pairMemoryMs (a completed match);
 *    - the pair has no cooldown left from a decline or a cancel while offered (cooldownMs); an
 *      offer that merely expired leaves none.
 * §2 Order. Pairing is tried for one user at a time, whenever they start or resume searching
 *    (an enqueue, or back in line after a decline, a cancel or an expiry). Among the eligible, the
 *    one with the smallest `since` (longest waiting) is offered; ties: the byte-wise smallest
 *    userId. Exact distance never orders candidates (that would leak it).
 * §3 Offers. An offer holds its matchId (`<nonce>-<n>`: a random nonce per call, n counting the
 *    offers of the call), the two users (first the one whose search found the other), the bucket of
 *    their distance, expiresAt = now + offerTtlMs, and who accepted. Both accepted: it stays open
 *    (completing, expiresAt renewed) until `complete` or expiry. Declined or cancelled: both are
 *    told, the pair gets a cooldown (an explicit "no"), the one who declined is IDLE, the other back
 *    in line. Expired: both are told, the pair gets NO cooldown (nobody said no: they may simply have
 *    looked away, and both searching again must find each other at once), whoever accepted is back
 *    in line, the silent one is IDLE. Back in line keeps `since` and renews the search deadline.
 * §4 Atomicity. Each method is ONE script over keys sharing one hash tag (keys.ts): it reads and
 *    writes one consistent state, without locks or WATCH. Inputs are checked before a script runs,
 *    so none fails half-way through its writes. Decisions use the caller's `now` (ms), never Redis'
 *    clock.
 * §5 Time and TTLs. A search ends at its deadline (searchTimeoutMs after its last enqueue or return
 *    to the line) and a searching user unseen for presenceGraceMs is removed; `sweep` does both and
 *    expires offers: offers first, then deadlines, then the unseen, each kind oldest first (ties:
 *    smallest id), at most `limit` of each. Key TTLs only collect garbage: a user's and an offer's
 *    hash live SAFETY_TTL_MS after their last write, so a location never outlives its search even
 *    when no sweep runs; a cooldown lives cooldownMs; an exclusion mirror EXCLUSIONS_TTL_MS, after
 *    which `enqueue` answers needs-exclusions until it is loaded again. Index entries whose hash
 *    expired are dropped when next met.
 * §6 Duplicate and late calls. An enqueue while SEARCHING updates position, radius and profile,
 *    keeps `since`, renews the deadline and tries §2 again; while OFFERED it answers busy and changes
 *    nothing. A second accept is a no-op. An answer naming an offer that is gone, not the user's
 *    current one, or expired is `stale` and changes nothing. `complete` of a gone or expired offer
 *    is false. A cancel while IDLE is a no-op. Sweeping twice handles each item once.
 *    `loadExclusions` replaces the mirror; `setExcluded` twice is the same as once.
 * §7 Index. A searching user is indexed by radius class (keys.ts RADIUS_CLASSES_KM): the first
 *    class whose radius is at least their own. Since §1 needs haversine(u, c) <= c.radiusKm, a
 *    search of radius r reads class i only as far as min(r, class i's radius) (plus the GEOSEARCH
 *    margin): in a dense area a 5 km search never reads the 1 km searchers 4 km away, who could not
 *    be offered anyway. Each GEO member carries what §1 and §2 judge the candidate by (since,
 *    radius, cell centre, filter, then the id), so a search reads candidates from the GEOSEARCH
 *    reply alone.
 *
 * Calling convention of every script:
 *   KEYS: the queue's shared keys, in keys.ts' SHARED_KEYS order (built by matchKeys);
 *   ARGV: base (keys.ts), offerTtlMs, cooldownMs, searchTimeoutMs, presenceGraceMs, exclusionsTtlMs,
 *         pairMemoryMs, now, nonce, then the method's own arguments from ARGV[10].
 * Numbers travel as strings formatted with %.17g (exact round trip of a double), never as Lua
 * numbers, whose default formatting keeps only 14 digits.
 */

/**
 * Pure helpers, shared by every script and checked against geo.ts by the adapter's tests:
 * - haversine: geo.ts' formula term by term, with the same Earth radius. V8's sin/cos/asin (fdlibm)
 *   and Redis' (the C library's) may differ in the last bit, so about 1 distance in 100 differs
 *   from geo.ts by a few 1e-14 km: a decision can only differ when a distance lies that close to a
 *   radius or a bucket edge;
 * - bucket: geo.ts' distanceBucket, with the same buckets (an offer shows at most either radius);
 * - prefilterRadiusKm: geo.ts' prefilterRadiusKm, with the same GEO_PREFILTER_MARGIN;
 * - radiusClass: keys.ts' radiusClass, with the same RADIUS_CLASSES_KM;
 * - fmt: exact number formatting;
 * - bytesLess: byte-wise string order (Lua's `<` follows the server's collation locale);
 * - parseFilter, mutuallyAccepted: match-queue.filter.ts' decoding and match-queue.rule.ts'
 *   mutuallyAccepted (the default filter is '').
 */
export const HELPERS_LUA = `
local EARTH_RADIUS_KM = ${EARTH_RADIUS_KM}
local RAD = math.pi / 180
local BUCKETS = {${DISTANCE_BUCKETS_KM.join(', ')}}
local PREFILTER_MARGIN_RATIO = ${GEO_PREFILTER_MARGIN.ratio}
local PREFILTER_MARGIN_KM = ${GEO_PREFILTER_MARGIN.km}
local RADIUS_CLASSES = {${RADIUS_CLASSES_KM.join(', ')}}

local function fmt(x) return string.format('%.17g', x) end

local function haversine(lat1, lon1, lat2, lon2)
  local dLat = (lat2 - lat1) * RAD
  local dLon = (lon2 - lon1) * RAD
  local s1 = math.sin(dLat / 2)
  local s2 = math.sin(dLon / 2)
  local h = s1 * s1 + math.cos(lat1 * RAD) * math.cos(lat2 * RAD) * (s2 * s2)
  return 2 * EARTH_RADIUS_KM * math.asin(math.min(1, math.sqrt(h)))
end

local function bucket(km)
  for _, b in ipairs(BUCKETS) do
    if km <= b then return b end
  end
  return 100
end

local function prefilterRadiusKm(radiusKm)
  return radiusKm * (1 + PREFILTER_MARGIN_RATIO) + PREFILTER_MARGIN_KM
end

-- keys.ts' radiusClass: the first class whose radius is at least radiusKm, else the one past the last.
local function radiusClass(radiusKm)
  for i, limit in ipairs(RADIUS_CLASSES) do
    if radiusKm <= limit then return i end
  end
  return #RADIUS_CLASSES + 1
end

local function bytesLess(a, b)
  if a == b then return false end
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

-- match-queue.filter.ts' 'pool:gender:age:genders:minAge:maxAge' ('' fields absent, genders
-- comma-separated); '' is the default filter. Decoded once per distinct text and call.
local DEFAULT_FILTER = {pool = ''}
local filters = {}
local function parseFilter(text)
  if not text or text == '' then return DEFAULT_FILTER end
  local f = filters[text]
  if f then return f end
  local pool, gender, age, genders, minAge, maxAge =
    string.match(text, '^([^:]*):([^:]*):([^:]*):([^:]*):([^:]*):([^:]*)$')
  f = {pool = pool or '', age = tonumber(age), minAge = tonumber(minAge), maxAge = tonumber(maxAge)}
  if gender and gender ~= '' then f.gender = gender end
  if genders and genders ~= '' then
    f.genders = {}
    for g in string.gmatch(genders, '[^,]+') do f.genders[g] = true end
  end
  filters[text] = f
  return f
end

-- Whether p's preferences accept t's traits.
local function accepts(p, t)
  if p.genders and not (t.gender and p.genders[t.gender]) then return false end
  if p.minAge and not (t.age and t.age >= p.minAge) then return false end
  if p.maxAge and not (t.age and t.age <= p.maxAge) then return false end
  return true
end

-- match-queue.rule.ts' mutuallyAccepted, on two filters' texts.
local function mutuallyAccepted(aText, bText)
  if aText == bText and (aText == '' or aText == nil) then return true end
  local a, b = parseFilter(aText), parseFilter(bText)
  return a.pool == b.pool and accepts(a, b) and accepts(b, a)
end
`;

/** State helpers shared by every script: arguments, users, offers, candidates, pairing (§1, §2), offers ending (§3). */
export const QUEUE_LUA = `${HELPERS_LUA}
${MATCH_KEYS_LUA}
local keys = matchKeys(ARGV[1], KEYS)
local OFFER_TTL_MS = tonumber(ARGV[2])
local COOLDOWN_MS = tonumber(ARGV[3])
local SEARCH_TIMEOUT_MS = tonumber(ARGV[4])
local PRESENCE_GRACE_MS = tonumber(ARGV[5])
local EXCLUSIONS_TTL_MS = tonumber(ARGV[6])
local PAIR_MEMORY_MS = tonumber(ARGV[7])
local now = tonumber(ARGV[8])
local nonce = ARGV[9]
-- §5: the longest a queued user's or an offer's hash can matter after its last write (ms).
local SAFETY_TTL_MS = math.max(1, math.ceil(SEARCH_TIMEOUT_MS + 2 * OFFER_TTL_MS + PRESENCE_GRACE_MS))
-- The sharded queue's directory of a user and a cell's fence against their older requests live this
-- long after their last write: longer than any request takes.
local DIRECTORY_TTL_MS = 86400000
-- The offer hash's fields naming the first and the second user to accept.
local ACCEPTED_FIELDS = {'acc1', 'acc2'}

-- Where candidates come from. GEO indexes latitudes up to 85.05°: users beyond 85° sit in
-- keys.unindexed, which every search reads. The GEOSEARCH prefilter is used only where this queue
-- relies on it: circles that stay within 84° of latitude and are at most 1000 km wide. Other searches
-- read every searching user (rare: the API caps radii at 100 km, and few search near the poles);
-- either way §1 is then decided exactly. A degree of latitude is 111.2 km: dividing by 110
-- overestimates how far north or south a circle reaches.
local GEO_MAX_LAT = 85
local GEOSEARCH_MAX_LAT = 84
local GEOSEARCH_MAX_KM = 1000
local KM_PER_DEGREE_LAT_AT_LEAST = 110

-- The sharded queue (match-queue.sharded.ts) runs these scripts per area cell with SHARDED set: a
-- user may then be a visitor (their record carries home and visit) or away (state VISITING while a
-- visit is under way, AWAY while offered in the visited cell), and effects on other slots are emitted
-- into keys.outbox and returned to the caller, who applies them (each idempotent) and removes them.
local SHARDED = false
-- Sharded: the place in line of a search moving home from another cell (else nil).
local carriedSince = nil
local OUTBOX = {}
local function emit(entry)
  table.insert(entry, 1, nonce .. '-e' .. #OUTBOX)
  table.insert(entry, 2, fmt(now))
  local text = cjson.encode(entry)
  redis.call('RPUSH', keys.outbox, text)
  table.insert(OUTBOX, text)
end

local offersMade = 0
local function newMatchId()
  local id = nonce .. '-' .. offersMade
  offersMade = offersMade + 1
  return id
end

-- A queued user's hash. The *Text fields keep the stored text, written back unchanged (exact round trip).
local function loadUser(id)
  local v = redis.call('HMGET', keys.user(id), 'state', 'lat', 'lon', 'radiusKm', 'since', 'deadline', 'seen',
    'matchId', 'profile', 'filter', 'home', 'visit', 'vcell')
  if not v[1] then return nil end
  return {
    id = id, state = v[1], latText = v[2], lonText = v[3], lat = tonumber(v[2]), lon = tonumber(v[3]),
    radiusText = v[4], radius = tonumber(v[4]), since = tonumber(v[5]), deadline = tonumber(v[6]),
    seen = tonumber(v[7]), matchId = v[8], profile = v[9] or nil, filterText = v[10] or '',
    home = v[11] or nil, visit = v[12] or nil, vcell = v[13] or nil,
  }
end

local function loadOffer(id)
  if not id then return nil end
  local v = redis.call('HMGET', keys.offer(id),
    'a', 'b', 'distanceKm', 'expiresAt', ACCEPTED_FIELDS[1], ACCEPTED_FIELDS[2], 'completing')
  if not v[1] then return nil end
  local accepted = {}
  if v[5] then table.insert(accepted, v[5]) end
  if v[6] then table.insert(accepted, v[6]) end
  return {
    id = id, users = {v[1], v[2]}, distanceText = v[3], expiresAt = tonumber(v[4]),
    accepted = accepted, completing = v[7] == '1',
  }
end

local function includes(list, x)
  for _, y in ipairs(list) do
    if y == x then return true end
  end
  return false
end

local function peerOf(offer, id)
  if offer.users[1] == id then return offer.users[2] end
  return offer.users[1]
end

-- The offer as the events and replies show it: matchId, a, b, distanceKm, expiresAt, accepted.
local function offerReply(offer)
  local accepted = {}
  for i, id in ipairs(offer.accepted) do accepted[i] = id end
  return {offer.id, offer.users[1], offer.users[2], offer.distanceText, fmt(offer.expiresAt), accepted}
end

-- keys.meta's entry of a GEO-indexed searching user: what a search judges them by (§1, §2).
local function metaEntry(u)
  return fmt(u.since) .. '|' .. u.radiusText .. '|' .. u.latText .. '|' .. u.lonText .. '|' .. u.filterText
end

-- A candidate from its keys.meta entry (nil without one). Their own hash is not read yet.
local function candidateFromMeta(id, entry)
  local since, radius, lat, lon, filter = string.match(entry or '', '^([^|]+)|([^|]+)|([^|]+)|([^|]+)|([^|]*)$')
  if not since then return nil end
  return {
    id = id, state = 'SEARCHING', since = tonumber(since), radius = tonumber(radius),
    lat = tonumber(lat), lon = tonumber(lon), filterText = filter, fromMeta = true,
  }
end

-- Removes the GEO member of a meta entry (§7).
local function removeMember(id, entry)
  local radius = string.match(entry, '^[^|]+|([^|]+)|')
  redis.call('ZREM', keys.geo(radiusClass(tonumber(radius))), entry .. '|' .. id)
end

local function unindex(id)
  local entry = redis.call('HGET', keys.meta, id)
  if entry then
    removeMember(id, entry)
    redis.call('HDEL', keys.meta, id)
  end
  redis.call('SREM', keys.unindexed, id)
  redis.call('ZREM', keys.searching, id)
  redis.call('ZREM', keys.deadlines, id)
  redis.call('ZREM', keys.seen, id)
end

local function indexable(lat, lon)
  return lat and lon and math.abs(lat) <= GEO_MAX_LAT and math.abs(lon) <= 180
end

-- Writes a SEARCHING user (hash with a fresh safety TTL) and indexes them.
local function saveSearching(u)
  local key = keys.user(u.id)
  local fields = {'state', 'SEARCHING', 'lat', u.latText, 'lon', u.lonText, 'radiusKm', u.radiusText,
    'since', fmt(u.since), 'deadline', fmt(u.deadline), 'seen', fmt(u.seen)}
  local absent = {'matchId', 'home', 'visit', 'vcell'}
  for _, field in ipairs({{'profile', u.profile}, {'filter', u.filterText ~= '' and u.filterText or nil}}) do
    if field[2] then
      table.insert(fields, field[1])
      table.insert(fields, field[2])
    else
      table.insert(absent, field[1])
    end
  end
  redis.call('HSET', key, unpack(fields))
  redis.call('HDEL', key, unpack(absent))
  redis.call('PEXPIRE', key, SAFETY_TTL_MS)
  local before = redis.call('HGET', keys.meta, u.id)
  local entry = indexable(u.lat, u.lon) and metaEntry(u)
  if before and before ~= entry then removeMember(u.id, before) end
  if entry then
    redis.call('SREM', keys.unindexed, u.id)
    redis.call('GEOADD', keys.geo(radiusClass(u.radius)), u.lonText, u.latText, entry .. '|' .. u.id)
    redis.call('HSET', keys.meta, u.id, entry)
  else
    redis.call('HDEL', keys.meta, u.id)
    redis.call('SADD', keys.unindexed, u.id)
  end
  redis.call('ZADD', keys.searching, fmt(u.since), u.id)
  redis.call('ZADD', keys.deadlines, fmt(u.deadline), u.id)
  redis.call('ZADD', keys.seen, fmt(u.seen), u.id)
end

local function removeUser(id)
  if SHARDED then
    local home, visit = unpack(redis.call('HMGET', keys.user(id), 'home', 'visit'))
    if home then emit({'drop', id, home, visit}) end
    redis.call('ZREM', keys.visiting, id)
  end
  redis.call('DEL', keys.user(id))
  unindex(id)
end

-- Sharded: a visitor's exclusions, carried by value into a cell and never written there:
-- {id, excludes = peer -> until (ms; math.huge for blocks and open rooms), cooling = peer -> until}.
local carried = nil

-- Whether owner's exclusion mirror holds other (blocked, an open room together, or met until after now).
local function mirrorExcludes(owner, other)
  if carried and owner == carried.id then
    local untilMs = carried.excludes[other]
    return untilMs ~= nil and untilMs > now
  end
  if redis.call('SISMEMBER', keys.blocked(owner), other) == 1
    or redis.call('SISMEMBER', keys.openRooms(owner), other) == 1 then
    return true
  end
  local metUntil = redis.call('HGET', keys.met(owner), other)
  return metUntil ~= false and tonumber(metUntil) > now
end

local function coolingDown(a, b)
  if carried and (a == carried.id or b == carried.id) then
    local untilMs = carried.cooling[a == carried.id and b or a]
    if untilMs and untilMs > now then return true end
  end
  local untilMs = redis.call('GET', keys.cooldown(a, b))
  return untilMs and tonumber(untilMs) > now
end

-- Adds or removes other in owner's mirror (mirrorKey: keys.blocked or keys.openRooms) when owner's
-- mirror is loaded; one that is not is left alone (it is loaded whole from the database when needed).
local function updateLoadedMirror(mirrorKey, owner, other, present)
  local ttl = redis.call('PTTL', keys.exclusionsLoaded(owner))
  if ttl <= 0 then return end
  if present then
    redis.call('SADD', mirrorKey(owner), other)
    redis.call('PEXPIRE', mirrorKey(owner), ttl)
  else
    redis.call('SREM', mirrorKey(owner), other)
  end
end

-- Records in owner's loaded mirror that owner met other, until untilMs (never shortened).
local function rememberMeeting(owner, other, untilMs)
  local ttl = redis.call('PTTL', keys.exclusionsLoaded(owner))
  if ttl <= 0 or not (PAIR_MEMORY_MS > 0) then return end
  local before = tonumber(redis.call('HGET', keys.met(owner), other) or '0')
  if before < untilMs then redis.call('HSET', keys.met(owner), other, fmt(untilMs)) end
  redis.call('PEXPIRE', keys.met(owner), ttl)
end

-- Replaces a mirror's set or hash by ARGV[from..to] (members, or fields and values), living ttl ms.
local function replaceMirror(key, command, from, to, ttl)
  redis.call('DEL', key)
  for i = from, to, 1000 do
    redis.call(command, key, unpack(ARGV, i, math.min(i + 999, to)))
  end
  if to >= from then redis.call('PEXPIRE', key, ttl) end
end

-- keys.meta's entries of ids, in order (false where there is none), one HMGET per 1000.
local function metaEntries(ids)
  local entries = {}
  for i = 1, #ids, 1000 do
    local chunk = redis.call('HMGET', keys.meta, unpack(ids, i, math.min(i + 999, #ids)))
    for j = 1, #chunk do entries[i + j - 1] = chunk[j] end
  end
  return entries
end

-- Adds c to inRange when they are another SEARCHING user within both radii of u (§1's distance)
-- whose filter and u's accept each other.
local function addIfInRange(u, c, inRange)
  if c.id == u.id or c.state ~= 'SEARCHING' then return end
  c.distance = haversine(u.lat, u.lon, c.lat, c.lon)
  if c.distance <= math.min(u.radius, c.radius) and mutuallyAccepted(u.filterText, c.filterText) then
    table.insert(inRange, c)
  end
end

-- Adds the users of ids (searching users' ids) within range of u: judged by their meta entries, else
-- (unindexed) their hash. Ids whose hash outlived its safety TTL are dropped from the indexes.
local function addInRange(u, ids, inRange)
  local entries = metaEntries(ids)
  for i, id in ipairs(ids) do
    local c = candidateFromMeta(id, entries[i])
    if not c then
      c = loadUser(id) -- unindexed: no meta entry
      if not c then unindex(id) end -- its hash outlived its safety TTL
    end
    if c then addIfInRange(u, c, inRange) end
  end
end

-- Every other SEARCHING user within both radii of u (§1's distance) whose filter and u's accept each
-- other, §7: in each radius class the GEOSEARCH prefilter around u's cell centre as far as the class
-- allows, each member judged by what it carries (radius and cell centre first; filter, since and id
-- only for those in range), plus the
-- unindexed; or every searching user where the prefilter is not relied on (see GEOSEARCH_MAX_LAT).
local function inRangeOf(u)
  local inRange = {}
  if not (u.radius >= 0) then return inRange end
  local searchKm = prefilterRadiusKm(u.radius)
  if not indexable(u.lat, u.lon) or math.abs(u.lat) + searchKm / KM_PER_DEGREE_LAT_AT_LEAST > GEOSEARCH_MAX_LAT
      or searchKm > GEOSEARCH_MAX_KM then
    addInRange(u, redis.call('ZRANGE', keys.searching, 0, -1), inRange)
    return inRange
  end
  for class = 1, #RADIUS_CLASSES + 1 do
    local reachKm = math.min(u.radius, RADIUS_CLASSES[class] or u.radius)
    local members = redis.call('GEOSEARCH', keys.geo(class), 'FROMLONLAT', u.lonText, u.latText,
      'BYRADIUS', fmt(prefilterRadiusKm(reachKm)), 'km')
    for _, member in ipairs(members) do
      local radius, lat, lon = string.match(member, '^[^|]+|([^|]+)|([^|]+)|([^|]+)|')
      radius, lat, lon = tonumber(radius), tonumber(lat), tonumber(lon)
      local distance = haversine(u.lat, u.lon, lat, lon)
      if distance <= math.min(u.radius, radius) then
        local since, filter, id = string.match(member, '^([^|]+)|[^|]+|[^|]+|[^|]+|([^|]*)|(.*)$')
        if id ~= u.id and mutuallyAccepted(u.filterText, filter) then
          table.insert(inRange, {
            id = id, state = 'SEARCHING', since = tonumber(since), radius = radius, lat = lat, lon = lon,
            distance = distance, fromMeta = true,
          })
        end
      end
    end
  end
  addInRange(u, redis.call('SMEMBERS', keys.unindexed), inRange)
  return inRange
end

-- §2's order.
local function byPlaceInLine(x, y)
  if x.since ~= y.since then return x.since < y.since end
  return bytesLess(x.id, y.id)
end

-- §1's exclusions between u and a candidate c: neither mirror holds the other, and no cooldown.
local function unexcluded(u, c)
  return not mirrorExcludes(u.id, c.id) and not mirrorExcludes(c.id, u.id) and not coolingDown(u.id, c.id)
end

-- §1 and §2 for one SEARCHING user u: offers them the first eligible candidate in line, if any, and
-- appends both OFFERED events (§3). Cheap checks first: self, state and distance for every candidate,
-- from their GEO members (§7); then exclusions and cooldown (a read each) in line order until one passes,
-- whose own hash is read last, to confirm they are still there and for their profile.
local function choosePartner(u)
  local inRange = inRangeOf(u)
  table.sort(inRange, byPlaceInLine)
  local partner
  for _, c in ipairs(inRange) do
    if unexcluded(u, c) then
      if not c.fromMeta then
        partner = c
      else
        local stored = loadUser(c.id)
        if not stored then
          unindex(c.id) -- its hash outlived its safety TTL
        elseif stored.state == 'SEARCHING' then
          partner = c
          partner.profile = stored.profile
        end
      end
      if partner then return partner end
    end
  end
  return nil
end

-- §3: offers u and partner to each other, appending both OFFERED events.
local function offerPair(u, partner, events)
  local offer = {
    id = newMatchId(), users = {u.id, partner.id}, distanceText = fmt(math.min(bucket(partner.distance), u.radius, partner.radius)),
    expiresAt = now + OFFER_TTL_MS, accepted = {}, completing = false,
  }
  local key = keys.offer(offer.id)
  redis.call('HSET', key, 'a', u.id, 'b', partner.id, 'distanceKm', offer.distanceText, 'expiresAt', fmt(offer.expiresAt))
  redis.call('PEXPIRE', key, SAFETY_TTL_MS)
  redis.call('ZADD', keys.offers, fmt(offer.expiresAt), offer.id)
  for _, x in ipairs({u, partner}) do
    x.state = 'OFFERED'
    x.matchId = offer.id
    redis.call('HSET', keys.user(x.id), 'state', 'OFFERED', 'matchId', offer.id)
    redis.call('PEXPIRE', keys.user(x.id), SAFETY_TTL_MS)
    unindex(x.id)
  end
  local shown = offerReply(offer)
  -- Each side's event ends with the other's profile (a nil profile simply ends the reply earlier).
  table.insert(events, {u.id, 'OFFERED', shown, partner.profile})
  table.insert(events, {partner.id, 'OFFERED', shown, u.profile})
end

-- §1 to §3 for one SEARCHING user u: offers them the first eligible candidate in line, if any.
local function tryPair(u, events)
  if not u or u.state ~= 'SEARCHING' then return end
  local partner = choosePartner(u)
  if partner then offerPair(u, partner, events) end
end

-- §3: puts an offered user back in line (original place, fresh deadline) and tries to pair them.
-- A visitor goes back in line at home instead (sharded: emitted), and a user left searching is
-- emitted for the caller to try the neighbouring cells.
local function requeue(id, events)
  local u = loadUser(id)
  if not u then return end
  if u.home then
    emit({'return', id, u.home, u.visit})
    redis.call('DEL', keys.user(id))
    return
  end
  u.state = 'SEARCHING'
  u.matchId = nil
  u.deadline = now + SEARCH_TIMEOUT_MS
  u.seen = math.max(u.seen, now)
  saveSearching(u)
  tryPair(u, events)
  if SHARDED and u.state == 'SEARCHING' then emit({'search', id}) end
end

-- §3: ends an offer that was declined or expired; keep: the users who go back in line; declined:
-- whether someone said no (only then does the pair get a cooldown).
local function dropOffer(offer, keep, declined, events)
  redis.call('DEL', keys.offer(offer.id))
  redis.call('ZREM', keys.offers, offer.id)
  if declined and COOLDOWN_MS > 0 then
    redis.call('SET', keys.cooldown(offer.users[1], offer.users[2]), fmt(now + COOLDOWN_MS), 'PX', math.ceil(COOLDOWN_MS))
    if SHARDED then emit({'cooling', offer.users[1], offer.users[2], fmt(now + COOLDOWN_MS)}) end
  end
  for _, id in ipairs(offer.users) do
    if includes(keep, id) then requeue(id, events) else removeUser(id) end
  end
end

-- §5, the sweep's three kinds of item, each handled when due.
local function unseenSince() return now - PRESENCE_GRACE_MS end
local function expireOffer(matchId, events)
  local offer = loadOffer(matchId)
  if offer then
    local shown = offerReply(offer)
    for _, id in ipairs(offer.users) do table.insert(events, {id, 'EXPIRED', shown}) end
    dropOffer(offer, offer.accepted, false, events)
  else
    redis.call('ZREM', keys.offers, matchId) -- its hash outlived its safety TTL
  end
end
local function endSearch(id, events)
  removeUser(id)
  table.insert(events, {id, 'SEARCH_TIMEOUT'})
end
local function removeUnseen(id, events)
  removeUser(id)
  table.insert(events, {id, 'CANCELLED'})
end

-- The user's current offer, or nil when they have none (or it was lost with its safety TTL).
local function currentOffer(u)
  if not u or u.state ~= 'OFFERED' then return nil end
  local offer = loadOffer(u.matchId)
  if offer and includes(offer.users, u.id) then return offer end
  return nil
end
`;

/**
 * Enqueue after its checks (ARGV as ENQUEUE_LUA's): a user offered, or visiting another cell or away
 * there (sharded), is busy.
 */
export const ENQUEUE_CORE = `
local userId = ARGV[10]
local profile = ARGV[14]
if profile == '' then profile = nil end
local existing = loadUser(userId)
if currentOffer(existing) or (existing and (existing.state == 'AWAY' or existing.state == 'VISITING')) then
  return {'busy', {}}
end
local since = carriedSince or now
if existing and existing.state == 'SEARCHING' then since = existing.since end
local u = {
  id = userId, state = 'SEARCHING', latText = ARGV[11], lonText = ARGV[12], lat = tonumber(ARGV[11]), lon = tonumber(ARGV[12]),
  radiusText = ARGV[13], radius = tonumber(ARGV[13]), since = since, deadline = now + SEARCH_TIMEOUT_MS, seen = now,
  profile = profile, filterText = ARGV[15],
}
saveSearching(u)
local events = {}
tryPair(u, events)
if #events > 0 then return {'offered', events} end
if SHARDED then emit({'search', userId}) end
return {'searching', events}
`;

// ARGV[10..]: userId, lat, lon, radiusKm, profile ('' for none), filter ('' for the default).
// Returns {status, events} ({'held', {}, until} while held off).
export const ENQUEUE_LUA = `${QUEUE_LUA}
local userId = ARGV[10]
local heldUntil = redis.call('GET', keys.hold(userId))
if heldUntil and tonumber(heldUntil) > now then return {'held', {}, heldUntil} end
local loadedAt = redis.call('GET', keys.exclusionsLoaded(userId))
if not loadedAt or tonumber(loadedAt) + EXCLUSIONS_TTL_MS <= now then return {'needs-exclusions', {}} end
${ENQUEUE_CORE}`;

// ARGV[10]: userId. Returns {events}.
export const CANCEL_BODY = `
local userId = ARGV[10]
local u = loadUser(userId)
local offer = currentOffer(u)
if not offer then
  if u then removeUser(userId) end
  return {{}}
end
local peer = peerOf(offer, userId)
local shown = offerReply(offer)
local events = {{userId, 'CANCELLED', shown}, {peer, 'DECLINED', shown}}
dropOffer(offer, {peer}, true, events)
return {events}
`;
export const CANCEL_LUA = `${QUEUE_LUA}${CANCEL_BODY}`;

// ARGV[10..]: userId, matchId, accept ('1' | '0'). Returns {status, events, completing | false}.
export const RESPOND_BODY = `
local userId, matchId, accept = ARGV[10], ARGV[11], ARGV[12] == '1'
local u = loadUser(userId)
local offer = currentOffer(u)
if not offer or offer.id ~= matchId or offer.expiresAt <= now then return {'stale', {}, false} end
local peer = peerOf(offer, userId)
if not accept then
  local shown = offerReply(offer)
  local events = {{userId, 'DECLINED', shown}, {peer, 'DECLINED', shown}}
  dropOffer(offer, {peer}, true, events)
  return {'declined', events, false}
end
if includes(offer.accepted, userId) then return {'accepted', {}, false} end
table.insert(offer.accepted, userId)
local key = keys.offer(offer.id)
redis.call('HSET', key, ACCEPTED_FIELDS[#offer.accepted], userId)
local events = {{peer, 'PEER_ACCEPTED', offerReply(offer)}}
if #offer.accepted < 2 then return {'accepted', events, false} end
offer.completing = true
offer.expiresAt = now + OFFER_TTL_MS
redis.call('HSET', key, 'completing', '1', 'expiresAt', fmt(offer.expiresAt))
redis.call('ZADD', keys.offers, fmt(offer.expiresAt), offer.id)
for _, k in ipairs({key, keys.user(offer.users[1]), keys.user(offer.users[2])}) do redis.call('PEXPIRE', k, SAFETY_TTL_MS) end
return {'accepted', events, offerReply(offer)}
`;
export const RESPOND_LUA = `${QUEUE_LUA}${RESPOND_BODY}`;

// ARGV[10]: matchId. Returns 1 when completed, else 0.
export const COMPLETE_BODY = `
local offer = loadOffer(ARGV[10])
if not offer or not offer.completing or offer.expiresAt <= now then return 0 end
redis.call('DEL', keys.offer(offer.id))
redis.call('ZREM', keys.offers, offer.id)
local a, b = offer.users[1], offer.users[2]
removeUser(a)
removeUser(b)
updateLoadedMirror(keys.openRooms, a, b, true)
updateLoadedMirror(keys.openRooms, b, a, true)
rememberMeeting(a, b, now + PAIR_MEMORY_MS)
rememberMeeting(b, a, now + PAIR_MEMORY_MS)
if SHARDED then emit({'met', a, b, fmt(now + PAIR_MEMORY_MS)}) end
return 1
`;
export const COMPLETE_LUA = `${QUEUE_LUA}${COMPLETE_BODY}`;

// ARGV[10]: userId. Returns {'IDLE'} | {'SEARCHING', radiusKm, since} | {'OFFERED', radiusKm, offer}.
export const STATUS_BODY = `
local u = loadUser(ARGV[10])
if not u then return {'IDLE'} end
if u.state == 'SEARCHING' then return {'SEARCHING', u.radiusText, fmt(u.since)} end
local offer = currentOffer(u)
if offer then return {'OFFERED', u.radiusText, offerReply(offer)} end
return {'IDLE'}
`;
export const STATUS_LUA = `${QUEUE_LUA}${STATUS_BODY}`;

// ARGV[10..]: userId, until (ms). Returns nothing.
export const HOLD_LUA = `${QUEUE_LUA}
local userId, untilMs = ARGV[10], tonumber(ARGV[11])
local before = tonumber(redis.call('GET', keys.hold(userId)) or '0')
if untilMs > now and untilMs > before then
  redis.call('SET', keys.hold(userId), fmt(untilMs), 'PX', math.ceil(untilMs - now))
end
return 0
`;

// ARGV[10..]: userIds. Returns nothing.
export const TOUCH_BODY = `
for i = 10, #ARGV do
  local u = loadUser(ARGV[i])
  if u and u.seen < now then
    redis.call('HSET', keys.user(u.id), 'seen', fmt(now))
    if u.state == 'SEARCHING' then redis.call('ZADD', keys.seen, fmt(now), u.id) end
  end
end
return 0
`;
export const TOUCH_LUA = `${QUEUE_LUA}${TOUCH_BODY}`;

// ARGV[10]: limit per kind (-1: no limit). Returns {events}.
const SWEEP_BODY = `
local limit = ARGV[10]
local events = {}
for _, matchId in ipairs(redis.call('ZRANGEBYSCORE', keys.offers, '-inf', fmt(now), 'LIMIT', 0, limit)) do
  expireOffer(matchId, events)
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', keys.deadlines, '-inf', fmt(now), 'LIMIT', 0, limit)) do
  endSearch(id, events)
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', keys.seen, '-inf', fmt(unseenSince()), 'LIMIT', 0, limit)) do
  removeUnseen(id, events)
end
return {events}
`;
export const SWEEP_LUA = `${QUEUE_LUA}${SWEEP_BODY}`;

// ARGV[10..]: userId, number of blocked ids, number of open-room peers, blocked ids..., open-room peer
// ids..., then the users met recently as pairs of id and until (ms).
export const LOAD_EXCLUSIONS_LUA = `${QUEUE_LUA}
local userId = ARGV[10]
local blockedCount, openCount = tonumber(ARGV[11]), tonumber(ARGV[12])
local ttl = math.max(1, math.ceil(EXCLUSIONS_TTL_MS))
local first = 13
replaceMirror(keys.blocked(userId), 'SADD', first, first + blockedCount - 1, ttl)
first = first + blockedCount
replaceMirror(keys.openRooms(userId), 'SADD', first, first + openCount - 1, ttl)
first = first + openCount
replaceMirror(keys.met(userId), 'HSET', first, #ARGV, ttl)
redis.call('SET', keys.exclusionsLoaded(userId), fmt(now), 'PX', ttl)
return 0
`;

// ARGV[10..]: a, b, kind ('blocked' | 'openRooms', the Exclusions field), excluded ('1' | '0').
export const SET_EXCLUDED_LUA = `${QUEUE_LUA}
local a, b, kind, excluded = ARGV[10], ARGV[11], ARGV[12], ARGV[13] == '1'
local mirrorKey = ({blocked = keys.blocked, openRooms = keys.openRooms})[kind]
if not mirrorKey then return redis.error_reply('unknown exclusion kind: ' .. kind) end
updateLoadedMirror(mirrorKey, a, b, excluded)
updateLoadedMirror(mirrorKey, b, a, excluded)
return 0
`;
