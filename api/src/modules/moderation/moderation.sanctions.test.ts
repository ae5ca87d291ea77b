import { backendKind } from '../../../test/utils/backend';
import { Chatter } from '../../../test/utils/chatter';
import { queryDb } from '../../../test/utils/db-query';
import { codes, gql } from '../../../test/utils/graphql';
import { area, type MatchPlayer } from '../../../test/utils/match-player';
import { report, REPORT, REPORTS, RESOLVE, signUpModerator } from '../../../test/utils/moderation';
import { movableClock } from '../../../test/utils/movable-clock';
import { ok } from '../../../test/utils/ok';
import { createRoomPair } from '../../../test/utils/room-pair';
import { startTestServer, type TestServer } from '../../../test/utils/test-server';
import { type TestUser } from '../../../test/utils/users';
import { waitFor } from '../../../test/utils/wait-for';
import { openAcked } from '../../../test/utils/ws-client';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LOG_IN = 'mutation($input: LogInInput!) { logIn(input: $input) { accessToken } }';
const REFRESH = 'mutation($token: String) { refreshToken(refreshToken: $token) { accessToken } }';

let one: TestServer;
/** A second instance on the same database and Redis (real backend); the same one on the embedded default. */
let two: TestServer;
let moderator: TestUser;
const clock = movableClock();
const players: MatchPlayer[] = [];

beforeAll(async () => {
  const env = { EVIDENCE_PURGE_INTERVAL: '200ms', EVIDENCE_RETENTION_DAYS: '90' };
  one = await startTestServer({ clock: clock.read, env });
  two = backendKind() === 'real' ? await startTestServer({ clock: clock.read, env, backend: one.backend }) : one;
  moderator = await signUpModerator(one);
});

afterAll(async () => {
  await Promise.all(players.map((p) => p.close()));
  if (two !== one) await two?.close();
  await one?.close();
});

const asModerator = <T = Record<string, any>>(query: string, variables?: Record<string, unknown>) =>
  gql<T>(one.graphqlUrl, query, variables, { token: moderator.accessToken });

/** A room of two fresh users; `b` is reported by `a` and the open report's id returned. */
async function reportedPair(areaIndex: number) {
  const pair = await createRoomPair(one, areaIndex);
  players.push(pair.a, pair.b);
  ok(await report(one, pair.a.user, pair.b.id, pair.roomId));
  const { reports } = ok(await asModerator(REPORTS, { status: 'OPEN', first: 100 }));
  const reportId: string = reports.edges.find((e: any) => e.node.reported.id === pair.b.id).node.id;
  return { ...pair, reportId };
}

const logIn = (api: TestServer, user: TestUser) =>
  gql(api.graphqlUrl, LOG_IN, { input: { email: user.email, password: user.password } });

describe('a ban', () => {
  it("closes the user's socket on another instance with 4403 within 2 s, refuses their requests, and logIn says why", async () => {
    const { b, reportId } = await reportedPair(20);
    const { closed } = await openAcked(two.wsUrl, b.user.accessToken);
    const started = Date.now();
    ok(await asModerator(RESOLVE, { id: reportId, action: 'BAN', note: 'Harassment' }));
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([closed, new Promise((r) => (timer = setTimeout(() => r('still open'), 2000)))]);
    clearTimeout(timer);
    expect({ code, withinMs: Date.now() - started < 2000 }).toEqual({ code: 4403, withinMs: true });

    expect(codes(await gql(two.graphqlUrl, '{ me { id } }', {}, { token: b.user.accessToken }))).toEqual([
      'UNAUTHENTICATED',
    ]);
    const refreshed = await gql(two.graphqlUrl, REFRESH, { token: b.user.refreshToken });
    expect(refreshed.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'BANNED' });
    const refused = await logIn(two, b.user);
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'BANNED',
      until: null,
      note: 'Harassment',
    });
    clock.advance(365 * DAY);
    expect(codes(await logIn(one, b.user))).toEqual(['FORBIDDEN']);
  });

  it('takes a searching user out of the matching queue at once', async () => {
    const { a, b, roomId, reportId } = await reportedPair(21);
    // a leaves the room so that the two could be offered to each other again.
    ok(await new Chatter(a.user, one.graphqlUrl).leave(roomId));
    expect(ok(await b.request(area(22), 5)).requestMatch.state).toBe('SEARCHING');
    ok(await asModerator(RESOLVE, { id: reportId, action: 'BAN' }));
    // Pairing happens on enqueue: had b still been queued, a would be OFFERED at once.
    expect(ok(await a.request(area(22), 5)).requestMatch.state).toBe('SEARCHING');
  });
});

