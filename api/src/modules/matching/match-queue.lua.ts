import { DISTANCE_BUCKETS_KM, EARTH_RADIUS_KM, GEO_PREFILTER_MARGIN } from './geo';
import { MATCH_KEYS_LUA } from './keys';

/**
 * The Lua side of the Redis match queue (see match-queue.redis.ts). Each exported script is
 * `QUEUE_LUA` (shared helpers) followed by one method's body, run as ONE script over keys that all
 * share the `{match}` hash tag (see keys.ts).
 *
 * Calling convention of every script:
 *   KEYS: the queue's shared keys, in keys.ts' SHARED_KEYS order (built by matchKeys);
 *   ARGV: base (keys.ts), offerTtlMs, cooldownMs, searchTimeoutMs, presenceGraceMs, exclusionsTtlMs, now, nonce,
 *         then the method's own arguments from ARGV[9].
 * Numbers travel as strings formatted with %.17g (exact round trip of a double), never as Lua
 * numbers, whose default formatting keeps only 14 digits.
 */

/**
 * Pure helpers: the same haversine as geo.ts, term by term and with the same Earth radius and
 * buckets. V8's sin/cos/asin (fdlibm) and Redis' (the C library's) may differ in the last bit, so
 * about 1 distance in 100 differs from geo.ts by a few 1e-14 km: a decision can only differ when a
 * distance lies that close to a radius or a bucket edge;
 * the distance bucket; exact number formatting; byte-wise string order (Lua's `<` follows the
 * server's collation locale).
 */
export const GEO_LUA = `
local EARTH_RADIUS_KM = ${EARTH_RADIUS_KM}
local RAD = math.pi / 180
local BUCKETS = {${DISTANCE_BUCKETS_KM.join(', ')}}
local PREFILTER_MARGIN_RATIO = ${GEO_PREFILTER_MARGIN.ratio}
local PREFILTER_MARGIN_KM = ${GEO_PREFILTER_MARGIN.km}

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

-- geo.ts' prefilterRadiusKm: how far the GEOSEARCH prefilter looks for a search of radiusKm.
local function prefilterRadiusKm(radiusKm)
  return radiusKm * (1 + PREFILTER_MARGIN_RATIO) + PREFILTER_MARGIN_KM
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
`;

