import type { Client } from 'graphql-ws';
import { Chatter } from '../../../test/utils/chatter';
import { queryDb } from '../../../test/utils/db-query';
import { codes, gql } from '../../../test/utils/graphql';
import { area, type MatchPlayer } from '../../../test/utils/match-player';
import { report, REPORT, REPORTS, signUpModerator } from '../../../test/utils/moderation';
import { ok } from '../../../test/utils/ok';
import { createRoomPair } from '../../../test/utils/room-pair';
import { subscribeRoom } from '../../../test/utils/room-events';
import { startTestServer, type TestServer } from '../../../test/utils/test-server';
import type { TestUser } from '../../../test/utils/users';
import { wsClient } from '../../../test/utils/ws-client';

/**
 * Issue L's rule for leaving: the member who leaves (leaveRoom, nextMatch, a block, account
 * deletion) no longer sees the room at all; the other still reads it, closed, until they leave too;
 * the server keeps it sealed for moderators until the evidence purge.
 */
let api: TestServer;
let moderator: TestUser;
const players: MatchPlayer[] = [];
const clients: Client[] = [];

const NEXT =
  'mutation($input: MatchRequestInput!, $roomId: ID) { nextMatch(input: $input, roomId: $roomId) { state } }';
const DELETE = 'mutation($p: String!) { deleteAccount(password: $p) }';

beforeAll(async () => {
  api = await startTestServer();
  moderator = await signUpModerator(api);
});

afterAll(async () => {
  await Promise.all(clients.map(async (c) => c.dispose()));
  await Promise.all(players.map((p) => p.close()));
  await api.close();
});

/**
 * A room made by matching (fresh players unless `a` is given), with both members' chat operations;
 * the players close after the file.
 */
async function room(areaIndex: number, given: { a?: MatchPlayer } = {}) {
  const pair = await createRoomPair(api, areaIndex, given);
  players.push(...(given.a ? [pair.b] : [pair.a, pair.b]));
  const chatter = (p: MatchPlayer) => new Chatter(p.user, api.graphqlUrl);
  return { roomId: pair.roomId, players: pair, a: chatter(pair.a), b: chatter(pair.b) };
}

/** A new roomEvents subscription of `who` over WebSocket, until the server ends it: its error codes. */
async function streamCodes(who: Chatter, roomId: string): Promise<unknown[]> {
  const client = wsClient(api.wsUrl, who.user.accessToken);
  clients.push(client);
  const events = subscribeRoom(client, roomId);
  await events.untilEnded();
  return events.errorCodes();
}

/** What `who` can still reach of the room: the rooms list, room(id), its history, and its live events. */
async function reach(who: Chatter, roomId: string) {
  return {
    listed: ok(await who.rooms(100)).rooms.edges.some((e) => e.node.id === roomId),
    room: codes(await who.room(roomId)),
    messages: codes(await who.messages(roomId)),
    roomEvents: await streamCodes(who, roomId),
  };
}

const GONE = { listed: false, room: ['FORBIDDEN'], messages: ['FORBIDDEN'], roomEvents: ['FORBIDDEN'] };
const READABLE = { listed: true, room: [], messages: [], roomEvents: [] };

/** The members' left_at columns of a room, by user id (null: still sees the room). */
async function leftAt(roomId: string): Promise<Record<string, boolean>> {
  const rows = await queryDb<{ user_id: string; left_at: unknown }>(
    api.backend,
    'SELECT user_id, left_at FROM room_members WHERE room_id = ?',
    [roomId],
  );
  return Object.fromEntries(rows.map((r) => [r.user_id, r.left_at !== null]));
}

