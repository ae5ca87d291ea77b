import { queryDb } from '../../../test/utils/db-query';
import { codes, gql } from '../../../test/utils/graphql';
import { createTestRedis } from '../../../test/utils/redis';
import { area, MatchPlayer, north } from '../../../test/utils/match-player';
import { startTestServer, type TestServer } from '../../../test/utils/test-server';
import { signUpUser } from '../../../test/utils/users';
import { waitFor } from '../../../test/utils/wait-for';

let api: TestServer;
const players: MatchPlayer[] = [];

/**
 * Deletes the users' exclusion mirrors from the queue's Redis (as a Redis that lost them would), in
 * whichever layout the queue uses (one slot, or the sharded queue's user slots and cell copies), one
 * key at a time (they may live in different slots). Returns how many keys it deleted.
 */
async function dropMirrors(...userIds: string[]): Promise<number> {
  const redis = createTestRedis(); // the test Redis or cluster, under a prefix of its own (cleaned up: nothing)
  try {
    const mirror = new RegExp(`:v3:x[lbrm]:(${userIds.join('|')})$`);
    const keys = (await redis.keys(api.backend.env.REDIS_PREFIX ?? '')).filter((key) => mirror.test(key));
    const client = redis.client();
    return (await Promise.all(keys.map((key) => client.del(key)))).reduce((sum, n) => sum + n, 0);
  } finally {
    await redis.cleanup();
  }
}

/** A signed-up user with an open matchEvents subscription, closed after the file. */
async function player(options?: { subscribe?: boolean }): Promise<MatchPlayer> {
  const p = await MatchPlayer.create(api, options);
  players.push(p);
  return p;
}

beforeAll(async () => {
  api = await startTestServer({
    env: { MATCH_OFFER_TTL_SECONDS: '3', MATCH_PRESENCE_GRACE_SECONDS: '2', MATCH_SWEEP_INTERVAL: '100ms' },
  });
});

afterAll(async () => {
  await Promise.all(players.map((p) => p.close()));
  await api.close();
});

