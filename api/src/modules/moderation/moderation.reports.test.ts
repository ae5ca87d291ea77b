import { getNamedType, type GraphQLSchema } from 'graphql';
import { createAppSchema } from '../../registry';
import { queryDb } from '../../../test/utils/db-query';
import { codes, gql } from '../../../test/utils/graphql';
import type { MatchPlayer } from '../../../test/utils/match-player';
import { MODERATION_LOG, report, REPORT, REPORTS, RESOLVE, signUpModerator } from '../../../test/utils/moderation';
import { movableClock } from '../../../test/utils/movable-clock';
import { ok } from '../../../test/utils/ok';
import { createRoomPair } from '../../../test/utils/room-pair';
import { startTestServer, type TestServer } from '../../../test/utils/test-server';
import { uploadImage } from '../../../test/utils/upload';
import { setUserRoleByCli } from '../../../test/utils/user-role';
import { signUpUser, type TestUser } from '../../../test/utils/users';
import { Chatter } from '../../../test/utils/chatter';

const HOUR = 3_600_000;

let api: TestServer;
let moderator: TestUser;
const clock = movableClock();
const players: MatchPlayer[] = [];

beforeAll(async () => {
  api = await startTestServer({ clock: clock.read, env: { REPORTS_PER_HOUR: '1000' } });
  moderator = await signUpModerator(api);
});

afterAll(async () => {
  await Promise.all(players.map((p) => p.close()));
  await api?.close();
});

const asModerator = <T = Record<string, any>>(query: string, variables?: Record<string, unknown>) =>
  gql<T>(api.graphqlUrl, query, variables, { token: moderator.accessToken });

async function room(areaIndex: number, a?: MatchPlayer) {
  const pair = await createRoomPair(api, areaIndex, { a });
  players.push(pair.a, pair.b);
  return pair;
}

/** The open reports about a user, as the moderator lists them. */
async function openReportsAbout(userId: string) {
  const { reports } = ok(await asModerator(REPORTS, { status: 'OPEN', first: 100 }));
  return reports.edges.map((e: any) => e.node).filter((r: any) => r.reported.id === userId);
}

const quarantined = async (userId: string) => (await openReportsAbout(userId))[0]?.reportedQuarantined;

describe('reporting from a room', () => {
  it("files a report that carries the room's messages as evidence, images included, with sender ids", async () => {
    const { a, b, roomId } = await room(1);
    const [ca, cb] = [new Chatter(a.user, api.graphqlUrl), new Chatter(b.user, api.graphqlUrl)];
    ok(await ca.send(roomId, 'hello'));
    ok(await cb.send(roomId, 'something nasty'));
    const imageId = await uploadImage(api.url, b.user.accessToken);
    ok(
      await cb.call('mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }', {
        input: { roomId, imageId, clientMessageId: 'img-1' },
      }),
    );
    expect(ok(await report(api, a.user, b.id, roomId, '  insults  ')).reportUser).toBe(true);

    const [listed] = await openReportsAbout(b.id);
    expect(listed).toMatchObject({
      reason: 'insults',
      roomId,
      status: 'OPEN',
      action: null,
      reporter: { id: a.id },
      reported: { id: b.id },
    });
    const read = ok(await asModerator(REPORT, { id: listed.id })).report;
    expect(read.evidencePurged).toBe(false);
    expect(read.evidence.map((m: any) => [m.seq, m.sender.id, m.body, Boolean(m.image?.url)])).toEqual([
      [1, a.id, 'hello', false],
      [2, b.id, 'something nasty', false],
      [3, b.id, '', true],
    ]);
    const image = await fetch(new URL(read.evidence[2].image.url, api.url));
    expect(image.status).toBe(200);
  });

  it('refuses a report from a room the two do not share: FORBIDDEN to outsiders, BAD_USER_INPUT for anyone but the peer', async () => {
    const { a, b, roomId } = await room(2);
    const outsider = await signUpUser(api.graphqlUrl);
    expect(codes(await report(api, outsider, b.id, roomId))).toEqual(['FORBIDDEN']);
    expect(codes(await report(api, a.user, outsider.id, roomId))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await report(api, a.user, a.id, roomId))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await report(api, a.user, b.id, roomId, '   '))).toEqual(['BAD_USER_INPUT']);
    expect(await openReportsAbout(b.id)).toEqual([]);
    expect(await openReportsAbout(outsider.id)).toEqual([]);
  });
});

