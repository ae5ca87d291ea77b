import { createTestRedis, type TestRedis } from '../../../test/utils/redis';
import type { RedisClient } from '../../infra/redis/clients';
import { cellOf } from './match-cells';
import { mulberry32, place } from './match-queue.contract';
import type { Filter, MatchQueueOptions, Offer } from './match-queue.port';
import { mutuallyAccepted } from './match-queue.rule';
import { createShardedMatchQueue } from './match-queue.sharded';
import { haversineKm, type Position } from './geo';

const OPTIONS: MatchQueueOptions = {
  offerTtlMs: 10_000,
  cooldownMs: 40_000,
  searchTimeoutMs: 60_000,
  presenceGraceMs: 30_000,
  pairMemoryMs: 10_000_000,
};
const T0 = 1_700_000_000_000;
/** Past the sharded queue's STALE_MS: sweeps then settle visits and outbox entries of dead callers. */
const REPAIR_MS = 6_000;
const CELL_KM = 1;

interface Player {
  id: string;
  /** Where the player searches from: half of them move between two places, one or two cells apart. */
  positions: [Position, Position];
  radiusKm: number;
  filter: Filter;
}

/** Thrown by a script call whose caller "died" right after Redis ran it (the reply never arrived). */
class CallerDied extends Error {}

/**
 * The client the queue runs on, whose sharded scripts die with probability `rate` after running:
 * the effect is in Redis, the caller never learns it, as when an instance crashes mid-protocol.
 */
function dyingClient(redis: RedisClient, random: () => number, rate: { value: number }): RedisClient {
  return new Proxy(redis, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !property.startsWith('matchShard') || typeof value !== 'function')
        return value;
      return async (...args: unknown[]) => {
        const reply: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (random() < rate.value) throw new CallerDied(property);
        return reply;
      };
    },
  });
}

/**
 * The sharded queue under concurrent calls on 1 km cells (nearly every pair crosses a border), with
 * callers dying between the protocol's steps. After every batch of concurrent calls it checks what
 * must hold at every instant: no user in two offers or with two live records, every offer consistent
 * on both sides and eligible (mutual radius, pool and preferences, no block, no cooldown from a
 * decline, no earlier completed match). After a quiet repair (sweeps past the stale time, nobody
 * dying): every visit settled and every outbox applied, no eligible pair left searching. At the end
 * every record, index and outbox is gone.
 */