describe('pairing by distance', () => {
  it('pairs two users 3 km apart with radii 5 and 10, offering both the same match', async () => {
    const [a, b] = [await player(), await player()];
    expect((await a.request(area(1), 5)).data!.requestMatch.state).toBe('SEARCHING');
    expect((await b.request(north(area(1), 3), 10)).data!.requestMatch.state).toBe('OFFERED');

    const [offerA, offerB] = await Promise.all([a.next('OFFERED'), b.next('OFFERED')]);
    expect(offerA.matchId).toBe(offerB.matchId);
    expect(offerA.expiresAt).toBe(offerB.expiresAt);
    expect(offerA.partner!.id).toBe(b.id);
    expect(offerB.partner!.id).toBe(a.id);
    expect(offerA.distanceKm).toBe(5);
    const expiresInMs = new Date(offerA.expiresAt!).getTime() - Date.now();
    expect(expiresInMs).toBeGreaterThan(1000);
    expect(expiresInMs).toBeLessThanOrEqual(3000);
  });

  it("shows each partner's profile as it stood at their requestMatch, on the socket and in the response", async () => {
    const PARTNER = 'partner { id nickname gender birthYear age deleted createdAt email }';
    const setProfile = (p: MatchPlayer, input: Record<string, unknown>) =>
      gql(
        api.graphqlUrl,
        'mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id } }',
        { input },
        { token: p.user.accessToken },
      );
    const [a, b] = [await player(), await player()];
    await setProfile(a, { nickname: 'Ada', gender: 'FEMALE', birthYear: 1990 });
    await setProfile(b, { nickname: 'Bo' });
    await a.request(area(4), 5);
    const response = await gql(
      api.graphqlUrl,
      `mutation($input: MatchRequestInput!) { requestMatch(input: $input) { state offer { matchId ${PARTNER} } } }`,
      { input: { latitude: north(area(4), 1).lat, longitude: area(4).lon, radiusKm: 5 } },
      { token: b.user.accessToken },
    );
    const offer = response.data!.requestMatch.offer;
    // matchStatus reads the partner from the database: the offer must show the very same user.
    const status = await gql(api.graphqlUrl, `{ matchStatus { offer { ${PARTNER} } } }`, undefined, {
      token: b.user.accessToken,
    });
    expect(offer.partner).toEqual(status.data!.matchStatus.offer.partner);
    expect(offer.partner).toMatchObject({
      id: a.id,
      nickname: 'Ada',
      gender: 'FEMALE',
      birthYear: 1990,
      deleted: false,
      email: null,
    });
    expect((await b.next('OFFERED', offer.matchId)).partner).toEqual({ id: a.id, nickname: 'Ada' });
    expect((await a.next('OFFERED', offer.matchId)).partner).toEqual({ id: b.id, nickname: 'Bo' });
  });

  it('does not pair two users 4 km apart with radii 5 and 2', async () => {
    const [a, b] = [await player(), await player()];
    await a.request(area(2), 5);
    expect((await b.request(north(area(2), 4), 2)).data!.requestMatch.state).toBe('SEARCHING');
    expect((await a.status()).state).toBe('SEARCHING');
  });

  it('updates a running search instead of duplicating it', async () => {
    const [a, b] = [await player(), await player()];
    await b.request(north(area(3), 4), 10);
    await a.request(area(3), 2);
    await a.request(area(3), 2);
    expect(await a.status()).toMatchObject({ state: 'SEARCHING', radiusKm: 2 });
    expect((await a.request(area(3), 6)).data!.requestMatch.state).toBe('OFFERED');
    const offer = await a.next('OFFERED');
    expect(offer.partner!.id).toBe(b.id);
  });

  it.each([
    ['latitude 91', { latitude: 91, longitude: 0, radiusKm: 5 }],
    ['longitude -180.5', { latitude: 0, longitude: -180.5, radiusKm: 5 }],
    ['radius 0', { latitude: 0, longitude: 0, radiusKm: 0 }],
    ['radius 101', { latitude: 0, longitude: 0, radiusKm: 101 }],
    ['radius 2.5', { latitude: 0, longitude: 0, radiusKm: 2.5 }],
  ])('rejects %s with BAD_USER_INPUT and leaves the user idle', async (_name, input) => {
    const user = await signUpUser(api.graphqlUrl);
    const res = await gql(
      api.graphqlUrl,
      'mutation($input: MatchRequestInput!) { requestMatch(input: $input) { state } }',
      { input },
      { token: user.accessToken },
    );
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    const status = await gql(api.graphqlUrl, '{ matchStatus { state } }', undefined, { token: user.accessToken });
    expect(status.data!.matchStatus.state).toBe('IDLE');
  });

  it('requires authentication for every matching operation', async () => {
    for (const query of [
      '{ matchStatus { state } }',
      'mutation { cancelMatch { state } }',
      'mutation { respondToMatch(matchId: "x", accept: true) { state } }',
    ]) {
      expect(codes(await gql(api.graphqlUrl, query))).toEqual(['UNAUTHENTICATED']);
    }
  });
});