/** Shared state helpers: users, offers, pairing, re-queueing and dropping offers. */
const QUEUE_LUA = `${GEO_LUA}
${MATCH_KEYS_LUA}
local keys = matchKeys(ARGV[1], KEYS)
local OFFER_TTL = tonumber(ARGV[2])
local COOLDOWN = tonumber(ARGV[3])
local SEARCH_TIMEOUT = tonumber(ARGV[4])
local GRACE = tonumber(ARGV[5])
local EXCLUSIONS_TTL = tonumber(ARGV[6])
local now = tonumber(ARGV[7])
local nonce = ARGV[8]
-- A queued user's or an offer's keys never outlive the longest they can matter (ms).
local SAFETY_TTL = math.max(1, math.ceil(SEARCH_TIMEOUT + 2 * OFFER_TTL + GRACE))
-- GEO indexes latitudes up to 85.05°; searches that may reach past 84° scan everyone instead.
local GEO_LAT = 85
local SCAN_ALL_LAT = 84
local SCAN_ALL_KM = 1000

local n = 0
local function nextId()
  local id = nonce .. '-' .. n
  n = n + 1
  return id
end

local function loadUser(id)
  local v = redis.call('HMGET', keys.user(id), 'state', 'lat', 'lon', 'radiusKm', 'since', 'deadline', 'seen', 'matchId', 'profile')
  if not v[1] then return nil end
  return {
    id = id, state = v[1], latS = v[2], lonS = v[3], lat = tonumber(v[2]), lon = tonumber(v[3]),
    radiusS = v[4], radius = tonumber(v[4]), since = tonumber(v[5]), deadline = tonumber(v[6]),
    seen = tonumber(v[7]), matchId = v[8], profile = v[9] or nil,
  }
end

local function loadOffer(id)
  if not id then return nil end
  local v = redis.call('HMGET', keys.offer(id), 'a', 'b', 'distanceKm', 'expiresAt', 'acc1', 'acc2', 'completing')
  if not v[1] then return nil end
  local accepted = {}
  if v[5] then table.insert(accepted, v[5]) end
  if v[6] then table.insert(accepted, v[6]) end
  return {
    id = id, users = {v[1], v[2]}, distanceS = v[3], expiresAt = tonumber(v[4]),
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
local function snapshot(offer)
  local accepted = {}
  for i, id in ipairs(offer.accepted) do accepted[i] = id end
  return {offer.id, offer.users[1], offer.users[2], offer.distanceS, fmt(offer.expiresAt), accepted}
end

local function unindex(id)
  redis.call('ZREM', keys.geo, id)
  redis.call('HDEL', keys.meta, id)
  redis.call('SREM', keys.unindexed, id)
  redis.call('ZREM', keys.searching, id)
  redis.call('ZREM', keys.deadlines, id)
  redis.call('ZREM', keys.seen, id)
end

local function indexable(lat, lon)
  return lat and lon and math.abs(lat) <= GEO_LAT and math.abs(lon) <= 180
end

-- Writes a SEARCHING user (hash with a fresh safety TTL) and indexes them.
local function saveSearching(u)
  local key = keys.user(u.id)
  local fields = {'state', 'SEARCHING', 'lat', u.latS, 'lon', u.lonS, 'radiusKm', u.radiusS,
    'since', fmt(u.since), 'deadline', fmt(u.deadline), 'seen', fmt(u.seen)}
  if u.profile then
    table.insert(fields, 'profile')
    table.insert(fields, u.profile)
  end
  redis.call('HSET', key, unpack(fields))
  if u.profile then redis.call('HDEL', key, 'matchId') else redis.call('HDEL', key, 'matchId', 'profile') end
  redis.call('PEXPIRE', key, SAFETY_TTL)
  if indexable(u.lat, u.lon) then
    redis.call('SREM', keys.unindexed, u.id)
    redis.call('GEOADD', keys.geo, u.lonS, u.latS, u.id)
    redis.call('HSET', keys.meta, u.id, fmt(u.since) .. '|' .. u.radiusS .. '|' .. u.latS .. '|' .. u.lonS)
  else
    redis.call('ZREM', keys.geo, u.id)
    redis.call('HDEL', keys.meta, u.id)
    redis.call('SADD', keys.unindexed, u.id)
  end
  redis.call('ZADD', keys.searching, fmt(u.since), u.id)
  redis.call('ZADD', keys.deadlines, fmt(u.deadline), u.id)
  redis.call('ZADD', keys.seen, fmt(u.seen), u.id)
end

local function removeUser(id)
  redis.call('DEL', keys.user(id))
  unindex(id)
end

local function isExcluded(u, c)
  return redis.call('SISMEMBER', keys.blocked(u), c) == 1 or redis.call('SISMEMBER', keys.openRooms(u), c) == 1
end

local function inCooldown(u, c)
  local untilMs = redis.call('GET', keys.cooldown(u, c))
  return untilMs and tonumber(untilMs) > now
end

-- Everyone who might be within radiusKm of u: a GEO prefilter at prefilterRadiusKm (geo.ts' margin
-- for GEO's own rounding and Earth radius), plus the unindexed; where that circle may reach past
-- SCAN_ALL_LAT (110 km: less than a degree of latitude, so the reach is overestimated) or is wider
-- than SCAN_ALL_KM, everyone.
local function candidateIds(u)
  if not (u.radius >= 0) then return {} end
  local searchKm = prefilterRadiusKm(u.radius)
  if not indexable(u.lat, u.lon) or math.abs(u.lat) > SCAN_ALL_LAT - searchKm / 110 or searchKm > SCAN_ALL_KM then
    return redis.call('ZRANGE', keys.searching, 0, -1)
  end
  local ids = redis.call('GEOSEARCH', keys.geo, 'FROMLONLAT', u.lonS, u.latS, 'BYRADIUS', fmt(searchKm), 'km')
  for _, id in ipairs(redis.call('SMEMBERS', keys.unindexed)) do table.insert(ids, id) end
  return ids
end

local function byPlaceInLine(x, y)
  if x.since ~= y.since then return x.since < y.since end
  return bytesLess(x.id, y.id)
end

-- Offers the longest-waiting eligible candidate to a SEARCHING user; appends the events.
local function tryPair(u, events)
  if not u or u.state ~= 'SEARCHING' then return end
  local near = {}
  local ids = candidateIds(u)
  local metas = {}
  for i = 1, #ids, 1000 do
    local chunk = redis.call('HMGET', keys.meta, unpack(ids, i, math.min(i + 999, #ids)))
    for j = 1, #chunk do metas[i + j - 1] = chunk[j] end
  end
  for i, cid in ipairs(ids) do
    if cid ~= u.id then
      local c
      local since, radius, lat, lon = string.match(metas[i] or '', '^([^|]+)|([^|]+)|([^|]+)|([^|]+)$')
      if since then
        -- The hash is read only for the one chosen below (it may have outlived its safety TTL).
        c = {id = cid, state = 'SEARCHING', since = tonumber(since), radius = tonumber(radius), lat = tonumber(lat), lon = tonumber(lon), unchecked = true}
      else
        c = loadUser(cid)
        if not c then unindex(cid) end -- its hash outlived its safety TTL
      end
      if c and c.state == 'SEARCHING' then
        c.distance = haversine(u.lat, u.lon, c.lat, c.lon)
        if c.distance <= math.min(u.radius, c.radius) then table.insert(near, c) end
      end
    end
  end
  table.sort(near, byPlaceInLine)
  local best
  for _, c in ipairs(near) do
    if not isExcluded(u.id, c.id) and not isExcluded(c.id, u.id) and not inCooldown(u.id, c.id) then
      if not c.unchecked then
        best = c
      else
        local stored = loadUser(c.id)
        if not stored then
          unindex(c.id)
        elseif stored.state == 'SEARCHING' then
          best = c
          best.profile = stored.profile
        end
      end
      if best then break end
    end
  end
  if not best then return end
  local offer = {
    id = nextId(), users = {u.id, best.id}, distanceS = fmt(bucket(best.distance)),
    expiresAt = now + OFFER_TTL, accepted = {}, completing = false,
  }
  local key = keys.offer(offer.id)
  redis.call('HSET', key, 'a', u.id, 'b', best.id, 'distanceKm', offer.distanceS, 'expiresAt', fmt(offer.expiresAt))
  redis.call('PEXPIRE', key, SAFETY_TTL)
  redis.call('ZADD', keys.offers, fmt(offer.expiresAt), offer.id)
  for _, x in ipairs({u, best}) do
    x.state = 'OFFERED'
    x.matchId = offer.id
    redis.call('HSET', keys.user(x.id), 'state', 'OFFERED', 'matchId', offer.id)
    redis.call('PEXPIRE', keys.user(x.id), SAFETY_TTL)
    unindex(x.id)
  end
  local shown = snapshot(offer)
  -- Each side's event ends with the other's profile (a nil profile simply ends the reply earlier).
  table.insert(events, {u.id, 'OFFERED', shown, best.profile})
  table.insert(events, {best.id, 'OFFERED', shown, u.profile})
end

-- Puts an offered user back in line (original place, fresh deadline) and tries to pair them.
local function requeue(id, events)
  local u = loadUser(id)
  if not u then return end
  u.state = 'SEARCHING'
  u.matchId = nil
  u.deadline = now + SEARCH_TIMEOUT
  u.seen = math.max(u.seen, now)
  saveSearching(u)
  tryPair(u, events)
end

-- Ends an offer that was declined or expired; keep: the users who go back to searching.
local function dropOffer(offer, keep, events)
  redis.call('DEL', keys.offer(offer.id))
  redis.call('ZREM', keys.offers, offer.id)
  if COOLDOWN > 0 then
    redis.call('SET', keys.cooldown(offer.users[1], offer.users[2]), fmt(now + COOLDOWN), 'PX', math.ceil(COOLDOWN))
  end
  for _, id in ipairs(offer.users) do
    if includes(keep, id) then requeue(id, events) else removeUser(id) end
  end
end

-- The user's current offer, or nil when they have none (or it was lost with its safety TTL).
local function currentOffer(u)
  if not u or u.state ~= 'OFFERED' then return nil end
  local offer = loadOffer(u.matchId)
  if offer and includes(offer.users, u.id) then return offer end
  return nil
end
`;

