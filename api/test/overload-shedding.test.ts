import { sendAcked } from './utils/acked-send';
import { Chatter, newClientMessageId } from './utils/chatter';
import { gql, type GraphqlResponse } from './utils/graphql';
import type { MatchPlayer } from './utils/match-player';
import { ok } from './utils/ok';
import { createRoomPair } from './utils/room-pair';
import { startTestServer, type TestServer } from './utils/test-server';

// Shedding (OVERLOAD_LAG): while requests wait longer than that for an instance's event loop, the
// instance answers sends UNAVAILABLE before running them, so that what a reconnecting client needs
// first (its catch-up) is not queued behind a backlog of sends that their clients retry anyway.
let api: TestServer;
const players: MatchPlayer[] = [];

beforeAll(async () => {
  // Long deadlines: on a loaded machine the burst outlasts the 2 s operation deadline and the 1.5 s
  // pool wait, and those refusals (a send given up mid-way: outcome UNKNOWN) are the deadlines'
  // behaviour, tested elsewhere, not shedding's.
  api = await startTestServer({
    env: {
      OVERLOAD_LAG: '20ms',
      CHAT_MESSAGES_PER_MINUTE: '100000',
      OPERATION_DEADLINE: '30s',
      DATABASE_TIMEOUT: '10s',
    },
  });
});

afterAll(async () => {
  await Promise.all(players.map((p) => p.close()));
  await api.close();
});

const codeOf = (res: GraphqlResponse<unknown>) => res.errors?.[0]?.extensions?.code;

describe('an overloaded instance', () => {
  it('refuses part of a burst of sends with UNAVAILABLE and retryAfterMs, stores none of them, and still answers every catch-up', async () => {
    const pair = await createRoomPair(api, 30);
    players.push(pair.a, pair.b);
    const a = new Chatter(pair.a.user, api.graphqlUrl);
    const b = new Chatter(pair.b.user, api.graphqlUrl);
    const { roomId } = pair;
    await sendAcked(a, roomId, 'before the burst');

    // 400 sends at once, with 20 catch-ups among them: the instance falls behind by far more than
    // 20 ms while it reads them.
    const keys = Array.from({ length: 400 }, () => newClientMessageId());
    const sends = keys.map((key, i) => a.send(roomId, `burst ${i}`, key));
    const catchUps = Array.from({ length: 20 }, () => b.messagesAfter(roomId, 0, 1));
    const [sent, caughtUp] = await Promise.all([Promise.all(sends), Promise.all(catchUps)]);

    const refused = sent.flatMap((res, i) => (res.data ? [] : [{ key: keys[i]!, i, res }]));
    expect(refused.length).toBeGreaterThan(0);
    for (const { res } of refused) {
      expect(codeOf(res)).toBe('UNAVAILABLE');
      expect(res.errors![0]!.extensions!.retryAfterMs).toEqual(expect.any(Number));
      expect(res.errors![0]!.extensions!.outcome).toBeUndefined();
    }
    expect(caughtUp.map((res) => res.errors ?? res.data!.messagesAfter.map((m) => m.body))).toEqual(
      caughtUp.map(() => ['before the burst']),
    );

    // Nothing refused was stored: the room holds exactly the acknowledged sends, gapless.
    const stored = ok(await b.messagesAfter(roomId, 0, 500)).messagesAfter;
    const acked = new Set(sent.flatMap((res) => (res.data ? [res.data.sendMessage.clientMessageId] : [])));
    expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));
    expect(new Set(stored.slice(1).map((m) => m.clientMessageId))).toEqual(acked);

    // Retried with their keys, the refused sends are stored once each.
    for (const { key, i } of refused) await sendAcked(a, roomId, `burst ${i}`, { clientMessageId: key });
    const after = ok(await b.messagesAfter(roomId, 0, 500)).messagesAfter;
    expect(after).toHaveLength(401);
    expect(new Set(after.map((m) => m.clientMessageId)).size).toBe(401);
  });
});

// A request can wait in a busy instance's accept queue before the instance sees it; a trusted proxy
// says when it forwarded it (X-Request-Start, nginx's $msec), and that wait counts against the deadline.
describe('time waited before the instance read the request', () => {
  const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { seq clientMessageId } }`;
  const sendAt = (server: TestServer, who: Chatter, roomId: string, key: string, forwardedAt: number) =>
    gql<{ sendMessage: { seq: number } }>(
      server.graphqlUrl,
      SEND,
      { input: { roomId, body: 'queued', clientMessageId: key } },
      { token: who.user.accessToken, headers: { 'x-request-start': `t=${(forwardedAt / 1000).toFixed(3)}` } },
    );

  it('answers UNAVAILABLE without running a send forwarded longer ago than the deadline (30 s here), and runs a fresh one', async () => {
    const pair = await createRoomPair(api, 31);
    players.push(pair.a, pair.b);
    const a = new Chatter(pair.a.user, api.graphqlUrl);
    const late = newClientMessageId();

    const refused = await sendAt(api, a, pair.roomId, late, Date.now() - 35_000);
    expect(codeOf(refused)).toBe('UNAVAILABLE');
    expect(refused.errors![0]!.extensions!.outcome).toBeUndefined();
    expect(ok(await sendAt(api, a, pair.roomId, newClientMessageId(), Date.now() - 100)).sendMessage.seq).toBe(1);
    // Not stored: the same key now stores the message for the first time.
    expect(ok(await a.send(pair.roomId, 'queued', late)).sendMessage.seq).toBe(2);
  });

  it('ignores the header from a peer that is not a trusted proxy, and values in the future or too old to trust', async () => {
    const at = (server: TestServer, forwardedAt: number) =>
      gql<{ __typename: string }>(server.graphqlUrl, '{ __typename }', undefined, {
        headers: { 'x-request-start': `t=${(forwardedAt / 1000).toFixed(3)}` },
      });
    expect(codeOf(await at(api, Date.now() - 35_000))).toBe('UNAVAILABLE');
    expect(ok(await at(api, Date.now() + 60_000)).__typename).toBe('Query');
    expect(ok(await at(api, Date.now() - 120_000)).__typename).toBe('Query');
    const untrusting = await startTestServer({ env: { TRUST_PROXY: '10.0.0.1' } });
    try {
      expect(ok(await at(untrusting, Date.now() - 35_000)).__typename).toBe('Query');
    } finally {
      await untrusting.close();
    }
  });
});
