import { haversineKm, snapToGrid } from '../src/modules/matching/geo';
import { backendKind } from './utils/backend';
import { gql } from './utils/graphql';
import { startTestServer, type TestServer } from './utils/test-server';
import { signUpUser, type TestUser } from './utils/users';

const ENV = {
  MATCH_OFFER_TTL_SECONDS: '120',
  MATCH_PRESENCE_GRACE_SECONDS: '120',
  // This test is about matching's invariants under a burst of 200 requests. The operation deadline
  // counts from each request's arrival, so on a loaded test machine the burst's queueing alone can
  // pass the default 2 s; so can a wait for a pooled database connection (1.5 s) or a Redis reply
  // (1 s): CI saw UNAVAILABLE answers from them. The deadlines themselves are tested in
  // test/topology/backend-outage.test.ts.
  OPERATION_DEADLINE: '20s',
  DATABASE_TIMEOUT: '10s',
  REDIS_TIMEOUT: '10s',
};
const REQUEST = 'mutation($input: MatchRequestInput!) { requestMatch(input: $input) { state } }';
const STATUS = '{ matchStatus { state offer { matchId partner { id } } } }';

let one: TestServer;
let two: TestServer | undefined;

beforeAll(async () => {
  one = await startTestServer({ env: ENV });
  // Real backend: requests alternate between two instances sharing MariaDB and Redis.
  if (backendKind() === 'real') two = await startTestServer({ env: ENV, backend: one.backend });
}, 60_000);

afterAll(async () => {
  await two?.close();
  await one.close();
});

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

describe('200 users enqueued concurrently', () => {
  it('never puts anyone in two offers, pairs only mutually eligible users and leaves no eligible pair waiting', async () => {
    const rnd = random(42);
    const centre = { lat: 35.68, lon: 139.76 };
    const users: (TestUser & { position: { lat: number; lon: number }; radiusKm: number })[] = await Promise.all(
      Array.from({ length: 200 }, async () => ({
        ...(await signUpUser(one.graphqlUrl)),
        position: { lat: centre.lat + (rnd() - 0.5) * 0.4, lon: centre.lon + (rnd() - 0.5) * 0.5 },
        radiusKm: 1 + Math.floor(rnd() * 15),
      })),
    );
    const urls = [one.graphqlUrl, two?.graphqlUrl ?? one.graphqlUrl];
    const responses = await Promise.all(
      users.map((u, i) =>
        gql(
          urls[i % 2]!,
          REQUEST,
          { input: { latitude: u.position.lat, longitude: u.position.lon, radiusKm: u.radiusKm } },
          { token: u.accessToken },
        ),
      ),
    );
    expect(responses.filter((r) => r.errors)).toEqual([]);

    const statuses = await Promise.all(
      users.map((u) => gql(one.graphqlUrl, STATUS, undefined, { token: u.accessToken })),
    );
    const byId = new Map(users.map((u, i) => [u.id, { user: u, status: statuses[i]!.data!.matchStatus }]));
    const cell = (u: (typeof users)[number]) => snapToGrid(u.position, 1);
    const eligible = (a: (typeof users)[number], b: (typeof users)[number]) =>
      haversineKm(cell(a), cell(b)) <= Math.min(a.radiusKm, b.radiusKm);

    const offers = new Map<string, string[]>();
    for (const [id, { status }] of byId) {
      expect(['SEARCHING', 'OFFERED']).toContain(status.state);
      if (status.state !== 'OFFERED') continue;
      offers.set(status.offer.matchId, [...(offers.get(status.offer.matchId) ?? []), id]);
      const partner = byId.get(status.offer.partner.id)!;
      expect(partner.status.offer.matchId).toBe(status.offer.matchId);
      expect(partner.status.offer.partner.id).toBe(id);
      expect(eligible(byId.get(id)!.user, partner.user)).toBe(true);
    }
    for (const members of offers.values()) expect(members).toHaveLength(2);
    const waiting = users.filter((u) => byId.get(u.id)!.status.state === 'SEARCHING');
    for (const a of waiting) for (const b of waiting) if (a !== b) expect(eligible(a, b)).toBe(false);
    expect(offers.size).toBeGreaterThan(20);
  }, 120_000);
});
