import {
  CANCEL_BODY,
  COMPLETE_BODY,
  ENQUEUE_CORE,
  QUEUE_LUA,
  RESPOND_BODY,
  STATUS_BODY,
  TOUCH_BODY,
} from './match-queue.lua';

/** A visit or an outbox entry older than this is settled or applied by the sweeps (its caller died). */
export const STALE_MS = 5_000;
/** The users away on a visit a peek judges, at most (in flight at once from one cell: a few). */
const PEEK_AWAY_LIMIT = 64;

/**
 * The sharded queue's scripts (run by match-queue.sharded.ts, whose header states the protocol).
 * Each runs on one slot: a cell's (`{match:<cell>}`) or a user's (`{mu:<id>}`), with the calling
 * convention of match-queue.lua.ts (KEYS: the slot's shared keys; ARGV: base, durations, now, nonce,
 * then the method's own from ARGV[10]).
 *
 * A cell script is the one-slot queue's script with SHARDED set: its reply is followed by the outbox
 * entries it emitted (JSON arrays: entry id, now, kind, then the kind's fields), which the caller
 * applies and removes from keys.outbox.
 */
const cellScript = (body: string) => `${QUEUE_LUA}
SHARDED = true

-- The user's exclusion mirror, carried from their own slot: from ARGV[i], the number of blocked ids,
-- of open-room peers, of recent meetings and of cooldowns, then the blocked ids, the peers, and the
-- meetings and cooldowns as pairs of id and until. carryMirror reads it for this script only (a
-- visitor); copyMirror writes it into this cell, read by §1 here while the user lives here.
local function carryMirror(userId, i)
  local nb, nr, nm, nc = tonumber(ARGV[i]), tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3])
  local excludes, cooling = {}, {}
  local j = i + 4
  for k = j, j + nb + nr - 1 do excludes[ARGV[k]] = math.huge end
  j = j + nb + nr
  for k = j, j + 2 * nm - 1, 2 do excludes[ARGV[k]] = math.max(excludes[ARGV[k]] or 0, tonumber(ARGV[k + 1])) end
  j = j + 2 * nm
  for k = j, j + 2 * nc - 1, 2 do cooling[ARGV[k]] = tonumber(ARGV[k + 1]) end
  carried = {id = userId, excludes = excludes, cooling = cooling}
end

local function copyMirror(userId, i)
  local nb, nr, nm, nc = tonumber(ARGV[i]), tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3])
  local first = i + 4
  local ttl = math.max(1, math.ceil(EXCLUSIONS_TTL_MS))
  replaceMirror(keys.blocked(userId), 'SADD', first, first + nb - 1, ttl)
  first = first + nb
  replaceMirror(keys.openRooms(userId), 'SADD', first, first + nr - 1, ttl)
  first = first + nr
  replaceMirror(keys.met(userId), 'HSET', first, first + 2 * nm - 1, ttl)
  first = first + 2 * nm
  for j = first, first + 2 * nc - 1, 2 do
    local key, untilMs = keys.cooldown(userId, ARGV[j]), tonumber(ARGV[j + 1])
    if untilMs > now and untilMs > tonumber(redis.call('GET', key) or '0') then
      redis.call('SET', key, ARGV[j + 1], 'PX', math.ceil(untilMs - now))
    end
  end
  redis.call('SET', keys.exclusionsLoaded(userId), fmt(now), 'PX', ttl)
end

-- The user back in the index here (same place in line) and pairing tried: {'offered' | 'searching', events}.
local function backInLine(u)
  u.state = 'SEARCHING'
  saveSearching(u)
  local events = {}
  tryPair(u, events)
  if #events > 0 then return {'offered', events} end
  return {'searching', events}
end

local function body()
${body}
end
local reply = body()
if type(reply) ~= 'table' then reply = {reply} end
table.insert(reply, OUTBOX)
return reply
`;

/** A user-slot script: the queue's helpers over the user's slot. */
const userScript = (body: string) => `${QUEUE_LUA}${body}`;

// ARGV[10..]: as ENQUEUE_LUA's (userId, lat, lon, radiusKm, profile, filter), then the epoch of the
// user's home (their directory's), the place in line of a search moving here ('' for none) and the
// carried mirror (copyMirror). Returns {status, events} as
// ENQUEUE_LUA (never held or needs-exclusions: BEGIN checked those), or {'moved', {}} when the user
// left this cell as home at this epoch or later (the caller reads the directory again).
export const SHARD_ENQUEUE_LUA = cellScript(`
local fence = redis.call('GET', keys.fence(ARGV[10]))
if fence and tonumber(fence) >= tonumber(ARGV[16]) then return {'moved', {}} end
carriedSince = tonumber(ARGV[17])
copyMirror(ARGV[10], 18)
${ENQUEUE_CORE}`);