describe('quarantine', () => {
  it('quarantines an account reported by three distinct users within 24 h, not by two', async () => {
    const first = await room(3);
    const target = first.a;
    ok(await report(api, first.b.user, target.id, first.roomId));
    // The same reporter twice counts once.
    ok(await report(api, first.b.user, target.id, first.roomId, 'again'));
    const second = await room(4, target);
    ok(await report(api, second.b.user, target.id, second.roomId));
    expect(await quarantined(target.id)).toBe(false);

    const third = await room(5, target);
    ok(await report(api, third.b.user, target.id, third.roomId));
    expect(await quarantined(target.id)).toBe(true);
  });

  it('does not count reports older than 24 h', async () => {
    const first = await room(6);
    const target = first.a;
    ok(await report(api, first.b.user, target.id, first.roomId));
    const second = await room(7, target);
    ok(await report(api, second.b.user, target.id, second.roomId));
    clock.advance(25 * HOUR);
    const third = await room(8, target);
    ok(await report(api, third.b.user, target.id, third.roomId));
    expect(await quarantined(target.id)).toBe(false);

    // Two within 24 h of each other are still two; a third recent reporter quarantines.
    const fourth = await room(9, target);
    ok(await report(api, fourth.b.user, target.id, fourth.roomId));
    expect(await quarantined(target.id)).toBe(false);
    const fifth = await room(16, target);
    ok(await report(api, fifth.b.user, target.id, fifth.roomId));
    expect(await quarantined(target.id)).toBe(true);
  });

  it('keeps the quarantine through WARN, shows the warning to the user, and lifts it with DISMISS', async () => {
    const pairs = [await room(10)];
    const target = pairs[0]!.a;
    pairs.push(await room(11, target), await room(12, target));
    // The fourth reporter's room is made first: once quarantined, the target meets only quarantined accounts.
    const again = await room(13, target);
    for (const p of pairs) ok(await report(api, p.b.user, target.id, p.roomId));
    const [open] = await openReportsAbout(target.id);
    expect(open.reportedQuarantined).toBe(true);

    const warned = ok(await asModerator(RESOLVE, { id: open.id, action: 'WARN', note: 'Be kind' })).resolveReport;
    expect(warned).toMatchObject({ status: 'RESOLVED', action: 'WARN', reportedQuarantined: true });
    // Deciding about the user resolves every open report about them.
    expect(await openReportsAbout(target.id)).toEqual([]);
    const me = () =>
      gql(api.graphqlUrl, '{ me { warning { note issuedAt } } }', {}, { token: target.user.accessToken });
    expect(ok(await me()).me.warning).toMatchObject({ note: 'Be kind' });
    expect(
      ok(await gql(api.graphqlUrl, 'mutation { dismissWarning }', {}, { token: target.user.accessToken })),
    ).toEqual({
      dismissWarning: true,
    });
    expect(ok(await me()).me.warning).toBeNull();

    ok(await report(api, again.b.user, target.id, again.roomId));
    const [reopened] = await openReportsAbout(target.id);
    expect(reopened.reportedQuarantined).toBe(true);
    const dismissed = ok(await asModerator(RESOLVE, { id: reopened.id, action: 'DISMISS' })).resolveReport;
    expect(dismissed).toMatchObject({ status: 'RESOLVED', action: 'DISMISS', reportedQuarantined: false });
    expect(codes(await asModerator(RESOLVE, { id: reopened.id, action: 'DISMISS' }))).toEqual(['CONFLICT']);
  });
});

