import { EARTH_RADIUS_KM, haversineKm, snapToGrid, type Position } from './geo';
import {
  EXCLUSIONS_TTL_MS,
  type Filter,
  type MatchQueue,
  type MatchQueueOptions,
  type Offer,
  type Preferences,
  type QueueEvent,
} from './match-queue.port';

export interface MatchQueueBackend {
  queue: MatchQueue;
  cleanup(): Promise<void>;
}

/** Durations used by the suite (ms); all distinct so that each deadline is recognisable. */
export const CONTRACT_OPTIONS: MatchQueueOptions = {
  offerTtlMs: 30_000,
  cooldownMs: 60_000,
  searchTimeoutMs: 300_000,
  presenceGraceMs: 20_000,
  pairMemoryMs: 86_400_000,
};
const { offerTtlMs, cooldownMs, searchTimeoutMs, presenceGraceMs, pairMemoryMs } = CONTRACT_OPTIONS;

/** The fake clock's start (ms); every call passes an explicit `now`. */
const T0 = 1_700_000_000_000;
const ORIGIN: Position = { lat: 37.5665, lon: 126.978 };
const KM_PER_DEGREE = (Math.PI * EARTH_RADIUS_KM) / 180;

/** The 1 km grid cell centre `northKm` north and `eastKm` east of ORIGIN (as the service snaps it). */
export function place(northKm: number, eastKm = 0, origin: Position = ORIGIN): Position {
  const lat = origin.lat + northKm / KM_PER_DEGREE;
  const lon = origin.lon + eastKm / (KM_PER_DEGREE * Math.cos((origin.lat * Math.PI) / 180));
  return snapToGrid({ lat, lon }, 1);
}

/** A deterministic PRNG (mulberry32), so a failing run can be replayed. */
export function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The behaviour every MatchQueue must show, on a fake clock. `makeQueue` is called once per test and
 * must return a queue on an empty backend (no users, offers, cooldowns or mirrors).
 */