// ARGV[10..]: userId, epoch. The user moves home away from this cell: 'kept' when they are offered or
// visiting from here (busy: they stay), else the cell is fenced at epoch and {'released', since}
// (their search here, if any, removed: since is its place in line, carried to the new home; '' none).
export const RELEASE_LUA = cellScript(`
local userId, epoch = ARGV[10], tonumber(ARGV[11])
local u = loadUser(userId)
if u and u.state ~= 'SEARCHING' then return 'kept' end
local since = ''
if u then
  since = fmt(u.since)
  removeUser(userId)
end
if epoch > tonumber(redis.call('GET', keys.fence(userId)) or '-1') then
  redis.call('SET', keys.fence(userId), ARGV[11], 'PX', math.ceil(DIRECTORY_TTL_MS))
end
return {'released', since}
`);

// ARGV[10..]: userId, lat, lon, radiusKm, filter, then the carried mirror (carryMirror). The best
// candidate here for the user as a visitor (read-only): {since, id}; else, when a user of this cell
// who could be paired with them is away on a visit (in no index until back), {'away', id}; else {}.
// A visit older than STALE_MS is left out: its caller died, and the sweep that settles it has the
// user search the neighbouring cells again.
export const PEEK_LUA = cellScript(`
carryMirror(ARGV[10], 15)
local u = {
  id = ARGV[10], state = 'SEARCHING', latText = ARGV[11], lonText = ARGV[12], lat = tonumber(ARGV[11]),
  lon = tonumber(ARGV[12]), radiusText = ARGV[13], radius = tonumber(ARGV[13]), filterText = ARGV[14],
}
local partner = choosePartner(u)
if partner then return {fmt(partner.since), partner.id} end
local fresh = redis.call('ZRANGEBYSCORE', keys.visiting, fmt(now - ${STALE_MS}), '+inf', 'LIMIT', 0, ${PEEK_AWAY_LIMIT})
for _, id in ipairs(fresh) do
  local c = loadUser(id)
  if c and c.state == 'VISITING' then
    c.state = 'SEARCHING' -- judged as the search it is between visits
    local inRange = {}
    addIfInRange(u, c, inRange)
    if #inRange > 0 and unexcluded(u, c) then return {'away', c.id} end
  end
end
return {}
`);

// ARGV[10..]: userId, visitId, cell. At home: a SEARCHING user leaves the index to visit that cell
// (state VISITING). Returns {'ok', lat, lon, radiusKm, since, profile, filter} or {'gone'} (no longer
// searching).
export const RESERVE_LUA = cellScript(`
local u = loadUser(ARGV[10])
if not u or u.state ~= 'SEARCHING' then return {'gone'} end
unindex(u.id)
redis.call('HSET', keys.user(u.id), 'state', 'VISITING', 'visit', ARGV[11], 'vcell', ARGV[12])
redis.call('PEXPIRE', keys.user(u.id), SAFETY_TTL_MS)
redis.call('ZADD', keys.visiting, fmt(now), u.id)
return {'ok', u.latText, u.lonText, u.radiusText, fmt(u.since), u.profile or '', u.filterText}
`);

// ARGV[10..]: visitId, userId, home, lat, lon, radiusKm, since, profile, filter, then the carried
// mirror (carryMirror). In the visited cell: pairs the visitor with the best candidate here (§1, §2),
// the visitor's record written here as OFFERED (with home and visit), and settles the visit as
// 'arrived'; else settles it 'void'. A visit settled before (SETTLE, or sent twice) changes nothing.
// Returns {'arrived' | 'void', events}.
export const VISIT_LUA = cellScript(`
local visitId, userId, home = ARGV[10], ARGV[11], ARGV[12]
local settled = redis.call('GET', keys.visit(visitId))
if settled then return {settled, {}} end
local function settle(outcome)
  redis.call('SET', keys.visit(visitId), outcome, 'PX', SAFETY_TTL_MS)
end
if redis.call('EXISTS', keys.user(userId)) == 1 then
  settle('void') -- a record of the user here already: never a second one
  return {'void', {}}
end
carryMirror(userId, 19)
local profile = ARGV[17]
if profile == '' then profile = nil end
local u = {
  id = userId, state = 'SEARCHING', latText = ARGV[13], lonText = ARGV[14], lat = tonumber(ARGV[13]),
  lon = tonumber(ARGV[14]), radiusText = ARGV[15], radius = tonumber(ARGV[15]), since = tonumber(ARGV[16]),
  profile = profile, filterText = ARGV[18],
}
local partner = choosePartner(u)
if not partner then
  settle('void')
  return {'void', {}}
end
local fields = {'state', 'SEARCHING', 'lat', u.latText, 'lon', u.lonText, 'radiusKm', u.radiusText,
  'since', fmt(u.since), 'deadline', fmt(now + SEARCH_TIMEOUT_MS), 'seen', fmt(now), 'home', home, 'visit', visitId}
if profile then table.insert(fields, 'profile') table.insert(fields, profile) end
if u.filterText ~= '' then table.insert(fields, 'filter') table.insert(fields, u.filterText) end
redis.call('HSET', keys.user(userId), unpack(fields))
local events = {}
offerPair(u, partner, events)
settle('arrived')
return {'arrived', events}
`);