// ARGV[9..]: userId, lat, lon, radiusKm, profile ('' for none). Returns {status, events}.
export const ENQUEUE_LUA = `${QUEUE_LUA}
local userId = ARGV[9]
local profile = ARGV[13]
if profile == '' then profile = nil end
local loadedAt = redis.call('GET', keys.exclusionsLoaded(userId))
if not loadedAt or tonumber(loadedAt) + EXCLUSIONS_TTL <= now then return {'needs-exclusions', {}} end
local existing = loadUser(userId)
if currentOffer(existing) then return {'busy', {}} end
local since = now
if existing and existing.state == 'SEARCHING' then since = existing.since end
local u = {
  id = userId, state = 'SEARCHING', latS = ARGV[10], lonS = ARGV[11], lat = tonumber(ARGV[10]), lon = tonumber(ARGV[11]),
  radiusS = ARGV[12], radius = tonumber(ARGV[12]), since = since, deadline = now + SEARCH_TIMEOUT, seen = now,
  profile = profile,
}
saveSearching(u)
local events = {}
tryPair(u, events)
if #events > 0 then return {'offered', events} end
return {'searching', events}
`;

// ARGV[9]: userId. Returns {events}.
export const CANCEL_LUA = `${QUEUE_LUA}
local userId = ARGV[9]
local u = loadUser(userId)
local offer = currentOffer(u)
if not offer then
  if u then removeUser(userId) end
  return {{}}
end
local peer = peerOf(offer, userId)
local shown = snapshot(offer)
local events = {{userId, 'CANCELLED', shown}, {peer, 'DECLINED', shown}}
dropOffer(offer, {peer}, events)
return {events}
`;