describe('a suspension', () => {
  it('refuses logIn with the end time until it expires, then logIn works again', async () => {
    const { b, reportId } = await reportedPair(23);
    const decidedAt = clock.read();
    ok(await asModerator(RESOLVE, { id: reportId, action: 'SUSPEND', hours: 2 }));
    const refused = (await logIn(one, b.user)).errors?.[0]?.extensions;
    expect(refused).toMatchObject({ code: 'FORBIDDEN', reason: 'SUSPENDED', note: null });
    const until = new Date(refused!.until).getTime();
    expect(until - decidedAt).toBeGreaterThanOrEqual(2 * HOUR);
    expect(until - decidedAt).toBeLessThan(2 * HOUR + 60_000);

    clock.advance(HOUR);
    expect(codes(await logIn(one, b.user))).toEqual(['FORBIDDEN']);
    clock.advance(HOUR + 60_000);
    expect(ok(await logIn(one, b.user)).logIn.accessToken).toEqual(expect.any(String));
  });

  it('needs hours between 1 and 8760, and only SUSPEND takes hours', async () => {
    const { reportId } = await reportedPair(24);
    for (const hours of [undefined, 0, 8761]) {
      expect(codes(await asModerator(RESOLVE, { id: reportId, action: 'SUSPEND', hours }))).toEqual(['BAD_USER_INPUT']);
    }
    expect(codes(await asModerator(RESOLVE, { id: reportId, action: 'BAN', hours: 3 }))).toEqual(['BAD_USER_INPUT']);
    expect(ok(await asModerator(REPORT, { id: reportId })).report.status).toBe('OPEN');
  });
});

describe('evidence', () => {
  it('stays readable by a moderator after the reporter left the room, and is purged after the retention period', async () => {
    const { a, b, roomId, reportId } = await reportedPair(25);
    const [ca, cb] = [new Chatter(a.user, one.graphqlUrl), new Chatter(b.user, one.graphqlUrl)];
    ok(await cb.send(roomId, 'threat'));
    ok(await ca.send(roomId, 'stop'));
    ok(await ca.leave(roomId));

    const read = ok(await asModerator(REPORT, { id: reportId })).report;
    expect(read.evidence.map((m: any) => [m.sender.id, m.body])).toEqual([
      [b.id, 'threat'],
      [a.id, 'stop'],
    ]);
    expect(read.roomClosedAt).toEqual(expect.any(String));

    clock.advance(89 * DAY);
    await new Promise((r) => setTimeout(r, 500));
    expect(ok(await asModerator(REPORT, { id: reportId })).report.evidence).toHaveLength(2);

    clock.advance(2 * DAY);
    await waitFor(async () => ok(await asModerator(REPORT, { id: reportId })).report.evidencePurged === true, {
      message: 'the evidence was not purged after the retention period',
    });
    expect(ok(await asModerator(REPORT, { id: reportId })).report).toMatchObject({
      evidence: [],
      evidencePurged: true,
      reason: 'rude messages',
    });
    expect(await queryDb(one.backend, 'SELECT id FROM messages WHERE room_id = ?', [roomId])).toEqual([]);
    expect(codes(await ca.messages(roomId))).toEqual(['FORBIDDEN']);
  });
});
