import { createTestRedis, type TestRedis } from '../../../test/utils/redis';
import { waitFor } from '../../../test/utils/wait-for';
import { distanceBucket, haversineKm, prefilterRadiusKm, snapToGrid } from './geo';
import {
  MATCH_KEYS_LUA,
  matchKeys,
  RADIUS_CLASSES,
  RADIUS_CLASSES_KM,
  radiusClass,
  SHARED_KEYS,
  sharedKeys,
} from './keys';
import { matchQueueContract, mulberry32, place } from './match-queue.contract';
import { HELPERS_LUA } from './match-queue.lua';
import { EXCLUSIONS_TTL_MS, type Offer } from './match-queue.port';
import { createRedisMatchQueue } from './match-queue.redis';

let redis: TestRedis;
let queues = 0;
beforeAll(() => {
  redis = createTestRedis();
});
afterAll(() => redis.cleanup());

matchQueueContract('redis', async (options) => {
  const client = redis.client();
  const queue = createRedisMatchQueue(client, { ...options, prefix: `${redis.prefix}q${++queues}:` });
  return {
    queue,
    cleanup: async () => {
      await queue.dispose();
      await client.quit();
    },
  };
});

describe('Redis match queue adapter', () => {
  const options = {
    offerTtlMs: 30_000,
    cooldownMs: 60_000,
    searchTimeoutMs: 300_000,
    presenceGraceMs: 20_000,
    pairMemoryMs: 86_400_000,
  };
  const safetyTtlMs = options.searchTimeoutMs + 2 * options.offerTtlMs + options.presenceGraceMs;
  const none = { blocked: [], openRooms: [] };
  const open = (prefix = `${redis.prefix}q${++queues}:`) => {
    const client = redis.client();
    return { client, prefix, keys: matchKeys(prefix), queue: createRedisMatchQueue(client, { ...options, prefix }) };
  };

  it('keeps every key under one {match} hash tag, in the documented layout with safety TTLs', async () => {
    const { client, prefix, keys, queue } = open();
    const now = Date.now();
    await queue.loadExclusions('alice', none, now);
    await queue.loadExclusions('bob', none, now);
    await queue.loadExclusions(
      'carol',
      { blocked: ['dave'], openRooms: ['erin'], met: [{ userId: 'frank', until: now + 1000 }] },
      now,
    );
    const filter = { pool: 'q', traits: { gender: 'FEMALE', age: 30 }, preferences: { genders: ['MALE', 'FEMALE'] } };
    await queue.enqueue({ userId: 'carol', position: place(40), radiusKm: 5, filter }, now);
    await queue.enqueue({ userId: 'alice', position: place(0), radiusKm: 5 }, now);
    const { events } = await queue.enqueue({ userId: 'bob', position: place(1), radiusKm: 5 }, now + 1);
    const offer = events[0]?.offer as Offer;

    const stored = await redis.keys(prefix);
    expect(stored.every((key) => key.startsWith(`${prefix}{match}:`))).toBe(true);
    expect(await client.hgetall(keys.user('carol'))).toEqual({
      state: 'SEARCHING',
      lat: String(place(40).lat),
      lon: String(place(40).lon),
      radiusKm: '5',
      since: String(now),
      deadline: String(now + options.searchTimeoutMs),
      seen: String(now),
      filter: 'q:FEMALE:30:MALE,FEMALE::',
    });
    expect(await client.pttl(keys.user('carol'))).toBeGreaterThan(safetyTtlMs - 5_000);
    expect(await client.pttl(keys.user('carol'))).toBeLessThanOrEqual(safetyTtlMs);
    expect(await client.zrange(keys.searching, 0, -1, 'WITHSCORES')).toEqual(['carol', String(now)]);
    expect(await client.zscore(keys.deadlines, 'carol')).toBe(String(now + options.searchTimeoutMs));
    expect(await client.zscore(keys.seen, 'carol')).toBe(String(now));
    // Indexed in the 5 km radius class, the member holding the meta entry (with the filter) and the id.
    const carol = `${now}|5|${place(40).lat}|${place(40).lon}|q:FEMALE:30:MALE,FEMALE::`;
    expect(await client.hget(keys.meta, 'carol')).toBe(carol);
    expect(await client.zrange(keys.geo(radiusClass(5)), 0, -1)).toEqual([`${carol}|carol`]);
    for (const other of RADIUS_CLASSES.filter((c) => c !== radiusClass(5)))
      expect(await client.exists(keys.geo(other))).toBe(0);
    expect(await client.hgetall(keys.user('alice'))).toMatchObject({ state: 'OFFERED', matchId: offer.matchId });
    expect(await client.hgetall(keys.offer(offer.matchId))).toEqual({
      a: 'bob',
      b: 'alice',
      distanceKm: '2',
      expiresAt: String(offer.expiresAt),
    });
    expect(await client.pttl(keys.offer(offer.matchId))).toBeGreaterThan(safetyTtlMs - 5_000);
    expect(await client.zscore(keys.offers, offer.matchId)).toBe(String(offer.expiresAt));
    expect(await client.get(keys.exclusionsLoaded('carol'))).toBe(String(now));
    expect(await client.pttl(keys.exclusionsLoaded('carol'))).toBeGreaterThan(EXCLUSIONS_TTL_MS - 5_000);
    expect(await client.smembers(keys.blocked('carol'))).toEqual(['dave']);
    expect(await client.smembers(keys.openRooms('carol'))).toEqual(['erin']);
    expect(await client.hgetall(keys.met('carol'))).toEqual({ frank: String(now + 1000) });
    expect(await client.hget(keys.meta, 'alice')).toBeNull(); // offered: in no index

    await queue.respond('alice', offer.matchId, false, now + 2);
    expect(await client.get(keys.cooldown('bob', 'alice'))).toBe(String(now + 2 + options.cooldownMs));
    expect(await client.pttl(keys.cooldown('alice', 'bob'))).toBeGreaterThan(options.cooldownMs - 5_000);
    expect(await client.exists(keys.offer(offer.matchId), keys.user('alice'))).toBe(0);
    expect(await client.zcard(keys.offers)).toBe(0);
    await queue.cancel('bob', now + 3);
    await queue.cancel('carol', now + 3);
    for (const index of [
      ...RADIUS_CLASSES.map(keys.geo),
      keys.meta,
      keys.unindexed,
      keys.searching,
      keys.deadlines,
      keys.seen,
    ])
      expect(await client.exists(index)).toBe(0);
  });

  it('finds a candidate of every radius class at the very edge of both radii (a class is read as far as it can match)', async () => {
    const { queue } = open();
    const now = Date.now();
    for (const [i, limit] of [...RADIUS_CLASSES_KM, 150].entries()) {
      const [seeker, candidate] = [`seeker-${i}`, `candidate-${i}`];
      const origin = place(0, 1000 * i);
      // The farthest cell centre east still within the class's radius (cell centres are about 1 km apart).
      const far = [0, 0.5, 1]
        .map((short) => place(0, limit - short, origin))
        .find((p) => haversineKm(origin, p) <= limit);
      if (!far) throw new Error(`no cell centre within ${limit} km`);
      // The candidate's radius is exactly their distance: the farthest they can be offered.
      const distance = haversineKm(origin, far);
      expect(distance).toBeGreaterThan(limit - 1);
      expect(radiusClass(distance)).toBe(i + 1);
      await queue.loadExclusions(candidate, none, now);
      await queue.loadExclusions(seeker, none, now);
      expect((await queue.enqueue({ userId: candidate, position: far, radiusKm: distance }, now)).status).toBe(
        'searching',
      );
      const { status, events } = await queue.enqueue({ userId: seeker, position: origin, radiusKm: 200 }, now);
      expect({ status, to: events.map((e) => e.to) }).toEqual({ status: 'offered', to: [seeker, candidate] });
    }
  });

  it('computes the haversine of geo.ts to within 1e-12 km, with the same buckets, radius classes and radius decisions', async () => {
    const { client } = open();
    const next = mulberry32(7);
    const pairs = Array.from({ length: 20_000 }, () => {
      const a = snapToGrid({ lat: -80 + next() * 160, lon: -180 + next() * 360 }, 1);
      const b = snapToGrid({ lat: a.lat + (next() - 0.5) * 2, lon: a.lon + (next() - 0.5) * 2 }, 1);
      return [a, b] as const;
    });
    const lua = `${HELPERS_LUA}
local out = {}
for i = 1, #ARGV, 4 do
  local d = haversine(tonumber(ARGV[i]), tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3]))
  table.insert(out, fmt(d))
  table.insert(out, bucket(d))
  table.insert(out, radiusClass(d))
end
return out`;
    const reply = (await client.eval(
      lua,
      0,
      ...pairs.flatMap(([a, b]) => [a.lat, a.lon, b.lat, b.lon].map(String)),
    )) as Array<string | number>;
    const mismatches = pairs.filter(([a, b], i) => {
      const [lua, bucket, radiusClassOf] = [Number(reply[3 * i]), reply[3 * i + 1], reply[3 * i + 2]];
      const js = haversineKm(a, b);
      const decisions = (d: number) => [Math.floor(js), Math.ceil(js)].map((r) => d <= r);
      return (
        Math.abs(lua - js) > 1e-12 ||
        bucket !== distanceBucket(js) ||
        radiusClassOf !== radiusClass(js) ||
        decisions(lua).join() !== decisions(js).join()
      );
    });
    expect(mismatches).toEqual([]);
  });

  it('builds every key in Lua exactly as keys.ts does, whatever bytes the ids hold', async () => {
    const { client, keys } = open();
    const ids = ['alice', 'bob', 'a|b', 'a:1', '', 'zoë', '東京', '\u{1F600}', 'x'.repeat(300), 'a', 'ab'];
    const lua = `${HELPERS_LUA}${MATCH_KEYS_LUA}
local keys = matchKeys(ARGV[1], KEYS)
local out = {}
for _, name in ipairs(cjson.decode(ARGV[2])) do table.insert(out, keys[name]) end
for class = 1, ${RADIUS_CLASSES.length} do table.insert(out, keys.geo(class)) end
for i = 3, #ARGV do
  local id = ARGV[i]
  for _, build in ipairs({keys.user, keys.offer, keys.blocked, keys.openRooms, keys.exclusionsLoaded}) do
    table.insert(out, build(id))
  end
  for j = 3, #ARGV do table.insert(out, keys.cooldown(id, ARGV[j])) end
end
return out`;
    const shared = sharedKeys(keys);
    const reply = await client.eval(lua, shared.length, ...shared, keys.base, JSON.stringify(SHARED_KEYS), ...ids);
    const expected = [
      ...shared,
      ...RADIUS_CLASSES.map(keys.geo),
      ...ids.flatMap((id) => [
        ...[keys.user, keys.offer, keys.blocked, keys.openRooms, keys.exclusionsLoaded].map((build) => build(id)),
        ...ids.map((other) => keys.cooldown(id, other)),
      ]),
    ];
    expect(reply).toEqual(expected);
    expect(new Set(ids.flatMap((a) => ids.map((b) => keys.cooldown(a, b)))).size).toBe(
      (ids.length * (ids.length + 1)) / 2,
    );
  });

  it("finds with GEOSEARCH at prefilterRadiusKm(d) every cell centre at geo.ts' haversine distance d", async () => {
    const { client, prefix } = open();
    const next = mulberry32(13);
    const pairs = Array.from({ length: 5_000 }, (_, i) => {
      const spread = [0.01, 0.1, 1, 3][i % 4] as number;
      const a = snapToGrid({ lat: -83 + next() * 166, lon: -178 + next() * 356 }, 1);
      const b = snapToGrid({ lat: a.lat + (next() - 0.5) * spread, lon: a.lon + (next() - 0.5) * spread }, 1);
      return [a, b, prefilterRadiusKm(haversineKm(a, b))] as const;
    });
    const lua = `
local missed = {}
for i = 1, #ARGV, 5 do
  redis.call('DEL', KEYS[1])
  redis.call('GEOADD', KEYS[1], ARGV[i + 3], ARGV[i + 2], 'b')
  local found = redis.call('GEOSEARCH', KEYS[1], 'FROMLONLAT', ARGV[i + 1], ARGV[i], 'BYRADIUS', ARGV[i + 4], 'km')
  if #found ~= 1 then table.insert(missed, (i + 4) / 5) end
end
redis.call('DEL', KEYS[1])
return missed`;
    const args = pairs.flatMap(([a, b, r]) => [a.lat, a.lon, b.lat, b.lon, r].map(String));
    expect(await client.eval(lua, 1, `${prefix}{match}:prefilter-check`, ...args)).toEqual([]);
  });

  it('pairs users enqueued through two instances on one Redis without offering anyone twice', async () => {
    const a = open();
    const b = open(a.prefix);
    const next = mulberry32(11);
    const users = Array.from({ length: 120 }, (_, i) => ({
      userId: `u${i}`,
      position: place((next() - 0.5) * 10, (next() - 0.5) * 10),
      radiusKm: 3 + Math.floor(next() * 10),
    }));
    const now = Date.now();
    await Promise.all(users.map((u, i) => (i % 2 ? a : b).queue.loadExclusions(u.userId, none, now)));
    const results = await Promise.all(users.map((u, i) => (i % 2 ? a : b).queue.enqueue(u, now)));
    const paired = results.flatMap((r) => r.events.filter((e) => e.type === 'OFFERED').map((e) => e.to));
    expect(paired.length).toBeGreaterThan(60);
    expect(new Set(paired).size).toBe(paired.length);
    const expiry = now + options.offerTtlMs;
    const [one, two] = await Promise.all([a.queue.sweep(expiry, 1000), b.queue.sweep(expiry, 1000)]);
    const expired = [...one.events, ...two.events].filter((e) => e.type === 'EXPIRED').map((e) => e.to);
    expect(expired.sort()).toEqual([...paired].sort());
  });

  it('forgets a searching user whose hash expired instead of offering them', async () => {
    const { client, keys, queue } = open();
    const now = Date.now();
    await queue.loadExclusions('alice', none, now);
    await queue.loadExclusions('bob', none, now);
    await queue.enqueue({ userId: 'alice', position: place(0), radiusKm: 5 }, now);
    await client.del(keys.user('alice'));
    expect(await queue.enqueue({ userId: 'bob', position: place(0), radiusKm: 5 }, now + 1)).toEqual({
      status: 'searching',
      events: [],
    });
    expect(await client.zrange(keys.searching, 0, -1)).toEqual(['bob']);
    expect(await queue.status('alice', now + 1)).toEqual({ state: 'IDLE' });
  });

  it('rejects a non-finite position, radius or time before touching Redis', async () => {
    const { prefix, queue } = open();
    await queue.loadExclusions('alice', none, 0);
    await expect(
      queue.enqueue({ userId: 'alice', position: { lat: Number.NaN, lon: 0 }, radiusKm: 5 }, 0),
    ).rejects.toThrow(RangeError);
    await expect(
      queue.enqueue({ userId: 'alice', position: place(0), radiusKm: Number.POSITIVE_INFINITY }, 0),
    ).rejects.toThrow(RangeError);
    await expect(queue.sweep(Number.NaN)).rejects.toThrow(RangeError);
    expect((await redis.keys(prefix)).filter((key) => key.includes(':u:'))).toEqual([]);
  });

  it('loads a mirror of thousands of ids in one script', async () => {
    const { client, keys, queue } = open();
    const blocked = Array.from({ length: 2_500 }, (_, i) => `b${i}`);
    const openRooms = Array.from({ length: 1_200 }, (_, i) => `r${i}`);
    await queue.loadExclusions('alice', { blocked, openRooms }, 0);
    expect(await client.scard(keys.blocked('alice'))).toBe(2_500);
    expect(await client.scard(keys.openRooms('alice'))).toBe(1_200);
    await queue.loadExclusions('alice', { blocked: ['b1'], openRooms: [] }, 1);
    expect(await client.smembers(keys.blocked('alice'))).toEqual(['b1']);
    expect(await client.exists(keys.openRooms('alice'))).toBe(0);
  });

  describe('noticing that Redis lost the queue', () => {
    const watch = (queue: ReturnType<typeof open>['queue']) => {
      let lost = 0;
      queue.onLost(() => lost++);
      return () => lost;
    };

    it('reports nothing while the generation marker stays, and once when it disappears', async () => {
      const { client, keys, queue } = open();
      const lost = watch(queue);
      await queue.sweep(Date.now());
      const generation = await client.get(keys.generation);
      expect(generation).toMatch(/^[0-9a-f-]{36}$/);
      await queue.sweep(Date.now());
      expect(lost()).toBe(0);

      await client.del(keys.generation);
      await queue.sweep(Date.now());
      expect(lost()).toBe(1);
      const next = await client.get(keys.generation);
      expect(next).not.toBe(generation);
      await queue.sweep(Date.now());
      expect(lost()).toBe(1);
    });

    it('reports a marker written by another instance after the loss as a loss too', async () => {
      const { client, prefix, keys, queue } = open();
      const lost = watch(queue);
      await queue.sweep(Date.now());
      await client.set(keys.generation, 'written-by-an-instance-that-checked-first');
      await queue.sweep(Date.now());
      expect(lost()).toBe(1);
      // A second instance starting now joins the current generation: nothing lost for it.
      const other = createRedisMatchQueue(redis.client(), { ...options, prefix });
      const otherLost = watch(other);
      await other.sweep(Date.now());
      expect(otherLost()).toBe(0);
    });

    it('checks again when its connection is ready after a reconnect', async () => {
      const { client, keys, queue } = open();
      const lost = watch(queue);
      await queue.sweep(Date.now());
      await redis.client().del(keys.generation);
      client.disconnect(true);
      await waitFor(() => lost() === 1, { message: 'the loss to be reported after the reconnect' });
    });
  });

  it('leaves the client open on dispose', async () => {
    const { client, queue } = open();
    await queue.dispose();
    expect(await client.ping()).toBe('PONG');
  });
});