// ARGV[9..]: userId, matchId, accept ('1' | '0'). Returns {status, events, completing | false}.
export const RESPOND_LUA = `${QUEUE_LUA}
local userId, matchId, accept = ARGV[9], ARGV[10], ARGV[11] == '1'
local u = loadUser(userId)
local offer = currentOffer(u)
if not offer or offer.id ~= matchId or offer.expiresAt <= now then return {'stale', {}, false} end
local peer = peerOf(offer, userId)
if not accept then
  local shown = snapshot(offer)
  local events = {{userId, 'DECLINED', shown}, {peer, 'DECLINED', shown}}
  dropOffer(offer, {peer}, events)
  return {'declined', events, false}
end
if includes(offer.accepted, userId) then return {'accepted', {}, false} end
table.insert(offer.accepted, userId)
local key = keys.offer(offer.id)
redis.call('HSET', key, 'acc' .. #offer.accepted, userId)
local events = {{peer, 'PEER_ACCEPTED', snapshot(offer)}}
if #offer.accepted < 2 then return {'accepted', events, false} end
offer.completing = true
offer.expiresAt = now + OFFER_TTL
redis.call('HSET', key, 'completing', '1', 'expiresAt', fmt(offer.expiresAt))
redis.call('ZADD', keys.offers, fmt(offer.expiresAt), offer.id)
for _, k in ipairs({key, keys.user(offer.users[1]), keys.user(offer.users[2])}) do redis.call('PEXPIRE', k, SAFETY_TTL) end
return {'accepted', events, snapshot(offer)}
`;

// ARGV[9]: matchId. Returns 1 when completed, else 0.
export const COMPLETE_LUA = `${QUEUE_LUA}
local offer = loadOffer(ARGV[9])
if not offer or not offer.completing or offer.expiresAt <= now then return 0 end
redis.call('DEL', keys.offer(offer.id))
redis.call('ZREM', keys.offers, offer.id)
local a, b = offer.users[1], offer.users[2]
removeUser(a)
removeUser(b)
for _, pair in ipairs({{a, b}, {b, a}}) do
  local ttl = redis.call('PTTL', keys.exclusionsLoaded(pair[1]))
  if ttl > 0 then
    redis.call('SADD', keys.openRooms(pair[1]), pair[2])
    redis.call('PEXPIRE', keys.openRooms(pair[1]), ttl)
  end
end
return 1
`;