describe('offer lifecycle', () => {
  async function offered(n: number): Promise<{ a: MatchPlayer; b: MatchPlayer; matchId: string }> {
    const [a, b] = [await player(), await player()];
    await a.request(area(n), 5);
    await b.request(north(area(n), 1), 5);
    const offer = await a.next('OFFERED');
    await b.next('OFFERED', offer.matchId);
    return { a, b, matchId: offer.matchId };
  }

  it('creates exactly one room when both accept, and tells both', async () => {
    const { a, b, matchId } = await offered(10);
    expect((await a.respond(matchId, true)).data!.respondToMatch).toMatchObject({ state: 'OFFERED', accepted: true });
    await b.next('PEER_ACCEPTED', matchId);
    await b.respond(matchId, true);

    const [matchedA, matchedB] = await Promise.all([a.next('MATCHED', matchId), b.next('MATCHED', matchId)]);
    expect(matchedA.room!.id).toBe(matchedB.room!.id);
    expect(matchedA.room!.peer.id).toBe(b.id);
    expect(matchedB.room!.peer.id).toBe(a.id);
    expect(matchedA.room!.closed).toBe(false);
    expect(await queryDb(api.backend, 'SELECT id FROM rooms WHERE match_id = ?', [matchId])).toHaveLength(1);
    expect(
      await queryDb(api.backend, 'SELECT user_id FROM room_members WHERE room_id = ?', [matchedA.room!.id]),
    ).toHaveLength(2);
    expect((await a.status()).state).toBe('IDLE');
    expect((await b.status()).state).toBe('IDLE');
    expect(codes(await a.respond(matchId, true))).toEqual(['NOT_FOUND']);
  });

  it('never matches two users with an open room together again, also after Redis lost its mirror', async () => {
    const { a, b, matchId } = await offered(11);
    await Promise.all([a.respond(matchId, true), b.respond(matchId, true)]);
    await a.next('MATCHED', matchId);
    await a.request(area(11), 5);
    expect((await b.request(area(11), 5)).data!.requestMatch.state).toBe('SEARCHING');

    if (api.backend.kind === 'real') {
      await Promise.all([a.cancel(), b.cancel()]);
      expect(await dropMirrors(a.id, b.id)).toBeGreaterThan(0);
      await a.request(area(11), 5);
      expect((await b.request(area(11), 5)).data!.requestMatch.state).toBe('SEARCHING');
    }
  });

  it('drops a declined offer: both hear DECLINED, the declined user searches again, the pair waits out the cooldown', async () => {
    const { a, b, matchId } = await offered(12);
    await a.respond(matchId, false);
    await Promise.all([a.next('DECLINED', matchId), b.next('DECLINED', matchId)]);
    expect((await a.status()).state).toBe('IDLE');
    expect((await b.status()).state).toBe('SEARCHING');
    expect((await a.request(area(12), 5)).data!.requestMatch.state).toBe('SEARCHING');
    expect((await b.status()).state).toBe('SEARCHING');
  });

  it('expires an unanswered offer: the accepter searches again, the silent one is idle', async () => {
    const { a, b, matchId } = await offered(13);
    await a.respond(matchId, true);
    await Promise.all([a.next('EXPIRED', matchId, 6000), b.next('EXPIRED', matchId, 6000)]);
    expect((await a.status()).state).toBe('SEARCHING');
    expect((await b.status()).state).toBe('IDLE');
  });

  it('cancels a search, and turns a cancel during an offer into a decline for the peer', async () => {
    const solo = await player();
    await solo.request(area(14), 5);
    expect((await solo.cancel()).data!.cancelMatch.state).toBe('IDLE');

    const { a, b, matchId } = await offered(15);
    await a.cancel();
    await Promise.all([a.next('CANCELLED', matchId), b.next('DECLINED', matchId)]);
    expect((await a.status()).state).toBe('IDLE');
    expect((await b.status()).state).toBe('SEARCHING');
  });

  it('removes a searching user whose subscription is gone (no ghosts)', async () => {
    const [ghost, stayer] = [await player(), await player()];
    await ghost.request(area(16), 5);
    await stayer.request(north(area(17), 0), 5);
    await ghost.disconnect();
    await waitFor(async () => (await ghost.status()).state === 'IDLE', {
      timeoutMs: 6000,
      message: 'the ghost to be removed',
    });
    const newcomer = await player();
    expect((await newcomer.request(north(area(16), 1), 5)).data!.requestMatch.state).toBe('SEARCHING');
    expect((await stayer.status()).state).toBe('SEARCHING');
  });

  it('ignores answers to an old offer', async () => {
    const { a, b, matchId } = await offered(18);
    await a.respond(matchId, false);
    await b.next('DECLINED', matchId);
    const c = await player();
    await c.request(north(area(18), 2), 5);
    const newOffer = (
      await b.events!.next((d) => d.matchEvents.type === 'OFFERED' && d.matchEvents.matchId !== matchId)
    ).matchEvents;
    expect(codes(await b.respond(matchId, true))).toEqual(['NOT_FOUND']);
    expect((await b.status()).offer!.matchId).toBe(newOffer.matchId);
    expect((await b.status()).accepted).toBe(false);
  });

  it('delivers an offer made while the user had no subscription as soon as they subscribe', async () => {
    const late = await player({ subscribe: false });
    const b = await player();
    await late.request(area(19), 5);
    await b.request(north(area(19), 1), 5);
    const offer = await b.next('OFFERED');
    late.subscribe();
    expect((await late.next('OFFERED')).matchId).toBe(offer.matchId);
    expect(late.events!.items[0]!.matchEvents.type).toBe('OFFERED');
  });

  it('starts a subscription opened just after the match with its MATCHED, so a dropped socket misses nothing', async () => {
    const late = await player({ subscribe: false });
    const b = await player();
    await late.request(area(21), 5);
    await b.request(north(area(21), 1), 5);
    const offer = await b.next('OFFERED');
    await Promise.all([late.respond(offer.matchId, true), b.respond(offer.matchId, true)]);
    const matched = await b.next('MATCHED', offer.matchId);
    late.subscribe();
    const replayed = await late.next('MATCHED', offer.matchId);
    expect(replayed).toMatchObject({ partner: { id: b.id }, room: { id: matched.room!.id, peer: { id: b.id } } });
    expect(late.events!.items.map((d) => d.matchEvents.type)).toEqual(['MATCHED']);
  });
});