// ARGV[10]: visitId. In the visited cell, for a visit whose caller may have died: its outcome,
// 'arrived' or 'void' (settling it void if it never came, so that it never can).
export const SETTLE_LUA = cellScript(`
local settled = redis.call('GET', keys.visit(ARGV[10]))
if settled then return settled end
redis.call('SET', keys.visit(ARGV[10]), 'void', 'PX', SAFETY_TTL_MS)
return 'void'
`);

// ARGV[10..]: userId, visitId, outcome ('arrived' | 'void'). At home, after the visit: AWAY while
// offered in the visited cell, or back in the index (same place in line) and pairing tried at home.
// Returns {'away' | 'searching' | 'offered' | 'settled', events} ('settled': the visit was settled
// already, by a return or a drop from the visited cell, or by a sweep).
export const FINISH_LUA = cellScript(`
local u = loadUser(ARGV[10])
if not u or u.state ~= 'VISITING' or u.visit ~= ARGV[11] then return {'settled', {}} end
redis.call('ZREM', keys.visiting, u.id)
if ARGV[12] == 'arrived' then
  redis.call('HSET', keys.user(u.id), 'state', 'AWAY')
  redis.call('PEXPIRE', keys.user(u.id), SAFETY_TTL_MS)
  return {'away', {}}
end
return backInLine(u)
`);

// ARGV[10..]: kind ('return' | 'drop'), userId, visitId. At home, an outbox entry of the visited cell:
// the visitor's offer there ended, and they are back in line here (same place, fresh deadline,
// pairing tried; left searching, an outbox entry has them visit the neighbours, so that a caller
// dying before that leaves it to the sweeps) or IDLE. Applied once: the home record must still be
// away on that visit. Returns {status, events} ('searching' | 'offered' | 'idle' | 'settled').
export const RETURN_LUA = cellScript(`
local kind, userId, visitId = ARGV[10], ARGV[11], ARGV[12]
local u = loadUser(userId)
if not u or u.visit ~= visitId or (u.state ~= 'VISITING' and u.state ~= 'AWAY') then return {'settled', {}} end
redis.call('ZREM', keys.visiting, userId)
if kind == 'drop' then
  removeUser(userId)
  return {'idle', {}}
end
u.deadline = now + SEARCH_TIMEOUT_MS
u.seen = math.max(u.seen, now)
local result = backInLine(u)
if result[1] == 'searching' then emit({'search', userId}) end
return result
`);

// ARGV[10]: userId. As CANCEL_LUA, but a user away from home is not this cell's to cancel:
// {'visiting', visitId, cell} or {'away', visitId, cell}.
export const SHARD_CANCEL_LUA = cellScript(`
local u = loadUser(ARGV[10])
if u and (u.state == 'VISITING' or u.state == 'AWAY') then return {string.lower(u.state), u.visit, u.vcell} end
${CANCEL_BODY}`);

// ARGV[10]: userId. As STATUS_LUA, a visiting user {'VISITING', cell, radiusKm, since} (searching,
// unless the visit arrived) and an away one {'AWAY', cell}.
export const SHARD_STATUS_LUA = cellScript(`
local u = loadUser(ARGV[10])
if u and u.state == 'VISITING' then return {'VISITING', u.vcell, u.radiusText, fmt(u.since)} end
if u and u.state == 'AWAY' then return {'AWAY', u.vcell} end
${STATUS_BODY}`);

export const SHARD_RESPOND_LUA = cellScript(RESPOND_BODY);
export const SHARD_COMPLETE_LUA = cellScript(COMPLETE_BODY);
export const SHARD_TOUCH_LUA = cellScript(TOUCH_BODY);