// ARGV[9]: userId. Returns {'IDLE'} | {'SEARCHING', radiusKm, since} | {'OFFERED', radiusKm, offer}.
export const STATUS_LUA = `${QUEUE_LUA}
local u = loadUser(ARGV[9])
if not u then return {'IDLE'} end
if u.state == 'SEARCHING' then return {'SEARCHING', u.radiusS, fmt(u.since)} end
local offer = currentOffer(u)
if offer then return {'OFFERED', u.radiusS, snapshot(offer)} end
return {'IDLE'}
`;

// ARGV[9..]: userIds. Returns nothing.
export const TOUCH_LUA = `${QUEUE_LUA}
for i = 9, #ARGV do
  local u = loadUser(ARGV[i])
  if u and u.seen < now then
    redis.call('HSET', keys.user(u.id), 'seen', fmt(now))
    if u.state == 'SEARCHING' then redis.call('ZADD', keys.seen, fmt(now), u.id) end
  end
end
return 0
`;

// ARGV[9]: limit per kind (-1: no limit). Returns {events}.
export const SWEEP_LUA = `${QUEUE_LUA}
local limit = ARGV[9]
local events = {}
for _, matchId in ipairs(redis.call('ZRANGEBYSCORE', keys.offers, '-inf', fmt(now), 'LIMIT', 0, limit)) do
  local offer = loadOffer(matchId)
  if offer then
    local shown = snapshot(offer)
    for _, id in ipairs(offer.users) do table.insert(events, {id, 'EXPIRED', shown}) end
    dropOffer(offer, offer.accepted, events)
  else
    redis.call('ZREM', keys.offers, matchId) -- its hash outlived its safety TTL
  end
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', keys.deadlines, '-inf', fmt(now), 'LIMIT', 0, limit)) do
  removeUser(id)
  table.insert(events, {id, 'SEARCH_TIMEOUT'})
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', keys.seen, '-inf', fmt(now - GRACE), 'LIMIT', 0, limit)) do
  removeUser(id)
  table.insert(events, {id, 'CANCELLED'})
end
return {events}
`;

// ARGV[9..]: userId, number of blocked ids, blocked ids..., open-room peer ids...
export const LOAD_EXCLUSIONS_LUA = `${QUEUE_LUA}
local userId = ARGV[9]
local blockedCount = tonumber(ARGV[10])
local ttl = math.max(1, math.ceil(EXCLUSIONS_TTL))
local function fill(key, from, to)
  redis.call('DEL', key)
  for i = from, to, 1000 do
    redis.call('SADD', key, unpack(ARGV, i, math.min(i + 999, to)))
  end
  if to >= from then redis.call('PEXPIRE', key, ttl) end
end
fill(keys.blocked(userId), 11, 10 + blockedCount)
fill(keys.openRooms(userId), 11 + blockedCount, #ARGV)
redis.call('SET', keys.exclusionsLoaded(userId), fmt(now), 'PX', ttl)
return 0
`;

// ARGV[9..]: a, b, kind ('blocked' | 'openRooms', the Exclusions field), excluded ('1' | '0'). A mirror that is not loaded is left alone.
export const SET_EXCLUDED_LUA = `${QUEUE_LUA}
local a, b, kind, excluded = ARGV[9], ARGV[10], ARGV[11], ARGV[12] == '1'
local mirrorKey = ({blocked = keys.blocked, openRooms = keys.openRooms})[kind]
if not mirrorKey then return redis.error_reply('unknown exclusion kind: ' .. kind) end
for _, pair in ipairs({{a, b}, {b, a}}) do
  local ttl = redis.call('PTTL', keys.exclusionsLoaded(pair[1]))
  if ttl > 0 then
    local key = mirrorKey(pair[1])
    if excluded then
      redis.call('SADD', key, pair[2])
      redis.call('PEXPIRE', key, ttl)
    else
      redis.call('SREM', key, pair[2])
    end
  end
end
return 0
`;