describe('exclusions and limits', () => {
  it('honours a block stored in the database, also after Redis lost its mirror', async () => {
    // Unsubscribed: opening matchEvents loads the mirror, which this block (written past the
    // service, unlike a real block) would then miss.
    const [a, b] = [await player({ subscribe: false }), await player({ subscribe: false })];
    const now = api.backend.kind === 'real' ? 'NOW()' : "datetime('now')";
    await queryDb(api.backend, `INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ${now})`, [
      b.id,
      a.id,
    ]);
    await a.request(area(30), 5);
    expect((await b.request(north(area(30), 1), 5)).data!.requestMatch.state).toBe('SEARCHING');

    if (api.backend.kind === 'real') {
      expect(await dropMirrors(a.id, b.id)).toBeGreaterThan(0);
      await a.request(area(30), 5);
      expect((await b.request(north(area(30), 1), 5)).data!.requestMatch.state).toBe('SEARCHING');
    }
  });

  it('rate-limits requestMatch per user', async () => {
    const limited = await startTestServer({ env: { MATCH_REQUESTS_PER_MINUTE: '2' } });
    try {
      const user = await signUpUser(limited.graphqlUrl);
      const request = () =>
        gql(
          limited.graphqlUrl,
          'mutation { requestMatch(input: { latitude: 1, longitude: 1, radiusKm: 5 }) { state } }',
          undefined,
          {
            token: user.accessToken,
          },
        );
      expect(codes(await request())).toEqual([]);
      expect(codes(await request())).toEqual([]);
      const third = await request();
      expect(codes(third)).toEqual(['RATE_LIMITED']);
      expect(third.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

describe('location privacy', () => {
  it('shows the same distance bucket wherever the requester stands inside one grid cell', async () => {
    const victim = await player();
    const origin = area(20);
    await victim.request(origin, 50);
    const buckets = [];
    // Spoofed positions 10 m apart, all inside the same ~1 km cell, 7.5 km away.
    const dLat = 1 / 111.195; // one 1 km grid row, in degrees (rows start at -90)
    const cellCorner = { lat: -90 + Math.floor((north(origin, 7.5).lat + 90) / dLat) * dLat, lon: origin.lon };
    for (let i = 0; i < 5; i++) {
      const attacker = await player();
      await attacker.request({ lat: cellCorner.lat + 0.0001 + i * 0.00009, lon: origin.lon }, 50);
      const offer = await attacker.next('OFFERED');
      buckets.push(offer.distanceKm);
      await attacker.respond(offer.matchId, false);
      await victim.next('DECLINED', offer.matchId);
    }
    expect(new Set(buckets).size).toBe(1);
    expect(buckets[0]).toBe(10);
  });

  it('keeps coordinates out of every database row', async () => {
    const [a, b] = [await player(), await player()];
    await a.request({ lat: 47.123457, lon: 8.765431 }, 5);
    await b.request({ lat: 47.133457, lon: 8.765431 }, 5);
    const offer = await a.next('OFFERED');
    await Promise.all([a.respond(offer.matchId, true), b.respond(offer.matchId, true)]);
    await a.next('MATCHED');
    const tables = ['users', 'rooms', 'room_members', 'blocks'];
    const dump = JSON.stringify(await Promise.all(tables.map((t) => queryDb(api.backend, `SELECT * FROM ${t}`))));
    // Neither coordinate nor its grid-snapped value, as a number: a time such as 08:21:47.180 is not one.
    expect(dump).not.toMatch(/(?<!\d|\d:)(47\.1|8\.76)/);
  });
});