describe('moderator-only operations', () => {
  const operations = (reportId: string): [string, string, Record<string, unknown>][] => [
    ['reports', REPORTS, {}],
    ['report', REPORT, { id: reportId }],
    ['resolveReport', RESOLVE, { id: reportId, action: 'BAN' }],
    ['moderationLog', MODERATION_LOG, {}],
  ];

  it('answers FORBIDDEN to members on every moderator operation, changing and logging nothing', async () => {
    const { a, b, roomId } = await room(14);
    ok(await report(api, a.user, b.id, roomId));
    const [open] = await openReportsAbout(b.id);
    const before = ok(await asModerator(MODERATION_LOG, { first: 100 })).moderationLog.edges.length;
    const schema: GraphQLSchema = await createAppSchema();
    const moderatorOnly = [
      ...Object.values(schema.getQueryType()!.getFields()),
      ...Object.values(schema.getMutationType()!.getFields()),
    ]
      .filter((f) => /^(Report|ReportConnection|ModerationLogConnection)$/.test(getNamedType(f.type).name))
      .map((f) => f.name)
      .sort();
    expect(moderatorOnly).toEqual(['moderationLog', 'report', 'reports', 'resolveReport']);
    for (const who of [a.user, b.user]) {
      for (const [name, query, variables] of operations(open.id)) {
        const res = await gql(api.graphqlUrl, query, variables, { token: who.accessToken });
        expect({ name, codes: codes(res) }).toEqual({ name, codes: ['FORBIDDEN'] });
      }
    }
    expect((await openReportsAbout(b.id))[0]).toMatchObject({ id: open.id, status: 'OPEN' });
    expect(ok(await asModerator(MODERATION_LOG, { first: 100 })).moderationLog.edges).toHaveLength(before);
    // A member sees their own role, never someone else's; a moderator sees anyone's.
    const roleOf = (token: string, id: string) =>
      gql(api.graphqlUrl, 'query($id: ID!) { report(id: $id) { reported { id } } } ', { id }, { token });
    expect(codes(await roleOf(a.user.accessToken, open.id))).toEqual(['FORBIDDEN']);
    expect(ok(await gql(api.graphqlUrl, '{ me { role } }', {}, { token: a.user.accessToken })).me.role).toBe('USER');
    const peerRole = (token: string) =>
      gql(api.graphqlUrl, 'query($id: ID!) { room(id: $id) { peer { role } } }', { id: roomId }, { token });
    expect(ok(await peerRole(a.user.accessToken)).room.peer.role).toBeNull();
    expect(ok(await gql(api.graphqlUrl, '{ me { role } }', {}, { token: moderator.accessToken })).me.role).toBe(
      'MODERATOR',
    );
    // The app learns its role from logIn's payload, which is answered without a token.
    const loggedIn = await gql(
      api.graphqlUrl,
      'mutation($input: LogInInput!) { logIn(input: $input) { user { role } } }',
      { input: { email: moderator.email, password: moderator.password } },
    );
    expect(ok(loggedIn).logIn.user.role).toBe('MODERATOR');
    const seenByModerator = await asModerator('query($id: ID!) { report(id: $id) { reported { role } } }', {
      id: open.id,
    });
    expect(ok(seenByModerator).report.reported.role).toBe('USER');
  });
});

describe('the user:role command', () => {
  it('sets and takes back the role by email, and exits with an error for an unknown email or role', async () => {
    const user = await signUpUser(api.graphqlUrl);
    const role = async () => ok(await gql(api.graphqlUrl, '{ me { role } }', {}, { token: user.accessToken })).me.role;
    expect(await setUserRoleByCli(api.backend, user.email.toUpperCase(), 'MODERATOR')).toBe(
      `${user.email} is now MODERATOR`,
    );
    expect(await role()).toBe('MODERATOR');
    await setUserRoleByCli(api.backend, user.email, 'USER');
    expect(await role()).toBe('USER');
    await expect(setUserRoleByCli(api.backend, 'nobody@example.test', 'MODERATOR')).rejects.toThrow(/no account/);
    await expect(setUserRoleByCli(api.backend, user.email, 'ADMIN')).rejects.toThrow(/usage/);
    expect(await role()).toBe('USER');
    // Four runs of the command, each a Node process loading the API: slow on a busy machine.
  }, 90_000);
});