// ARGV[10..]: limit per kind, stale (ms). What a sweep of this cell has to do (read-only): the due
// items of SWEEP_LUA's three kinds, oldest first, at most limit each ({id, score, ...} each: offers by
// expiry, searches by deadline, searching users by last heartbeat), the visits under way since before
// now - stale (their caller may have died: {userId, visitId, cell, ...}) and the outbox entries emitted
// before then (not applied by their caller), then the number of users and offers here.
export const SWEEP_SCAN_LUA = cellScript(`
local limit, staleBefore = ARGV[10], now - tonumber(ARGV[11])
local function due(key, upTo)
  return redis.call('ZRANGEBYSCORE', key, '-inf', fmt(upTo), 'WITHSCORES', 'LIMIT', 0, limit)
end
local visits = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', keys.visiting, '-inf', fmt(staleBefore), 'LIMIT', 0, limit)) do
  local u = loadUser(id)
  if u and u.state == 'VISITING' then
    table.insert(visits, id)
    table.insert(visits, u.visit)
    table.insert(visits, u.vcell)
  end
end
local pending = {}
for _, text in ipairs(redis.call('LRANGE', keys.outbox, 0, 999)) do
  if tonumber(cjson.decode(text)[2]) <= staleBefore then table.insert(pending, text) end
end
local busy = redis.call('ZCARD', keys.searching) + redis.call('ZCARD', keys.offers) + redis.call('ZCARD', keys.visiting)
return {due(keys.offers, now), due(keys.deadlines, now), due(keys.seen, unseenSince()), visits, pending, busy}
`);

// ARGV[10..]: kind ('offer' | 'deadline' | 'unseen'), id (a matchId or a userId). Handles one item of
// SWEEP_LUA if it is (still) due. Returns {events}.
export const SWEEP_ITEM_LUA = cellScript(`
local kind, id = ARGV[10], ARGV[11]
local events = {}
if kind == 'offer' then
  local score = redis.call('ZSCORE', keys.offers, id)
  if score and tonumber(score) <= now then expireOffer(id, events) end
elseif kind == 'deadline' then
  local score = redis.call('ZSCORE', keys.deadlines, id)
  if score and tonumber(score) <= now then endSearch(id, events) end
else
  local score = redis.call('ZSCORE', keys.seen, id)
  if score and tonumber(score) <= unseenSince() then removeUnseen(id, events) end
end
return {events}
`);

// ARGV[10]: userId. In the user's slot, before an enqueue: {'held', {}, until}, {'needs-exclusions',
// {}}, or {'ok', home cell ('' for none), epoch, blocked, openRooms, met (id, until, ...), cooling
// (id, until, ...)}: the mirror the enqueue carries into the cells.
export const BEGIN_LUA = userScript(`
local userId = ARGV[10]
local heldUntil = redis.call('GET', keys.hold(userId))
if heldUntil and tonumber(heldUntil) > now then return {'held', {}, heldUntil} end
local loadedAt = redis.call('GET', keys.exclusionsLoaded(userId))
if not loadedAt or tonumber(loadedAt) + EXCLUSIONS_TTL_MS <= now then return {'needs-exclusions', {}} end
local home = redis.call('HMGET', keys.directory(userId), 'cell', 'epoch')
local met = {}
local metPairs = redis.call('HGETALL', keys.met(userId))
for i = 1, #metPairs, 2 do
  if tonumber(metPairs[i + 1]) > now then table.insert(met, metPairs[i]) table.insert(met, metPairs[i + 1]) end
end
local cooling = {}
local coolingPairs = redis.call('HGETALL', keys.cooling(userId))
for i = 1, #coolingPairs, 2 do
  if tonumber(coolingPairs[i + 1]) > now then
    table.insert(cooling, coolingPairs[i])
    table.insert(cooling, coolingPairs[i + 1])
  end
end
return {'ok', home[1] or '', home[2] or '0', redis.call('SMEMBERS', keys.blocked(userId)),
  redis.call('SMEMBERS', keys.openRooms(userId)), met, cooling}
`);

// ARGV[10..]: userId, cell, epoch. In the user's slot: makes cell the user's home at epoch + 1 when the
// directory is still at epoch (else another request moved them first). Returns the new epoch, or 0.
export const CLAIM_LUA = userScript(`
local userId, cell, epoch = ARGV[10], ARGV[11], tonumber(ARGV[12])
local key = keys.directory(userId)
if tonumber(redis.call('HGET', key, 'epoch') or '0') ~= epoch then return 0 end
redis.call('HSET', key, 'cell', cell, 'epoch', epoch + 1)
redis.call('PEXPIRE', key, math.ceil(DIRECTORY_TTL_MS))
return epoch + 1
`);

// ARGV[10..]: kind ('cooling' | 'met'), owner, other, until (ms). In owner's slot, an outbox entry:
// a cooldown with other (kept until then), or a completed match (an open room with other, and
// the meeting remembered until then, in the loaded mirror).
export const NOTE_LUA = userScript(`
local kind, owner, other, untilMs = ARGV[10], ARGV[11], ARGV[12], tonumber(ARGV[13])
if kind == 'cooling' then
  local key = keys.cooling(owner)
  if untilMs > tonumber(redis.call('HGET', key, other) or '0') then redis.call('HSET', key, other, ARGV[13]) end
  if redis.call('PTTL', key) < untilMs - now then redis.call('PEXPIRE', key, math.ceil(untilMs - now)) end
else
  updateLoadedMirror(keys.openRooms, owner, other, true)
  rememberMeeting(owner, other, untilMs)
end
return 0
`);