describe('sharded match queue under concurrency and dying callers (1 km cells)', () => {
  let redis: TestRedis;
  beforeAll(() => {
    redis = createTestRedis();
  });
  afterAll(() => redis.cleanup());

  const genders = ['FEMALE', 'MALE'];
  const makePlayers = (random: () => number): Player[] =>
    Array.from({ length: 14 }, (_, i) => {
      const preferences = random() < 0.3 ? { genders: [genders[Math.floor(random() * 2)] ?? 'MALE'] } : undefined;
      return {
        id: `p${String(i).padStart(2, '0')}`,
        positions: ((north, east) => [
          place(north, east),
          random() < 0.5 ? place(north + 1 + random(), east + random()) : place(north, east),
        ])((random() - 0.5) * 5, (random() - 0.5) * 5),
        radiusKm: 1 + Math.floor(random() * 4),
        filter: {
          pool: '',
          traits: { gender: genders[Math.floor(random() * 2)] ?? 'FEMALE', age: 20 + Math.floor(random() * 20) },
          ...(preferences ? { preferences } : {}),
        },
      };
    });

  for (const seed of Array.from({ length: 10 }, (_, i) => i + 1)) {
    it(`keeps every invariant, seed ${seed}`, async () => {
      const random = mulberry32(seed);
      const rate = { value: 0.08 };
      const client = redis.client();
      const prefix = `${redis.prefix}p${seed}:`;
      const queue = createShardedMatchQueue(dyingClient(client, random, rate), {
        ...OPTIONS,
        prefix,
        cellKm: CELL_KM,
      });
      const inspector = createShardedMatchQueue(client, { ...OPTIONS, prefix, cellKm: CELL_KM });
      const players = makePlayers(random);
      const byId = new Map(players.map((p) => [p.id, p]));
      const blocked = new Set<string>();
      const pairKey = (a: string, b: string) => [a, b].sort().join('|');
      for (let i = 0; i < 4; i++) {
        const [a, b] = [players[Math.floor(random() * players.length)], players[Math.floor(random() * players.length)]];
        if (a && b && a !== b) blocked.add(pairKey(a.id, b.id));
      }
      const blockedOf = (id: string) =>
        [...blocked].flatMap((key) => {
          const [a, b] = key.split('|');
          return a === id ? [b ?? ''] : b === id ? [a ?? ''] : [];
        });
      /** Declines (pair -> when) and completed pairs, from calls that returned; pairs with a dead such call are unsure. */
      const declinedAt = new Map<string, number>();
      const completed = new Set<string>();
      const unsure = new Set<string>();
      const seenOffers = new Map<string, number>();
      /** The positions each player's record may hold: one after a lone enqueue that returned, more after races and deaths. */
      const possible = new Map(players.map((p) => [p.id, [p.positions[0]]]));
      const near = (x: Player, y: Player) =>
        (possible.get(x.id) ?? []).some((a) =>
          (possible.get(y.id) ?? []).some((b) => haversineKm(a, b) <= Math.min(x.radiusKm, y.radiusKm)),
        );
      let now = T0;

      const loadAll = () =>
        Promise.all(
          players.map((p) => inspector.loadExclusions(p.id, { blocked: blockedOf(p.id), openRooms: [] }, now)),
        );
      await loadAll();

      const statuses = () => Promise.all(players.map((p) => inspector.status(p.id, now)));
      const check = async (label: string) => {
        const all = await statuses();
        const offers = new Map<string, Offer>();
        all.forEach((status, i) => {
          if (status.state !== 'OFFERED') return;
          const id = players[i]?.id ?? '';
          expect({ label, id, inOffer: status.offer.users.includes(id) }).toEqual({ label, id, inOffer: true });
          offers.set(status.offer.matchId, status.offer);
        });
        for (const offer of offers.values()) {
          const [a, b] = offer.users;
          const statusOf = (id: string) => all[players.findIndex((p) => p.id === id)];
          for (const id of offer.users) {
            const status = statusOf(id);
            expect({ label, id, matchId: status?.state === 'OFFERED' ? status.offer.matchId : status?.state }).toEqual({
              label,
              id,
              matchId: offer.matchId,
            });
          }
          if (seenOffers.has(offer.matchId)) continue;
          const madeAt = offer.expiresAt - OPTIONS.offerTtlMs;
          seenOffers.set(offer.matchId, madeAt);
          const [x, y] = [byId.get(a), byId.get(b)];
          if (!x || !y) throw new Error(`unknown users in ${JSON.stringify(offer)}`);
          const key = pairKey(a, b);
          const declined = declinedAt.get(key);
          expect({
            label,
            offer: offer.matchId,
            inRadius: near(x, y),
            accepted: mutuallyAccepted(x.filter, y.filter),
            blocked: blocked.has(key),
            cooling: !unsure.has(key) && declined !== undefined && declined + OPTIONS.cooldownMs > madeAt,
            metBefore: !unsure.has(key) && completed.has(key),
          }).toEqual({
            label,
            offer: offer.matchId,
            inRadius: true,
            accepted: true,
            blocked: false,
            cooling: false,
            metBefore: false,
          });
        }
        // No user has two live records (searching or offered) over all cells.
        const live = new Map<string, number>();
        for (const key of await redis.keys(prefix)) {
          const match = /\{match:[^}]+\}:v3:u:(.+)$/.exec(key);
          if (!match?.[1]) continue;
          const state = await client.hget(key, 'state');
          if (state === 'SEARCHING' || state === 'OFFERED') live.set(match[1], (live.get(match[1]) ?? 0) + 1);
        }
        expect({ label, twice: [...live].filter(([, n]) => n > 1) }).toEqual({ label, twice: [] });
        return all;
      };

      const act = async (player: Player): Promise<void> => {
        const status = await inspector.status(player.id, now);
        const roll = random();
        if (status.state === 'OFFERED') {
          const { offer } = status;
          const key = pairKey(...offer.users);
          if (offer.accepted.length === 2 && roll < 0.7) {
            try {
              if (await queue.complete(offer.matchId, now)) completed.add(key);
            } catch (err) {
              if (!(err instanceof CallerDied)) throw err;
              unsure.add(key);
            }
            return;
          }
          const accept = roll < 0.6;
          try {
            const result = await queue.respond(player.id, offer.matchId, accept, now);
            if (result.status === 'declined') declinedAt.set(key, now);
          } catch (err) {
            if (!(err instanceof CallerDied)) throw err;
            if (!accept) unsure.add(key);
          }
          return;
        }
        if (status.state === 'SEARCHING' && roll < 0.25) {
          // Offered meanwhile by a concurrent call, a cancel declines: that pair cools down.
          try {
            const { events } = await queue.cancel(player.id, now);
            const declined = events.find((e) => e.to === player.id && e.type === 'CANCELLED' && e.offer);
            if (declined?.offer) declinedAt.set(pairKey(...declined.offer.users), now);
          } catch (err) {
            if (!(err instanceof CallerDied)) throw err;
            players.forEach((other) => unsure.add(pairKey(player.id, other.id)));
          }
          return;
        }
        // One enqueue, or two at once from both places (racing to move the player's home).
        const racing = random() < 0.2;
        const chosen = racing ? player.positions : [player.positions[Math.floor(random() * 2)] ?? player.positions[0]];
        possible.set(player.id, [...(possible.get(player.id) ?? []), ...chosen]);
        const results = await Promise.all(
          chosen.map((position) =>
            queue
              .enqueue({ userId: player.id, position, radiusKm: player.radiusKm, filter: player.filter }, now)
              .catch((err: unknown) => {
                if (!(err instanceof CallerDied)) throw err;
                return undefined;
              }),
          ),
        );
        const [only] = results;
        if (!racing && only && (only.status === 'searching' || only.status === 'offered')) {
          possible.set(player.id, chosen);
        }
      };

      for (let step = 0; step < 30; step++) {
        const batch = players.filter(() => random() < 0.35);
        const sweeping = random() < 0.3;
        await Promise.all([
          ...batch.map(act),
          sweeping
            ? queue.sweep(now).catch((err: unknown) => {
                if (!(err instanceof CallerDied)) throw err;
              })
            : undefined,
        ]);
        await check(`seed ${seed} step ${step}`);
        await inspector.touch(
          players.map((p) => p.id),
          now,
        );
        now += Math.floor(random() * 3_000);
        if (step % 10 === 9) {
          // A quiet repair: nobody dies, the sweeps settle what dead callers left.
          rate.value = 0;
          now += REPAIR_MS;
          await inspector.touch(
            players.map((p) => p.id),
            now,
          );
          await queue.sweep(now);
          await queue.sweep(now);
          const all = await check(`seed ${seed} repair ${step}`);
          const keys = await redis.keys(prefix);
          const outboxes = keys.filter((k) => k.endsWith(':outbox'));
          expect({
            step,
            outboxes: (await Promise.all(outboxes.map((k) => client.llen(k)))).filter((n) => n > 0),
          }).toEqual({ step, outboxes: [] });
          const visiting = keys.filter((k) => k.endsWith(':visiting'));
          expect({
            step,
            visiting: (await Promise.all(visiting.map((k) => client.zcard(k)))).filter((n) => n > 0),
          }).toEqual({ step, visiting: [] });
          const searching = players.filter((p, i) => all[i]?.state === 'SEARCHING' && possible.get(p.id)?.length === 1);
          const leftPairs = searching.flatMap((x) =>
            searching
              .filter(
                (y) =>
                  x.id < y.id &&
                  near(x, y) &&
                  mutuallyAccepted(x.filter, y.filter) &&
                  !blocked.has(pairKey(x.id, y.id)) &&
                  !unsure.has(pairKey(x.id, y.id)) &&
                  !completed.has(pairKey(x.id, y.id)) &&
                  // a cooldown that ran out wakes nobody (pairing is tried when a search starts or resumes)
                  !declinedAt.has(pairKey(x.id, y.id)),
              )
              .map((y) => [x.id, y.id]),
          );
          expect({ step, leftPairs }).toEqual({ step, leftPairs: [] });
          expect(await inspector.searchingCount()).toBe(all.filter((status) => status.state === 'SEARCHING').length);
          // A search lives in the cell of its position (its home moved with it).
          for (const key of keys) {
            const match = /\{match:([^}]+)\}:v3:u:/.exec(key);
            if (!match) continue;
            const [state, lat, lon] = await client.hmget(key, 'state', 'lat', 'lon');
            if (state === 'SEARCHING') {
              expect({ key, cell: cellOf({ lat: Number(lat), lon: Number(lon) }, CELL_KM) }).toEqual({
                key,
                cell: match[1],
              });
            }
          }
          rate.value = 0.08;
        }
      }

      // The end: every search and offer runs out, and nothing is left behind in the cells.
      rate.value = 0;
      for (let i = 0; i < 3; i++) {
        now += OPTIONS.searchTimeoutMs + OPTIONS.presenceGraceMs + 2 * OPTIONS.offerTtlMs + REPAIR_MS;
        await queue.sweep(now, Infinity);
      }
      expect((await statuses()).filter((s) => s.state !== 'IDLE')).toEqual([]);
      const left = (await redis.keys(prefix)).filter((key) =>
        /\{match:[^}]+\}:v3:(u:|o:|outbox|visiting|searching|offers|meta|geo:)/.test(key),
      );
      expect(left).toEqual([]);
      await Promise.all([queue.dispose(), inspector.dispose()]);
      await client.quit();
    }, 60_000);
  }
});