describe('the audit log', () => {
  it('lists every read of a conversation and every decision, newest first, with the moderator', async () => {
    const { a, b, roomId } = await room(15);
    ok(await report(api, a.user, b.id, roomId));
    const [open] = await openReportsAbout(b.id);
    ok(await asModerator(REPORT, { id: open.id }));
    ok(await asModerator(REPORT, { id: open.id }));
    ok(await asModerator(RESOLVE, { id: open.id, action: 'SUSPEND', hours: 5, note: 'Cool off' }));

    const entries = ok(await asModerator(MODERATION_LOG, { first: 100 }))
      .moderationLog.edges.map((e: any) => e.node)
      .filter((n: any) => n.reportId === open.id);
    expect(entries.map((e: any) => [e.action, e.moderator.id, e.subject.id, e.roomId, e.hours, e.note])).toEqual([
      ['SUSPEND', moderator.id, b.id, roomId, 5, 'Cool off'],
      ['READ_EVIDENCE', moderator.id, b.id, roomId, null, null],
      ['READ_EVIDENCE', moderator.id, b.id, roomId, null, null],
    ]);
    // Pages of one: the cursor walks the same entries.
    const firstPage = ok(await asModerator(MODERATION_LOG, { first: 1 })).moderationLog;
    expect(firstPage.edges).toHaveLength(1);
    expect(firstPage.pageInfo.hasNextPage).toBe(true);
    const next = ok(await asModerator(MODERATION_LOG, { first: 1, after: firstPage.pageInfo.endCursor })).moderationLog;
    expect(next.edges[0].node.id).not.toBe(firstPage.edges[0].node.id);
  });

  it('cannot be edited: no operation changes it, and the database refuses UPDATE and DELETE', async () => {
    const { a, b, roomId } = await room(17);
    ok(await report(api, a.user, b.id, roomId));
    const [open] = await openReportsAbout(b.id);
    ok(await asModerator(REPORT, { id: open.id }));
    const schema = await createAppSchema();
    const touching = Object.values(schema.getMutationType()!.getFields()).filter(
      (f) => /ModerationLog/.test(getNamedType(f.type).name) || /log/i.test(f.name),
    );
    expect(touching.map((f) => f.name)).toEqual(['logIn', 'logOut']);

    const before = await queryDb<{ id: string; action: string }>(api.backend, 'SELECT id, action FROM moderation_log');
    expect(before.length).toBeGreaterThan(0);
    const refusal = (sql: string) =>
      queryDb(api.backend, sql).then(
        () => 'accepted',
        (err: Error) => err.message,
      );
    const triggers =
      api.backend.kind === 'embedded'
        ? "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'moderation_log' ORDER BY name"
        : "SELECT trigger_name AS name FROM information_schema.triggers WHERE event_object_table = 'moderation_log' AND trigger_schema = DATABASE() ORDER BY trigger_name";
    // The triggers are listed too, so that a failure says whether they were there.
    expect({
      update: await refusal("UPDATE moderation_log SET action = 'DISMISS'"),
      delete: await refusal('DELETE FROM moderation_log'),
      triggers: (await queryDb<{ name: string }>(api.backend, triggers)).map((t) => t.name),
    }).toEqual({
      update: expect.stringMatching(/append-only/),
      delete: expect.stringMatching(/append-only/),
      triggers: ['moderation_log_no_delete', 'moderation_log_no_update'],
    });
    const after = await queryDb<{ id: string; action: string }>(api.backend, 'SELECT id, action FROM moderation_log');
    expect(after).toEqual(before);
  });
});