describe('leaving a room', () => {
  it('is gone for the member who left, while the peer still reads it, closed, with its history and read marks', async () => {
    const { roomId, a, b } = await room(1);
    ok(await a.send(roomId, 'hi'));
    const last = ok(await b.send(roomId, 'bye then')).sendMessage;
    expect(ok(await a.leave(roomId)).leaveRoom).toBe(true);

    expect(await reach(a, roomId)).toEqual(GONE);
    expect(await reach(b, roomId)).toEqual(READABLE);
    expect(ok(await b.room(roomId)).room).toMatchObject({ closed: true, lastMessage: last, peer: { id: a.id } });
    expect(ok(await b.messages(roomId)).messages.edges.map((e) => e.node.body)).toEqual(['hi', 'bye then']);
    expect(ok(await b.markRead(roomId, 2)).markRoomRead.lastReadSeq).toBe(2);
    expect(await leftAt(roomId)).toEqual({ [a.id]: true, [b.id]: false });
  });

  it('is gone for the peer too once they leave the closed room (leaveRoom answers false), and stays stored', async () => {
    const { roomId, a, b } = await room(2);
    ok(await a.send(roomId, 'kept as evidence'));
    expect(ok(await a.leave(roomId)).leaveRoom).toBe(true);
    const [closedRoom] = await queryDb(api.backend, 'SELECT closed_at, closed_reason FROM rooms WHERE id = ?', [
      roomId,
    ]);

    expect(ok(await b.leave(roomId)).leaveRoom).toBe(false);
    expect(await reach(b, roomId)).toEqual(GONE);
    expect(await reach(a, roomId)).toEqual(GONE);
    // Nothing is erased before the purge: the room is as a's leave closed it, with its message.
    expect(await leftAt(roomId)).toEqual({ [a.id]: true, [b.id]: true });
    expect(await queryDb(api.backend, 'SELECT closed_at, closed_reason FROM rooms WHERE id = ?', [roomId])).toEqual([
      closedRoom,
    ]);
    expect(await queryDb(api.backend, 'SELECT body FROM messages WHERE room_id = ?', [roomId])).toEqual([
      { body: 'kept as evidence' },
    ]);
    // Retries change nothing.
    expect([ok(await a.leave(roomId)).leaveRoom, ok(await b.leave(roomId)).leaveRoom]).toEqual([false, false]);
  });

  it('keeps the conversation for a moderator through report(id) after both members left, and the member who left may still report it', async () => {
    const { roomId, a, b } = await room(3);
    ok(await b.send(roomId, 'a threat'));
    ok(await a.send(roomId, 'stop'));
    ok(await a.leave(roomId));
    expect(ok(await report(api, a.user, b.id, roomId)).reportUser).toBe(true);
    ok(await b.leave(roomId));
    expect(await reach(a, roomId)).toEqual(GONE);
    expect(await reach(b, roomId)).toEqual(GONE);

    const asModerator = (query: string, variables: Record<string, unknown>) =>
      gql(api.graphqlUrl, query, variables, { token: moderator.accessToken });
    const { reports } = ok(await asModerator(REPORTS, { status: 'OPEN', first: 100 }));
    const reportId = reports.edges.find((e: any) => e.node.roomId === roomId).node.id;
    const read = ok(await asModerator(REPORT, { id: reportId })).report;
    expect(read).toMatchObject({ evidencePurged: false, roomClosedAt: expect.any(String) });
    expect(read.evidence.map((m: any) => [m.sender.id, m.body])).toEqual([
      [b.id, 'a threat'],
      [a.id, 'stop'],
    ]);
  });
});

describe('Next', () => {
  it('hides the room left with nextMatch from the caller, who is searching; the peer keeps it, closed as NEXT', async () => {
    const pair = await room(4);
    ok(await pair.b.send(pair.roomId, 'see you'));
    const input = { latitude: area(5).lat, longitude: area(5).lon, radiusKm: 5 };
    const next = ok(await pair.a.call(NEXT, { input, roomId: pair.roomId })).nextMatch;
    expect(next.state).toBe('SEARCHING');

    expect(await reach(pair.a, pair.roomId)).toEqual(GONE);
    expect(await reach(pair.b, pair.roomId)).toEqual(READABLE);
    expect(ok(await pair.b.call('query($id: ID!) { room(id: $id) { closedReason } }', { id: pair.roomId }))).toEqual({
      room: { closedReason: 'NEXT' },
    });
    // Naming the room again is refused, as for a stranger.
    expect(codes(await pair.a.call(NEXT, { input, roomId: pair.roomId }))).toEqual(['FORBIDDEN']);
  });
});

describe('deleting an account', () => {
  it('erases the profile at once and leaves every room of the account, open and closed; each peer reads theirs until they leave it', async () => {
    const open = await room(6);
    const closed = await room(7, { a: open.players.a });
    const [gone, stays, leftFirst] = [open.a, open.b, closed.b];
    ok(await stays.send(open.roomId, 'are you there?'));
    ok(await leftFirst.send(closed.roomId, 'bye'));
    ok(await leftFirst.leave(closed.roomId));

    ok(await gone.call(DELETE, { p: open.players.a.user.password }));
    const [user] = await queryDb(api.backend, 'SELECT email, nickname, deleted_at FROM users WHERE id = ?', [gone.id]);
    expect(user).toEqual({ email: null, nickname: 'Deleted user', deleted_at: expect.anything() });
    expect(await leftAt(open.roomId)).toEqual({ [gone.id]: true, [stays.id]: false });
    expect(await leftAt(closed.roomId)).toEqual({ [gone.id]: true, [leftFirst.id]: true });
    expect(await queryDb(api.backend, 'SELECT body FROM messages WHERE room_id = ?', [closed.roomId])).toEqual([
      { body: 'bye' },
    ]);

    expect(await reach(stays, open.roomId)).toEqual(READABLE);
    expect(ok(await stays.room(open.roomId)).room).toMatchObject({
      closed: true,
      peer: { id: gone.id, nickname: 'Deleted user' },
    });
    expect(ok(await stays.leave(open.roomId)).leaveRoom).toBe(false);
    expect(await reach(stays, open.roomId)).toEqual(GONE);
  });
});