export function matchQueueContract(
  name: string,
  makeQueue: (options: MatchQueueOptions) => Promise<MatchQueueBackend>,
): void {
  describe(`MatchQueue contract: ${name}`, () => {
    let queue: MatchQueue;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ queue, cleanup } = await makeQueue(CONTRACT_OPTIONS));
    });
    afterEach(() => cleanup());

    /** Loads empty exclusion mirrors at T0. */
    const ready = async (...userIds: string[]) => {
      for (const userId of userIds) await queue.loadExclusions(userId, { blocked: [], openRooms: [] }, T0);
    };
    const enqueue = (userId: string, position: Position, radiusKm: number, now: number) =>
      queue.enqueue({ userId, position, radiusKm }, now);
    /** Offers bob (enqueuing second, so first in `users`) and alice to each other; returns the offer. */
    const offerPair = async (at = T0): Promise<Offer> => {
      await ready('alice', 'bob');
      await enqueue('alice', place(0), 10, at);
      const { events } = await enqueue('bob', place(1), 10, at + 1);
      const offer = events[0]?.offer;
      if (!offer) throw new Error(`expected an offer, got ${JSON.stringify(events)}`);
      return offer;
    };
    const offered = (to: string, offer: Offer): QueueEvent => ({ to, type: 'OFFERED', offer });

    describe('pairing', () => {
      it('offers two users 3 km apart with radii 5 and 10 to each other, with one matchId, expiry and a 5 km bucket', async () => {
        await ready('alice', 'bob');
        expect(haversineKm(place(3), place(0))).toBeCloseTo(3, 0);
        expect(await enqueue('alice', place(3), 5, T0)).toEqual({ status: 'searching', events: [] });
        const result = await enqueue('bob', place(0), 10, T0 + 1);
        const offer: Offer = {
          matchId: expect.any(String) as string,
          users: ['bob', 'alice'],
          distanceKm: 5,
          expiresAt: T0 + 1 + offerTtlMs,
          accepted: [],
        };
        expect(result).toEqual({ status: 'offered', events: [offered('bob', offer), offered('alice', offer)] });
        expect(result.events[0]?.offer?.matchId).toBe(result.events[1]?.offer?.matchId);
        expect(await queue.status('alice', T0 + 2)).toEqual({
          state: 'OFFERED',
          radiusKm: 5,
          offer: result.events[0]?.offer,
        });
        expect(await queue.status('bob', T0 + 2)).toEqual({
          state: 'OFFERED',
          radiusKm: 10,
          offer: result.events[0]?.offer,
        });
      });

      it('does not pair users 4 km apart when one radius is 5 km and the other 2 km', async () => {
        await ready('alice', 'bob');
        await enqueue('alice', place(4), 5, T0);
        expect(await enqueue('bob', place(0), 2, T0 + 1)).toEqual({ status: 'searching', events: [] });
        expect(await queue.searchingCount()).toBe(2);
      });

      it('buckets the distance of a same-cell pair as 1 km', async () => {
        await ready('alice', 'bob');
        await enqueue('alice', place(0), 1, T0);
        const { events } = await enqueue('bob', place(0), 1, T0 + 1);
        expect(events.map((e) => e.offer?.distanceKm)).toEqual([1, 1]);
      });

      it('never shows a distance beyond either radius: 3 km apart within radii 4 and 10 shows 4 km, not the 5 km bucket', async () => {
        await ready('alice', 'bob');
        expect(haversineKm(place(3), place(0))).toBeCloseTo(3, 0);
        await enqueue('alice', place(3), 4, T0);
        const { events } = await enqueue('bob', place(0), 10, T0 + 1);
        expect(events.map((e) => e.offer?.distanceKm)).toEqual([4, 4]);
      });

      it('answers needs-exclusions until the mirror is loaded, and again once it is EXCLUSIONS_TTL_MS old', async () => {
        expect(await enqueue('alice', place(0), 5, T0)).toEqual({ status: 'needs-exclusions', events: [] });
        expect(await queue.status('alice', T0)).toEqual({ state: 'IDLE' });
        await queue.loadExclusions('alice', { blocked: [], openRooms: [] }, T0);
        expect(await enqueue('alice', place(0), 5, T0)).toEqual({ status: 'searching', events: [] });
        expect(await enqueue('alice', place(0), 5, T0 + EXCLUSIONS_TTL_MS - 1)).toEqual({
          status: 'searching',
          events: [],
        });
        expect(await enqueue('alice', place(0), 5, T0 + EXCLUSIONS_TTL_MS)).toEqual({
          status: 'needs-exclusions',
          events: [],
        });
        await queue.loadExclusions('alice', { blocked: [], openRooms: [] }, T0 + EXCLUSIONS_TTL_MS);
        expect(await enqueue('alice', place(0), 5, T0 + EXCLUSIONS_TTL_MS)).toEqual({
          status: 'searching',
          events: [],
        });
      });

      it('tells whether the mirror is loaded and fresh exactly when enqueue would not answer needs-exclusions', async () => {
        expect(await queue.hasExclusions('alice', T0)).toBe(false);
        await queue.loadExclusions('alice', { blocked: ['bob'], openRooms: [] }, T0);
        expect(await queue.hasExclusions('alice', T0)).toBe(true);
        expect(await queue.hasExclusions('alice', T0 + EXCLUSIONS_TTL_MS - 1)).toBe(true);
        expect(await queue.hasExclusions('alice', T0 + EXCLUSIONS_TTL_MS)).toBe(false);
        expect(await queue.hasExclusions('bob', T0)).toBe(false);
      });

      it('offers the longest-waiting eligible candidate, not the nearest', async () => {
        await ready('far', 'near', 'me');
        await enqueue('far', place(8), 10, T0);
        expect((await enqueue('near', place(1), 2, T0 + 1)).status).toBe('searching');
        const { events } = await enqueue('me', place(0), 10, T0 + 2);
        expect(events.map((e) => [e.to, e.offer?.users])).toEqual([
          ['me', ['me', 'far']],
          ['far', ['me', 'far']],
        ]);
        expect(events[0]?.offer?.distanceKm).toBe(10);
      });

      it('skips a longer-waiting candidate whose own radius does not reach', async () => {
        await ready('shy', 'keen', 'me');
        await enqueue('shy', place(4), 2, T0);
        await enqueue('keen', place(6), 10, T0 + 1);
        const { events } = await enqueue('me', place(0), 10, T0 + 2);
        expect(events[0]?.offer?.users).toEqual(['me', 'keen']);
      });

      it('breaks a tie in waiting time by the smallest userId', async () => {
        await ready('user-b', 'user-a', 'me');
        await enqueue('user-b', place(0), 3, T0);
        expect((await enqueue('user-a', place(4), 3, T0)).status).toBe('searching');
        const { events } = await enqueue('me', place(2), 10, T0 + 1);
        expect(events[0]?.offer?.users).toEqual(['me', 'user-a']);
      });

      it('pairs two users only when each side accepts the other: genders, ages and pool, a preference on an unstated trait unmet', async () => {
        const f = (gender: string | undefined, age: number | undefined, preferences: Preferences = {}, pool = '') => ({
          pool,
          traits: { ...(gender ? { gender } : {}), ...(age === undefined ? {} : { age }) },
          preferences,
        });
        const cases: Array<[Filter | undefined, Filter | undefined, boolean]> = [
          [
            f('FEMALE', 25, { genders: ['MALE'] }),
            f('MALE', 30, { genders: ['FEMALE'], minAge: 20, maxAge: 28 }),
            true,
          ],
          [
            f('FEMALE', 29, { genders: ['MALE'] }),
            f('MALE', 30, { genders: ['FEMALE'], minAge: 20, maxAge: 28 }),
            false,
          ],
          [f('FEMALE', 19, { genders: ['MALE'] }), f('MALE', 30, { minAge: 20 }), false],
          [f('FEMALE', 25, { genders: ['MALE', 'NONBINARY'] }), f('NONBINARY', 40), true],
          [f('FEMALE', 25, { genders: ['MALE'] }), f(undefined, 30), false],
          [f('FEMALE', 25, { minAge: 20 }), f('MALE', undefined), false],
          [f('FEMALE', 25, { genders: [] }), undefined, true],
          [undefined, f('MALE', 30, { maxAge: 30 }), false],
          [f('FEMALE', 25, {}, 'q'), f('MALE', 30), false],
          [f('FEMALE', 25, {}, 'q'), f('MALE', 30, {}, 'q'), true],
        ];
        for (const [i, [a, b, paired]] of cases.entries()) {
          const [first, second] = [`a${i}`, `b${i}`];
          await ready(first, second);
          const origin = place(0, 50 * i);
          await queue.enqueue({ userId: first, position: origin, radiusKm: 5, filter: a }, T0);
          const { status } = await queue.enqueue({ userId: second, position: origin, radiusKm: 5, filter: b }, T0 + 1);
          expect({ case: i, status }).toEqual({ case: i, status: paired ? 'offered' : 'searching' });
        }
      });

      it('offers the longest-waiting candidate among those whose preferences match, and keeps the filter on a re-queue', async () => {
        await ready('alice', 'bob', 'carol');
        const wantsWomen = { traits: { gender: 'MALE' }, preferences: { genders: ['FEMALE'] } };
        await queue.enqueue({ userId: 'alice', position: place(0), radiusKm: 5, filter: wantsWomen }, T0);
        await queue.enqueue(
          { userId: 'carol', position: place(1), radiusKm: 5, filter: { traits: { gender: 'FEMALE' } } },
          T0 + 1,
        );
        // carol took alice's offer; bob (a man who accepts anyone) waits; carol declines alice, who is back in
        // line with her filter: only that filter keeps alice and bob apart.
        const anyone = { traits: { gender: 'MALE' } };
        const { events } = await queue.enqueue(
          { userId: 'bob', position: place(0), radiusKm: 5, filter: anyone },
          T0 + 2,
        );
        expect(events).toEqual([]);
        const offer = (await queue.status('carol', T0 + 3)) as { offer: Offer };
        const declined = await queue.respond('carol', offer.offer.matchId, false, T0 + 3);
        expect(declined.events.filter((e) => e.type === 'OFFERED')).toEqual([]);
        expect(await queue.status('alice', T0 + 3)).toMatchObject({ state: 'SEARCHING' });
      });

      it('holds a user off until the hold ends, changing nothing meanwhile; a shorter hold never shortens it', async () => {
        await ready('alice', 'bob');
        await enqueue('alice', place(0), 10, T0);
        await queue.holdOff('bob', T0 + 5_000, T0);
        await queue.holdOff('bob', T0 + 1_000, T0);
        expect(await enqueue('bob', place(0), 10, T0 + 4_999)).toEqual({
          status: 'held',
          events: [],
          heldUntil: T0 + 5_000,
        });
        expect(await queue.status('bob', T0 + 4_999)).toEqual({ state: 'IDLE' });
        expect(await queue.status('alice', T0 + 4_999)).toMatchObject({ state: 'SEARCHING' });
        expect((await enqueue('bob', place(0), 10, T0 + 5_000)).status).toBe('offered');
      });

      it('never pairs a user with themself', async () => {
        await ready('alice');
        expect(await enqueue('alice', place(0), 5, T0)).toEqual({ status: 'searching', events: [] });
        expect(await enqueue('alice', place(0), 5, T0 + 1)).toEqual({ status: 'searching', events: [] });
        expect(await queue.searchingCount()).toBe(1);
      });

      it('updates radius and position on a re-enqueue while searching, keeping the place in line', async () => {
        await ready('alice', 'bob', 'carol');
        await enqueue('alice', place(30), 1, T0);
        await enqueue('bob', place(0), 10, T0 + 10);
        expect(await enqueue('alice', place(4), 3, T0 + 20)).toEqual({ status: 'searching', events: [] });
        expect(await queue.status('alice', T0 + 20)).toEqual({ state: 'SEARCHING', radiusKm: 3, since: T0 });
        const { events } = await enqueue('carol', place(2), 10, T0 + 30);
        expect(events[0]?.offer?.users).toEqual(['carol', 'alice']);
      });

      it('answers busy to an enqueue while offered and changes nothing', async () => {
        const offer = await offerPair();
        expect(await enqueue('alice', place(5), 3, T0 + 2)).toEqual({ status: 'busy', events: [] });
        expect(await queue.status('alice', T0 + 2)).toEqual({ state: 'OFFERED', radiusKm: 10, offer });
      });

      it('pairs users near the North Pole and across the antimeridian', async () => {
        await ready('pole-a', 'pole-b', 'east', 'west', 'band-a', 'band-b');
        await enqueue('pole-a', { lat: 89.99, lon: 10 }, 5, T0);
        expect((await enqueue('pole-b', { lat: 89.99, lon: -170 }, 5, T0 + 1)).status).toBe('offered');
        await enqueue('band-a', { lat: 85.02, lon: 20 }, 10, T0);
        expect((await enqueue('band-b', { lat: 84.97, lon: 20 }, 10, T0 + 1)).status).toBe('offered');
        await enqueue('east', { lat: 10, lon: 179.995 }, 3, T0);
        const { events } = await enqueue('west', { lat: 10, lon: -179.995 }, 3, T0 + 1);
        expect(events[0]?.offer).toMatchObject({ users: ['west', 'east'], distanceKm: 2 });
      });
    });

    describe('profiles', () => {
      const withProfile = (userId: string, position: Position, radiusKm: number, now: number, profile?: string) =>
        queue.enqueue({ userId, position, radiusKm, profile }, now);

      it("hands each user of an offer the partner's profile, unread and byte for byte", async () => {
        await ready('alice', 'bob');
        const aliceProfile = JSON.stringify({ nickname: 'Zoë | 9', note: 'a\u0000b' });
        await withProfile('alice', place(0), 10, T0, aliceProfile);
        const { events } = await withProfile('bob', place(1), 10, T0 + 1, 'bob-profile');
        expect(events.map((e) => [e.to, e.type, e.partnerProfile])).toEqual([
          ['bob', 'OFFERED', aliceProfile],
          ['alice', 'OFFERED', 'bob-profile'],
        ]);
      });

      it('carries no profile for a user who gave none (or an empty one), and a re-enqueue replaces it', async () => {
        await ready('alice', 'bob', 'carol', 'dave');
        await withProfile('alice', place(0), 10, T0, 'old');
        await withProfile('alice', place(0), 10, T0 + 1);
        const first = await withProfile('bob', place(1), 10, T0 + 2, '');
        expect(first.events.map((e) => [e.to, e.partnerProfile])).toEqual([
          ['bob', undefined],
          ['alice', undefined],
        ]);
        expect(first.events.every((e) => !('partnerProfile' in e))).toBe(true);
        await withProfile('carol', place(40), 10, T0, 'old');
        await withProfile('carol', place(40), 10, T0 + 1, 'new');
        const second = await withProfile('dave', place(40), 10, T0 + 2);
        expect(second.events.map((e) => [e.to, e.partnerProfile])).toEqual([
          ['dave', 'new'],
          ['carol', undefined],
        ]);
      });

      it('keeps the profile of a user put back in line after a decline', async () => {
        await ready('alice', 'bob', 'carol');
        await withProfile('alice', place(0), 10, T0, 'alice-profile');
        const { events } = await withProfile('bob', place(1), 10, T0 + 1, 'bob-profile');
        await queue.respond('bob', events[0]!.offer!.matchId, false, T0 + 2);
        const again = await withProfile('carol', place(2), 10, T0 + 3, 'carol-profile');
        expect(again.events.map((e) => [e.to, e.partnerProfile])).toEqual([
          ['carol', 'alice-profile'],
          ['alice', 'carol-profile'],
        ]);
      });
    });

    describe('exclusions', () => {
      it('never pairs users blocked either way, whichever mirror holds the block', async () => {
        await queue.loadExclusions('alice', { blocked: ['bob'], openRooms: [] }, T0);
        await queue.loadExclusions('dave', { blocked: ['carol'], openRooms: [] }, T0);
        await ready('bob', 'carol');
        await enqueue('alice', place(0), 10, T0);
        expect(await enqueue('bob', place(0), 10, T0 + 1)).toEqual({ status: 'searching', events: [] });
        await enqueue('carol', place(40), 10, T0);
        expect(await enqueue('dave', place(40), 10, T0 + 1)).toEqual({ status: 'searching', events: [] });
      });

      it('never pairs peers who have an open room together', async () => {
        await queue.loadExclusions('alice', { blocked: [], openRooms: ['bob'] }, T0);
        await queue.loadExclusions('bob', { blocked: [], openRooms: ['alice'] }, T0);
        await enqueue('alice', place(0), 10, T0);
        expect(await enqueue('bob', place(0), 10, T0 + 1)).toEqual({ status: 'searching', events: [] });
      });

      it('replaces the whole mirror on loadExclusions', async () => {
        await queue.loadExclusions('alice', { blocked: ['bob'], openRooms: [] }, T0);
        await ready('bob');
        await enqueue('bob', place(0), 10, T0);
        expect((await enqueue('alice', place(0), 10, T0 + 1)).status).toBe('searching');
        await queue.loadExclusions('alice', { blocked: [], openRooms: [] }, T0 + 2);
        expect((await enqueue('alice', place(0), 10, T0 + 3)).status).toBe('offered');
      });

      it.each(['blocked', 'openRooms'] as const)(
        'adds and removes a `%s` exclusion in both loaded mirrors with setExcluded',
        async (kind) => {
          await ready('alice', 'bob');
          await queue.setExcluded('alice', 'bob', kind, true);
          await enqueue('alice', place(0), 10, T0);
          expect((await enqueue('bob', place(0), 10, T0 + 1)).status).toBe('searching');
          await queue.setExcluded('bob', 'alice', kind, false);
          expect((await enqueue('bob', place(0), 10, T0 + 2)).status).toBe('offered');
        },
      );

      it('keeps the exclusion when only one of the two mirrors is loaded', async () => {
        await ready('alice');
        await queue.setExcluded('alice', 'bob', 'blocked', true);
        await ready('bob');
        await enqueue('alice', place(0), 10, T0);
        expect((await enqueue('bob', place(0), 10, T0 + 1)).status).toBe('searching');
      });
    });

    describe('answers', () => {
      it('tells the peer PEER_ACCEPTED on the first accept', async () => {
        const offer = await offerPair();
        expect(await queue.respond('alice', offer.matchId, true, T0 + 2)).toEqual({
          status: 'accepted',
          events: [{ to: 'bob', type: 'PEER_ACCEPTED', offer: { ...offer, accepted: ['alice'] } }],
        });
        expect(await queue.status('bob', T0 + 2)).toEqual({
          state: 'OFFERED',
          radiusKm: 10,
          offer: { ...offer, accepted: ['alice'] },
        });
      });

      it('treats a second accept by the same user as a no-op', async () => {
        const offer = await offerPair();
        await queue.respond('alice', offer.matchId, true, T0 + 2);
        expect(await queue.respond('alice', offer.matchId, true, T0 + 3)).toEqual({ status: 'accepted', events: [] });
        expect(await queue.status('alice', T0 + 3)).toEqual({
          state: 'OFFERED',
          radiusKm: 10,
          offer: { ...offer, accepted: ['alice'] },
        });
      });

      it('hands over a completing offer, with its deadline renewed, once both accepted', async () => {
        const offer = await offerPair();
        await queue.respond('alice', offer.matchId, true, T0 + 2);
        expect(await queue.respond('bob', offer.matchId, true, T0 + 3)).toEqual({
          status: 'accepted',
          events: [{ to: 'alice', type: 'PEER_ACCEPTED', offer: { ...offer, accepted: ['alice', 'bob'] } }],
          completing: { ...offer, accepted: ['alice', 'bob'], expiresAt: T0 + 3 + offerTtlMs },
        });
        expect(await queue.respond('bob', offer.matchId, true, T0 + 4)).toEqual({ status: 'accepted', events: [] });
      });

      it('completes an accepted offer: both IDLE, never paired again while the room is open nor for pairMemoryMs', async () => {
        const offer = await offerPair();
        await queue.respond('alice', offer.matchId, true, T0 + 2);
        await queue.respond('bob', offer.matchId, true, T0 + 3);
        expect(await queue.complete(offer.matchId, T0 + 4)).toBe(true);
        expect(await queue.status('alice', T0 + 4)).toEqual({ state: 'IDLE' });
        expect(await queue.status('bob', T0 + 4)).toEqual({ state: 'IDLE' });
        expect(await queue.complete(offer.matchId, T0 + 5)).toBe(false);
        await enqueue('alice', place(0), 10, T0 + cooldownMs * 2);
        expect((await enqueue('bob', place(0), 10, T0 + cooldownMs * 2)).status).toBe('searching');
        // The room closed: the meeting is still remembered (complete wrote it into both loaded mirrors).
        await queue.setExcluded('alice', 'bob', 'openRooms', false);
        expect((await enqueue('bob', place(0), 10, T0 + cooldownMs * 2)).status).toBe('searching');
        await queue.cancel('alice', T0 + cooldownMs * 2);
        await queue.cancel('bob', T0 + cooldownMs * 2);
      });

      it('keeps a meeting loaded into either mirror until its end, then pairs the two again', async () => {
        const until = T0 + pairMemoryMs;
        const at = until - 1000;
        // The mirror holding the meeting is the searcher's, then the candidate's (two pairs: cancelling an offer cools a pair down).
        for (const [searcher, candidate, holder] of [
          ['bob', 'alice', 'bob'],
          ['dave', 'carol', 'carol'],
        ] as const) {
          for (const [owner, other] of [
            [searcher, candidate],
            [candidate, searcher],
          ] as const) {
            const met = owner === holder ? [{ userId: other, until }] : [];
            await queue.loadExclusions(owner, { blocked: [], openRooms: [], met }, at);
          }
          await enqueue(candidate, place(0), 10, until - 1);
          expect((await enqueue(searcher, place(0), 10, until - 1)).status).toBe('searching');
          expect((await enqueue(searcher, place(0), 10, until)).status).toBe('offered');
        }
      });

      it('keeps a pair that met twice apart until the later meeting ends, whatever order they are listed in', async () => {
        const [earlier, later] = [T0 + 10, T0 + 1000];
        await queue.loadExclusions('alice', { blocked: [], openRooms: [] }, T0);
        await queue.loadExclusions(
          'bob',
          {
            blocked: [],
            openRooms: [],
            met: [
              { userId: 'alice', until: later },
              { userId: 'alice', until: earlier },
            ],
          },
          T0,
        );
        await enqueue('alice', place(0), 10, earlier);
        expect((await enqueue('bob', place(0), 10, earlier)).status).toBe('searching');
        expect((await enqueue('bob', place(0), 10, later - 1)).status).toBe('searching');
        expect((await enqueue('bob', place(0), 10, later)).status).toBe('offered');
      });

      it('refuses to complete an offer that only one user accepted', async () => {
        const offer = await offerPair();
        await queue.respond('alice', offer.matchId, true, T0 + 2);
        expect(await queue.complete(offer.matchId, T0 + 3)).toBe(false);
        expect((await queue.status('bob', T0 + 3)).state).toBe('OFFERED');
      });

      it('on a decline tells both DECLINED, leaves the decliner IDLE and the declined searching in their old place', async () => {
        const offer = await offerPair();
        const shown = { ...offer };
        expect(await queue.respond('bob', offer.matchId, false, T0 + 2)).toEqual({
          status: 'declined',
          events: [
            { to: 'bob', type: 'DECLINED', offer: shown },
            { to: 'alice', type: 'DECLINED', offer: shown },
          ],
        });
        expect(await queue.status('bob', T0 + 2)).toEqual({ state: 'IDLE' });
        expect(await queue.status('alice', T0 + 2)).toEqual({ state: 'SEARCHING', radiusKm: 10, since: T0 });
      });

      it('re-pairs the declined user at once with a third eligible user', async () => {
        const offer = await offerPair();
        await ready('carol');
        expect((await enqueue('carol', place(1), 10, T0 + 2)).status).toBe('searching');
        const result = await queue.respond('bob', offer.matchId, false, T0 + 3);
        const next: Offer = {
          matchId: expect.any(String) as string,
          users: ['alice', 'carol'],
          distanceKm: 2,
          expiresAt: T0 + 3 + offerTtlMs,
          accepted: [],
        };
        expect(result.events).toEqual([
          { to: 'bob', type: 'DECLINED', offer },
          { to: 'alice', type: 'DECLINED', offer },
          offered('alice', next),
          offered('carol', next),
        ]);
        expect(result.events[2]?.offer?.matchId).not.toBe(offer.matchId);
        expect(await queue.status('carol', T0 + 3)).toMatchObject({ state: 'OFFERED', offer: next });
      });

      it('does not offer a declined pair again during the cooldown, and does after it', async () => {
        const offer = await offerPair();
        await queue.respond('bob', offer.matchId, false, T0 + 2);
        expect((await enqueue('bob', place(1), 10, T0 + 3)).status).toBe('searching');
        expect((await enqueue('bob', place(1), 10, T0 + 2 + cooldownMs - 1)).status).toBe('searching');
        const { status, events } = await enqueue('bob', place(1), 10, T0 + 2 + cooldownMs);
        expect(status).toBe('offered');
        expect(events[0]?.offer?.users).toEqual(['bob', 'alice']);
      });

      it('answers stale to an old, foreign, unknown or expired matchId and changes nothing', async () => {
        const first = await offerPair();
        await ready('carol', 'dave');
        await enqueue('carol', place(60), 10, T0);
        const { events } = await enqueue('dave', place(60), 10, T0 + 1);
        const foreign = events[0]?.offer;
        const stale = { status: 'stale', events: [] };
        expect(await queue.respond('alice', foreign?.matchId ?? '', true, T0 + 2)).toEqual(stale);
        expect(await queue.respond('alice', 'no-such-offer', false, T0 + 2)).toEqual(stale);
        expect(await queue.respond('erin', first.matchId, false, T0 + 2)).toEqual(stale);
        expect(await queue.respond('alice', first.matchId, true, first.expiresAt)).toEqual(stale);
        expect(await queue.status('alice', T0 + 2)).toEqual({ state: 'OFFERED', radiusKm: 10, offer: first });
        expect(await queue.status('carol', T0 + 2)).toEqual({ state: 'OFFERED', radiusKm: 10, offer: foreign });

        await queue.respond('alice', first.matchId, false, T0 + 3);
        expect((await enqueue('alice', place(0), 10, T0 + 3 + cooldownMs)).status).toBe('offered');
        const second = (await queue.status('bob', T0 + 3 + cooldownMs)) as { offer: Offer };
        expect(await queue.respond('bob', first.matchId, false, T0 + 4 + cooldownMs)).toEqual(stale);
        expect(await queue.status('bob', T0 + 4 + cooldownMs)).toEqual({
          state: 'OFFERED',
          radiusKm: 10,
          offer: second.offer,
        });
      });
    });

    describe('cancel', () => {
      it('leaves a searching user IDLE without events, and is a no-op when IDLE', async () => {
        await ready('alice');
        await enqueue('alice', place(0), 5, T0);
        expect(await queue.cancel('alice', T0 + 1)).toEqual({ events: [] });
        expect(await queue.status('alice', T0 + 1)).toEqual({ state: 'IDLE' });
        expect(await queue.searchingCount()).toBe(0);
        expect(await queue.cancel('alice', T0 + 2)).toEqual({ events: [] });
      });

      it('declines for an offered user: CANCELLED to them, DECLINED to the peer, who searches again; the pair cools down', async () => {
        const offer = await offerPair();
        expect(await queue.cancel('alice', T0 + 2)).toEqual({
          events: [
            { to: 'alice', type: 'CANCELLED', offer },
            { to: 'bob', type: 'DECLINED', offer },
          ],
        });
        expect(await queue.status('alice', T0 + 2)).toEqual({ state: 'IDLE' });
        expect(await queue.status('bob', T0 + 2)).toEqual({ state: 'SEARCHING', radiusKm: 10, since: T0 + 1 });
        expect((await enqueue('alice', place(0), 10, T0 + 3)).status).toBe('searching');
      });

      it('lets the remaining peer be paired at once with a third user', async () => {
        const offer = await offerPair();
        await ready('carol');
        await enqueue('carol', place(1), 10, T0 + 2);
        const { events } = await queue.cancel('bob', T0 + 3);
        expect(events.map((e) => [e.to, e.type, e.offer?.matchId === offer.matchId])).toEqual([
          ['bob', 'CANCELLED', true],
          ['alice', 'DECLINED', true],
          ['alice', 'OFFERED', false],
          ['carol', 'OFFERED', false],
        ]);
      });
    });

    describe('sweep', () => {
      it('expires an offer: EXPIRED to both, the accepter searches again in their old place, the silent one is IDLE, no cooldown', async () => {
        const offer = await offerPair();
        await queue.respond('alice', offer.matchId, true, T0 + 2);
        expect(await queue.sweep(offer.expiresAt - 1)).toEqual({ events: [] });
        const shown = { ...offer, accepted: ['alice'] };
        expect(await queue.sweep(offer.expiresAt)).toEqual({
          events: [
            { to: 'bob', type: 'EXPIRED', offer: shown },
            { to: 'alice', type: 'EXPIRED', offer: shown },
          ],
        });
        expect(await queue.status('alice', offer.expiresAt)).toEqual({ state: 'SEARCHING', radiusKm: 10, since: T0 });
        expect(await queue.status('bob', offer.expiresAt)).toEqual({ state: 'IDLE' });
        // Nobody said no: the silent one searching again is offered to the accepter at once.
        expect((await enqueue('bob', place(1), 10, offer.expiresAt + 1)).status).toBe('offered');
      });

      it('sets no cooldown when an offer nobody answered expires: both searching again are offered to each other at once', async () => {
        const offer = await offerPair();
        await queue.sweep(offer.expiresAt);
        expect(await queue.status('alice', offer.expiresAt)).toEqual({ state: 'IDLE' });
        expect(await queue.status('bob', offer.expiresAt)).toEqual({ state: 'IDLE' });
        expect((await enqueue('alice', place(0), 10, offer.expiresAt + 1)).status).toBe('searching');
        const again = await enqueue('bob', place(1), 10, offer.expiresAt + 2);
        expect(again.status).toBe('offered');
        expect(again.events.map((e) => [e.to, e.type, e.offer?.users])).toEqual([
          ['bob', 'OFFERED', ['bob', 'alice']],
          ['alice', 'OFFERED', ['bob', 'alice']],
        ]);
      });

      it('re-pairs an accepter of an expired offer with a third user', async () => {
        const offer = await offerPair();
        await ready('carol');
        await enqueue('carol', place(2), 10, T0 + 2);
        await queue.respond('bob', offer.matchId, true, T0 + 3);
        await queue.touch(['carol'], offer.expiresAt);
        const { events } = await queue.sweep(offer.expiresAt);
        expect(events.map((e) => [e.to, e.type, e.offer?.users])).toEqual([
          ['bob', 'EXPIRED', ['bob', 'alice']],
          ['alice', 'EXPIRED', ['bob', 'alice']],
          ['bob', 'OFFERED', ['bob', 'carol']],
          ['carol', 'OFFERED', ['bob', 'carol']],
        ]);
        expect(await queue.status('alice', offer.expiresAt)).toEqual({ state: 'IDLE' });
      });

      it('ends a search at its deadline with SEARCH_TIMEOUT, a re-enqueue pushing the deadline', async () => {
        await ready('alice', 'bob');
        await enqueue('alice', place(0), 5, T0);
        await enqueue('bob', place(40), 5, T0);
        await enqueue('bob', place(40), 5, T0 + 1000);
        const end = T0 + searchTimeoutMs;
        await queue.touch(['alice', 'bob'], end - 1);
        expect(await queue.sweep(end - 1)).toEqual({ events: [] });
        expect(await queue.sweep(end)).toEqual({ events: [{ to: 'alice', type: 'SEARCH_TIMEOUT' }] });
        expect(await queue.status('alice', end)).toEqual({ state: 'IDLE' });
        expect(await queue.sweep(end + 1000)).toEqual({ events: [{ to: 'bob', type: 'SEARCH_TIMEOUT' }] });
      });

      it('removes a searching user unseen for presenceGraceMs with CANCELLED, while touch keeps a user', async () => {
        await ready('alice', 'bob');
        await enqueue('alice', place(0), 5, T0);
        await enqueue('bob', place(40), 5, T0);
        await queue.touch(['alice', 'nobody'], T0 + 1);
        expect(await queue.sweep(T0 + presenceGraceMs - 1)).toEqual({ events: [] });
        expect(await queue.sweep(T0 + presenceGraceMs)).toEqual({ events: [{ to: 'bob', type: 'CANCELLED' }] });
        expect(await queue.status('bob', T0 + presenceGraceMs)).toEqual({ state: 'IDLE' });
        expect(await queue.status('alice', T0 + presenceGraceMs)).toMatchObject({ state: 'SEARCHING' });
        expect(await queue.sweep(T0 + 1 + presenceGraceMs)).toEqual({ events: [{ to: 'alice', type: 'CANCELLED' }] });
        expect(await queue.searchingCount()).toBe(0);
      });

      it('does not remove an offered user unseen for presenceGraceMs', async () => {
        const offer = await offerPair();
        expect(await queue.sweep(offer.expiresAt - 1)).toEqual({ events: [] });
        expect((await queue.status('alice', offer.expiresAt - 1)).state).toBe('OFFERED');
      });

      it('handles each item once when swept twice, in order: offers, timeouts, then ghosts', async () => {
        const offer = await offerPair(T0 + searchTimeoutMs - offerTtlMs);
        await ready('carol', 'dave');
        await enqueue('carol', place(40), 5, T0);
        await enqueue('dave', place(80), 5, T0 + searchTimeoutMs - presenceGraceMs);
        const now = T0 + searchTimeoutMs + 1;
        const expected = {
          events: [
            { to: 'bob', type: 'EXPIRED', offer },
            { to: 'alice', type: 'EXPIRED', offer },
            { to: 'carol', type: 'SEARCH_TIMEOUT' },
            { to: 'dave', type: 'CANCELLED' },
          ],
        };
        const [first, second] = await Promise.all([queue.sweep(now), queue.sweep(now)]);
        expect([first, second]).toEqual([expected, { events: [] }]);
        expect(await queue.sweep(now)).toEqual({ events: [] });
      });

      it('handles at most `limit` items of each kind per call, oldest first', async () => {
        await ready('u1', 'u2', 'u3');
        await enqueue('u3', place(0), 1, T0);
        await enqueue('u2', place(40), 1, T0);
        await enqueue('u1', place(80), 1, T0 + 1);
        const now = T0 + presenceGraceMs + 1;
        expect(await queue.sweep(now, 2)).toEqual({
          events: [
            { to: 'u2', type: 'CANCELLED' },
            { to: 'u3', type: 'CANCELLED' },
          ],
        });
        expect(await queue.sweep(now, 2)).toEqual({ events: [{ to: 'u1', type: 'CANCELLED' }] });
      });

      it('returns false from complete() once the accepted offer expired, and offers the two to each other again', async () => {
        const offer = await offerPair();
        await queue.respond('alice', offer.matchId, true, T0 + 2);
        const { completing } = await queue.respond('bob', offer.matchId, true, T0 + 3);
        const expiresAt = completing?.expiresAt ?? 0;
        expect(await queue.complete(offer.matchId, expiresAt)).toBe(false);
        const { events } = await queue.sweep(expiresAt);
        // Both back in line (both had accepted) and no cooldown (nobody said no): a fresh offer at once.
        expect(events.map((e) => [e.to, e.type, e.offer?.matchId === offer.matchId])).toEqual([
          ['bob', 'EXPIRED', true],
          ['alice', 'EXPIRED', true],
          ['alice', 'OFFERED', false],
          ['bob', 'OFFERED', false],
        ]);
        expect(await queue.complete(offer.matchId, expiresAt)).toBe(false);
        expect(await queue.status('alice', expiresAt)).toMatchObject({ state: 'OFFERED', radiusKm: 10 });
        expect(await queue.status('bob', expiresAt)).toMatchObject({ state: 'OFFERED', radiusKm: 10 });
      });
    });

    describe('status and counts', () => {
      it('reports IDLE, SEARCHING, OFFERED and IDLE again through a whole match', async () => {
        await ready('alice', 'bob');
        expect(await queue.status('alice', T0)).toEqual({ state: 'IDLE' });
        await enqueue('alice', place(0), 7, T0);
        expect(await queue.status('alice', T0)).toEqual({ state: 'SEARCHING', radiusKm: 7, since: T0 });
        const { events } = await enqueue('bob', place(0), 9, T0 + 1);
        const offer = events[0]?.offer as Offer;
        expect(await queue.status('alice', T0 + 1)).toEqual({ state: 'OFFERED', radiusKm: 7, offer });
        await queue.respond('alice', offer.matchId, true, T0 + 2);
        await queue.respond('bob', offer.matchId, true, T0 + 2);
        expect(await queue.status('alice', T0 + 2)).toEqual({
          state: 'OFFERED',
          radiusKm: 7,
          offer: { ...offer, accepted: ['alice', 'bob'], expiresAt: T0 + 2 + offerTtlMs },
        });
        await queue.complete(offer.matchId, T0 + 3);
        expect(await queue.status('alice', T0 + 3)).toEqual({ state: 'IDLE' });
      });

      it('counts searching users only', async () => {
        await ready('alice', 'bob', 'carol');
        expect(await queue.searchingCount()).toBe(0);
        await enqueue('alice', place(0), 5, T0);
        await enqueue('carol', place(40), 5, T0);
        expect(await queue.searchingCount()).toBe(2);
        await enqueue('bob', place(0), 5, T0);
        expect(await queue.searchingCount()).toBe(1);
      });
    });

    describe('concurrency', () => {
      it('keeps 200 concurrent enqueues in one area consistent: one offer each, eligible pairs, no eligible pair left searching', async () => {
        const next = mulberry32(20_260_101);
        const users = Array.from({ length: 200 }, (_, i) => ({
          userId: `u${String(i).padStart(3, '0')}`,
          position: place((next() - 0.5) * 30, (next() - 0.5) * 30),
          radiusKm: 1 + Math.floor(next() * 15),
        }));
        await Promise.all(users.map((u) => queue.loadExclusions(u.userId, { blocked: [], openRooms: [] }, T0)));
        const results = await Promise.all(users.map((u, i) => queue.enqueue(u, T0 + (i % 7))));

        const byId = new Map(users.map((u) => [u.userId, u]));
        const eligible = (a: string, b: string) => {
          const [x, y] = [byId.get(a), byId.get(b)];
          return Boolean(x && y && haversineKm(x.position, y.position) <= Math.min(x.radiusKm, y.radiusKm));
        };
        const offers = new Map<string, Offer>();
        for (const { events } of results) for (const e of events) if (e.offer) offers.set(e.offer.matchId, e.offer);
        const inOffer = [...offers.values()].flatMap((o) => o.users);
        expect(new Set(inOffer).size).toBe(inOffer.length);
        expect([...offers.values()].filter((o) => !eligible(...o.users))).toEqual([]);

        const statuses = await Promise.all(users.map((u) => queue.status(u.userId, T0 + 10)));
        const searching = users.filter((_, i) => statuses[i]?.state === 'SEARCHING').map((u) => u.userId);
        expect(searching.length + inOffer.length).toBe(users.length);
        expect(await queue.searchingCount()).toBe(searching.length);
        const leftPairs = searching.flatMap((a) => searching.filter((b) => a < b && eligible(a, b)).map((b) => [a, b]));
        expect(leftPairs).toEqual([]);
        expect(offers.size).toBeGreaterThan(50);
      });
    });
  });
}
