import { Chatter } from './utils/chatter';
import { codes, type GraphqlResponse } from './utils/graphql';
import { area, MatchPlayer } from './utils/match-player';
import { ok } from './utils/ok';
import { createRoomPair } from './utils/room-pair';
import { testClock } from './utils/test-clock';
import { startTestServer, type TestServer } from './utils/test-server';

const DAY = 86_400_000;
const clock = testClock();
let api: TestServer;
const players: MatchPlayer[] = [];

const limited = (res: GraphqlResponse) => ({
  codes: codes(res),
  retry: (res.errors?.[0]?.extensions?.retryAfterSeconds ?? 0) > 0,
});

beforeAll(async () => {
  api = await startTestServer({
    clock: clock.read,
    env: {
      NEW_ACCOUNT_PERIOD: '24h',
      NEW_ACCOUNT_MESSAGES_PER_MINUTE: '3',
      NEW_ACCOUNT_MATCH_REQUESTS_PER_MINUTE: '2',
    },
  });
});

afterAll(async () => {
  await Promise.all(players.map((p) => p.close()));
  await api.close();
});

describe("a new account's first day", () => {
  it('has tighter send and match limits, which lift once the account is a day old', async () => {
    const pair = await createRoomPair(api, 1);
    players.push(pair.a, pair.b);
    const a = new Chatter(pair.a.user, api.graphqlUrl);
    for (let i = 1; i <= 3; i++) ok(await a.send(pair.roomId, `message ${i}`));
    const fourth = await a.send(pair.roomId, 'message 4');
    expect(limited(fourth)).toEqual({ codes: ['RATE_LIMITED'], retry: true });
    expect(fourth.errors![0]!.message).toMatch(/New accounts may send 3 messages a minute/);
    // createRoomPair spent one request of each; the second is allowed, the third not.
    ok(await pair.a.request(area(2), 5));
    ok(await pair.a.cancel());
    const third = await pair.a.request(area(2), 5);
    expect(limited(third)).toEqual({ codes: ['RATE_LIMITED'], retry: true });
    expect(third.errors![0]!.message).toMatch(/New accounts may request 2 matches a minute/);

    // The clock started before the account was created: a day and a minute after it.
    clock.advance(DAY + 60_000);
    ok(await a.send(pair.roomId, 'message 4, a day later'));
    ok(await a.send(pair.roomId, 'message 5'));
    ok(await pair.a.request(area(2), 5));
    ok(await pair.a.cancel());
  });
});
