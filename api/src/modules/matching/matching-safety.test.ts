import { Chatter } from '../../../test/utils/chatter';
import { queryDb } from '../../../test/utils/db-query';
import { codes, gql } from '../../../test/utils/graphql';
import { ok } from '../../../test/utils/ok';
import { area, MatchPlayer, north, type Position } from '../../../test/utils/match-player';
import { subscribeRoom } from '../../../test/utils/room-events';
import { createRoomPair } from '../../../test/utils/room-pair';
import { startTestServer, type TestServer } from '../../../test/utils/test-server';
import { skipHoldMs } from './match.service';
import { wsClient } from '../../../test/utils/ws-client';

/**
 * Issue L in the matcher, through the GraphQL API: mutual preferences, "next" with the pair memory
 * (across a restart), and the skip budget.
 */
let api: TestServer;
const players: MatchPlayer[] = [];
const closers: Array<() => unknown> = [];

async function player(profile?: { gender?: string; birthYear?: number }): Promise<MatchPlayer> {
  const p = await MatchPlayer.create(api);
  players.push(p);
  if (profile) {
    const res = await gql(
      api.graphqlUrl,
      'mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id } }',
      { input: profile },
      { token: p.user.accessToken },
    );
    if (res.errors) throw new Error(JSON.stringify(res.errors));
  }
  return p;
}

const STATUS = 'state offer { matchId partner { id } }';
const REQUEST = `mutation($input: MatchRequestInput!) { requestMatch(input: $input) { ${STATUS} } }`;
const NEXT = `mutation($input: MatchRequestInput!, $roomId: ID) { nextMatch(input: $input, roomId: $roomId) { ${STATUS} } }`;

function search(p: MatchPlayer, at: Position, preferences?: Record<string, unknown>, mutation = REQUEST, extra = {}) {
  const input = { latitude: at.lat, longitude: at.lon, radiusKm: 5, ...(preferences ? { preferences } : {}) };
  return gql<{ requestMatch?: { state: string }; nextMatch?: { state: string } }>(
    api.graphqlUrl,
    mutation,
    { input, ...extra },
    { token: p.user.accessToken },
  );
}

const thisYear = new Date().getUTCFullYear();

beforeAll(async () => {
  api = await startTestServer({ env: { MATCH_OFFER_TTL_SECONDS: '5', NEXT_PER_HOUR: '2' } });
});

afterAll(async () => {
  closers.forEach((close) => close());
  await Promise.all(players.map((p) => p.close()));
  await api.close();
});

describe('preferences', () => {
  it('pairs only users whose preferences accept each other, both ways', async () => {
    const woman30 = await player({ gender: 'FEMALE', birthYear: thisYear - 30 });
    const man25 = await player({ gender: 'MALE', birthYear: thisYear - 25 });
    const woman22 = await player({ gender: 'FEMALE', birthYear: thisYear - 22 });
    // She wants men of 28 to 40: the man of 25 is not offered to her, nor she to him.
    expect(
      (await search(woman30, area(1), { genders: ['MALE'], minAge: 28, maxAge: 40 })).data!.requestMatch!.state,
    ).toBe('SEARCHING');
    expect((await search(man25, north(area(1), 1))).data!.requestMatch!.state).toBe('SEARCHING');
    // He accepts women under 24 only: the woman of 22, who accepts anyone, is offered to him.
    const res = await search(man25, north(area(1), 1), { genders: ['FEMALE'], maxAge: 24 });
    expect(res.data!.requestMatch!.state).toBe('SEARCHING');
    const offered = await gql(
      api.graphqlUrl,
      REQUEST,
      {
        input: { latitude: area(1).lat, longitude: area(1).lon, radiusKm: 5 },
      },
      { token: woman22.user.accessToken },
    );
    expect(offered.data!.requestMatch).toMatchObject({ state: 'OFFERED', offer: { partner: { id: man25.id } } });
    expect((await woman30.status()).state).toBe('SEARCHING');
  });

  it('does not meet a gender or age preference with a profile that states neither', async () => {
    const [picky, silent] = [await player({ gender: 'MALE', birthYear: thisYear - 40 }), await player()];
    await search(picky, area(2), { minAge: 18 });
    expect((await search(silent, area(2))).data!.requestMatch!.state).toBe('SEARCHING');
    await search(picky, area(2), { genders: [] });
    expect((await search(silent, area(2))).data!.requestMatch!.state).toBe('OFFERED');
  });

  it.each([
    ['minAge above maxAge', { minAge: 40, maxAge: 30 }],
    ['minAge 17', { minAge: 17 }],
    ['maxAge 121', { maxAge: 121 }],
    ['an unknown gender', { genders: ['ROBOT'] }],
  ])('refuses %s with BAD_USER_INPUT and leaves the user idle', async (_name, preferences) => {
    const p = await player();
    expect(codes(await search(p, area(3), preferences))).toEqual(['BAD_USER_INPUT']);
    expect((await p.status()).state).toBe('IDLE');
  });
});

describe('next', () => {
  it('leaves the room (the peer hears PEER_LEFT with reason NEXT) and reaches a new offer, never the previous partner', async () => {
    const { a, b, roomId } = await createRoomPair(api, 4);
    players.push(a, b);
    const client = wsClient(api.wsUrl, b.user.accessToken);
    const room = subscribeRoom(
      client,
      roomId,
      'subscription($roomId: ID!) { roomEvents(roomId: $roomId) { type roomId userId seq reason } }',
    );
    closers.push(
      () => room.close(),
      () => void client.dispose(),
    );
    await room.untilLive(() => new Chatter(a.user, api.graphqlUrl).typing(roomId));
    const offersBefore = [a, b].map((p) => p.received('OFFERED').length);
    expect((await search(a, area(4), undefined, NEXT)).data!.nextMatch!.state).toBe('SEARCHING');
    expect(await room.next((e) => e.type === 'PEER_LEFT')).toMatchObject({ userId: a.id, reason: 'NEXT' });
    const closed = await gql(
      api.graphqlUrl,
      'query($id: ID!) { room(id: $id) { closed } }',
      { id: roomId },
      {
        token: b.user.accessToken,
      },
    );
    expect(closed.data).toEqual({ room: { closed: true } });
    // b searches 1 km away, within both radii: the pair memory keeps the two apart.
    expect((await search(b, north(area(4), 1))).data!.requestMatch!.state).toBe('SEARCHING');
    // A newcomer is offered to a, who has waited longest.
    const c = await player();
    expect((await search(c, north(area(4), 2))).data!.requestMatch).toMatchObject({
      state: 'OFFERED',
      offer: { partner: { id: a.id } },
    });
    const offersSince = (p: MatchPlayer, i: number) => p.received('OFFERED').slice(offersBefore[i]);
    expect(offersSince(a, 0).map((e) => e.partner?.id)).not.toContain(b.id);
    expect(offersSince(b, 1).map((e) => e.partner?.id)).not.toContain(a.id);
  });

  it('refuses a room that is not yours with FORBIDDEN and starts no search', async () => {
    const { roomId, a, b } = await createRoomPair(api, 5);
    players.push(a, b);
    const stranger = await player();
    expect(codes(await search(stranger, area(5), undefined, NEXT, { roomId }))).toEqual(['FORBIDDEN']);
    expect((await stranger.status()).state).toBe('IDLE');
  });

  it('keeps the pair memory through a restart (the database remembers the match)', async () => {
    const { a, b, roomId } = await createRoomPair(api, 6);
    players.push(a, b);
    const left = await gql(
      api.graphqlUrl,
      'mutation($r: ID!) { leaveRoom(roomId: $r) }',
      { r: roomId },
      {
        token: a.user.accessToken,
      },
    );
    expect(left.errors).toBeUndefined();
    await Promise.all([a.cancel(), b.cancel()]);
    // Another instance on the same database with an empty queue of its own (another Redis prefix, or memory).
    const prefix = `${api.backend.env.REDIS_PREFIX ?? ''}restarted:`;
    const restarted = await startTestServer({
      backend: { ...api.backend, env: { ...api.backend.env, REDIS_PREFIX: prefix }, cleanup: async () => {} },
    });
    const [a2, b2] = [a, b].map((p) => MatchPlayer.forUser(restarted, p.user)) as [MatchPlayer, MatchPlayer];
    try {
      expect((await a2.request(area(6), 5)).data!.requestMatch.state).toBe('SEARCHING');
      expect((await b2.request(north(area(6), 1), 5)).data!.requestMatch.state).toBe('SEARCHING');
    } finally {
      await Promise.all([a2.close(), b2.close()]);
      await restarted.close();
    }
  });
});

describe('quarantine', () => {
  it('pairs an account quarantined by reports only with other quarantined accounts, never with a normal one', async () => {
    // Three members who shared a room with the target report them: quarantine (MODERATION_QUARANTINE_REPORTS).
    const target = await player();
    for (const i of [0, 1, 2]) {
      const { b, roomId } = await createRoomPair(api, 10 + i, { a: target });
      players.push(b);
      ok(await new Chatter(b.user, api.graphqlUrl).report(target.id, 'spam links', roomId));
    }
    await target.cancel();
    const normal = await player();
    await search(normal, area(13));
    expect((await search(target, north(area(13), 1))).data!.requestMatch!.state).toBe('SEARCHING');
    expect((await normal.status()).state).toBe('SEARCHING');
    // Another quarantined account (set in the database here; reports are the way in, as above) meets the target.
    const other = await player();
    await queryDb(api.backend, 'UPDATE users SET quarantined_at = created_at WHERE id = ?', [other.id]);
    expect((await search(other, north(area(13), 2))).data!.requestMatch).toMatchObject({
      state: 'OFFERED',
      offer: { partner: { id: target.id } },
    });
    expect((await normal.status()).state).toBe('SEARCHING');
  });
});

describe('skip budget', () => {
  it('doubles the hold with each skip past the budget, up to an hour', () => {
    expect([1, 2, 3, 4, 5, 12, 1000].map((count) => skipHoldMs(count, 2))).toEqual([
      0, 0, 15_000, 30_000, 60_000, 3_600_000, 3_600_000,
    ]);
  });

  it('holds a user off with RATE_LIMITED past NEXT_PER_HOUR declines, changing nothing', async () => {
    const skipper = await player();
    // NEXT_PER_HOUR is 2: the third decline holds the skipper off for 15 s.
    for (let i = 0; i < 3; i++) {
      const partner = await player();
      await search(partner, area(7));
      expect((await search(skipper, area(7))).data!.requestMatch!.state).toBe('OFFERED');
      const { matchId } = (await skipper.status()).offer!;
      expect((await skipper.respond(matchId, false)).errors).toBeUndefined();
      await partner.cancel();
    }
    const held = await search(skipper, area(7));
    expect(codes(held)).toEqual(['RATE_LIMITED']);
    const retryAfterSeconds = held.errors![0]!.extensions!.retryAfterSeconds as number;
    expect(retryAfterSeconds).toBeGreaterThan(10);
    expect(retryAfterSeconds).toBeLessThanOrEqual(15);
    expect((await skipper.status()).state).toBe('IDLE');
  });
});
