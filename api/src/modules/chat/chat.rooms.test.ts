import { Chatter, type ChatRoom, type Connection } from '../../../test/utils/chatter';
import { queryDb } from '../../../test/utils/db-query';
import { codes } from '../../../test/utils/graphql';
import { area, MatchPlayer, north } from '../../../test/utils/match-player';
import { readCounter } from '../../../test/utils/metrics';
import { ok } from '../../../test/utils/ok';
import { createRoomPair } from '../../../test/utils/room-pair';
import { subscribeRoom } from '../../../test/utils/room-events';
import { startTestServer, type TestServer } from '../../../test/utils/test-server';
import { uploadImage } from '../../../test/utils/upload';
import { signUpUser } from '../../../test/utils/users';
import { wsClient } from '../../../test/utils/ws-client';

/** Every field of a room and its users (the list and room(id) must agree on all of them). */
const USER = 'id nickname gender birthYear age deleted createdAt email maskedEmail photo { width height }';
const FULL_ROOM = `id peer { ${USER} } lastMessage { id roomId seq body clientMessageId createdAt image { width height } sender { ${USER} } }
  unreadCount lastReadSeq peerLastReadSeq closed closedReason distanceKm createdAt lastActivityAt`;
const SEND_IMAGE = 'mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }';

let api: TestServer;
const players: MatchPlayer[] = [];

/** A signed-up user with an open matchEvents subscription, closed after the file. */
async function player(server: TestServer = api): Promise<MatchPlayer> {
  const p = await MatchPlayer.create(server);
  players.push(p);
  return p;
}

/** A room made by matching `a` (and `b`, else a fresh partner) at `area(areaIndex)`; returns the partner's chat operations too. */
async function roomWith(
  a: MatchPlayer,
  areaIndex: number,
  b?: MatchPlayer,
  server: TestServer = api,
): Promise<{ roomId: string; peer: MatchPlayer; chat: Chatter }> {
  const pair = await createRoomPair(server, areaIndex, { a, b });
  if (!b) players.push(pair.b);
  return { roomId: pair.roomId, peer: pair.b, chat: new Chatter(pair.b.user, server.graphqlUrl) };
}

const chatter = (p: MatchPlayer, server: TestServer = api) => new Chatter(p.user, server.graphqlUrl);

/** Every room of `who`, following endCursor with pages of `first`; fails on a page that does not advance. */
async function walkRooms(who: Chatter, first: number): Promise<{ pages: Connection<ChatRoom>[]; rooms: ChatRoom[] }> {
  const pages: Connection<ChatRoom>[] = [];
  let after: string | null = null;
  for (;;) {
    const page: Connection<ChatRoom> = ok(await who.rooms(first, after)).rooms;
    pages.push(page);
    if (!page.pageInfo.hasNextPage) break;
    expect(page.edges).toHaveLength(first);
    expect(pages.length).toBeLessThan(200);
    after = page.pageInfo.endCursor;
  }
  return { pages, rooms: pages.flatMap((p) => p.edges.map((e) => e.node)) };
}

beforeAll(async () => {
  // No pair memory: the blocking cases need two rooms with the same person, one after the other.
  api = await startTestServer({ env: { MATCH_PAIR_MEMORY_HOURS: '0' } });
});

afterAll(async () => {
  await Promise.all(players.map((p) => p.close()));
  await api.close();
});

describe('the room list', () => {
  it('lists your rooms newest activity first, with the peer, the last message, both read pointers, unread counts and closed', async () => {
    const me = await player();
    const you = chatter(me);
    const r1 = await roomWith(me, 1);
    const r2 = await roomWith(me, 2);
    const r3 = await roomWith(me, 3);
    ok(await r3.chat.leave(r3.roomId));
    const r4 = await roomWith(me, 4);

    for (let i = 1; i <= 3; i++) ok(await r2.chat.send(r2.roomId, `r2-${i}`));
    ok(await you.markRead(r2.roomId, 1));
    ok(await r1.chat.send(r1.roomId, 'r1-1'));
    ok(await r1.chat.send(r1.roomId, 'r1-2'));
    ok(await you.send(r1.roomId, 'r1-3 (mine: moves my pointer)'));
    const r1Last = ok(await r1.chat.send(r1.roomId, 'r1-4')).sendMessage;
    const r2Last = ok(await r2.chat.messages(r2.roomId)).messages.edges.at(-1)!.node;

    const list = ok(await you.rooms()).rooms;
    expect(list.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
    const peer = (p: MatchPlayer) => ({ id: p.id, nickname: 'Tester' });
    expect(list.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({
        id: r1.roomId,
        peer: peer(r1.peer),
        lastMessage: r1Last,
        unreadCount: 1,
        lastReadSeq: 3,
        peerLastReadSeq: 4,
        closed: false,
      }),
      expect.objectContaining({
        id: r2.roomId,
        peer: peer(r2.peer),
        lastMessage: r2Last,
        unreadCount: 2,
        lastReadSeq: 1,
        peerLastReadSeq: 3,
        closed: false,
      }),
      expect.objectContaining({
        id: r4.roomId,
        peer: peer(r4.peer),
        lastMessage: null,
        unreadCount: 0,
        lastReadSeq: 0,
        peerLastReadSeq: 0,
        closed: false,
      }),
      expect.objectContaining({
        id: r3.roomId,
        peer: peer(r3.peer),
        lastMessage: null,
        unreadCount: 0,
        lastReadSeq: 0,
        peerLastReadSeq: 0,
        closed: true,
      }),
    ]);
    expect(list.edges[0]!.node.lastActivityAt).toBe(r1Last.createdAt);
    expect(list.edges[1]!.node.lastActivityAt).toBe(r2Last.createdAt);
    // Each room as room(id) answers it: the list and the single view agree.
    for (const edge of list.edges) expect(ok(await you.room(edge.node.id)).room).toEqual(edge.node);

    // The peers see the same rooms from their side.
    expect(ok(await r1.chat.rooms()).rooms.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({
        id: r1.roomId,
        peer: peer(me),
        lastMessage: r1Last,
        unreadCount: 0,
        lastReadSeq: 4,
        peerLastReadSeq: 3,
      }),
    ]);
    expect(ok(await r2.chat.rooms()).rooms.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({ id: r2.roomId, peer: peer(me), unreadCount: 0, lastReadSeq: 3, peerLastReadSeq: 1 }),
    ]);
  });

  it('moves a room to the top when a message arrives, and a read clears its unread count', async () => {
    const me = await player();
    const you = chatter(me);
    const rooms = [await roomWith(me, 5), await roomWith(me, 6), await roomWith(me, 7)];
    const order = async () => ok(await you.rooms()).rooms.edges.map((e) => e.node.id);
    expect(await order()).toEqual([rooms[2]!.roomId, rooms[1]!.roomId, rooms[0]!.roomId]);

    const oldest = rooms[0]!;
    const sent = ok(await oldest.chat.send(oldest.roomId, 'wake up')).sendMessage;
    expect(await order()).toEqual([rooms[0]!.roomId, rooms[2]!.roomId, rooms[1]!.roomId]);
    expect(ok(await you.rooms(1)).rooms.edges[0]!.node).toMatchObject({
      lastMessage: sent,
      unreadCount: 1,
      lastReadSeq: 0,
    });

    ok(await you.markRead(oldest.roomId, sent.seq));
    expect(ok(await you.rooms(1)).rooms.edges[0]!.node).toMatchObject({
      id: oldest.roomId,
      unreadCount: 0,
      lastReadSeq: 1,
    });
    expect(ok(await oldest.chat.room(oldest.roomId)).room.peerLastReadSeq).toBe(1);

    const middle = rooms[1]!;
    ok(await you.send(middle.roomId, 'my turn'));
    expect(await order()).toEqual([rooms[1]!.roomId, rooms[0]!.roomId, rooms[2]!.roomId]);
  });

  it('walks every room exactly once with first/after, also across rooms with the same lastActivityAt', async () => {
    const me = await player();
    const you = chatter(me);
    const ids: string[] = [];
    for (let i = 8; i < 14; i++) ids.push((await roomWith(me, i)).roomId);
    // Rooms created in the same millisecond tie on lastActivityAt: the cursor must break ties.
    const [tied] = await queryDb<{ t: unknown }>(api.backend, 'SELECT last_activity_at AS t FROM rooms WHERE id = ?', [
      ids[1],
    ]);
    for (const id of ids.slice(2, 5))
      await queryDb(api.backend, 'UPDATE rooms SET last_activity_at = ? WHERE id = ?', [tied!.t, id]);

    const all = ok(await you.rooms(100)).rooms.edges.map((e) => e.node.id);
    expect([...all].sort()).toEqual([...ids].sort());
    for (const first of [1, 2, 4, 6]) {
      const { pages, rooms } = await walkRooms(you, first);
      expect({ first, walked: rooms.map((r) => r.id) }).toEqual({ first, walked: all });
      expect(pages.map((p) => p.pageInfo.hasPreviousPage)).toEqual(pages.map((_, i) => i > 0));
      for (const page of pages) {
        expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
        expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
      }
    }
    const last = await walkRooms(you, 6);
    expect(last.pages).toHaveLength(1);
    expect(last.pages[0]!.pageInfo.hasNextPage).toBe(false);
  });

  it('shows every field as room(id) does: a deleted peer, the closed reason, the distance, a profile and an image-only message you sent', async () => {
    const me = await player();
    const you = chatter(me);
    const [gone, kept] = [await player(), await player()];
    const year = new Date().getUTCFullYear();
    ok(
      await chatter(kept).call('mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { nickname } }', {
        input: { gender: 'FEMALE', birthYear: year - 30 },
      }),
    );
    ok(
      await chatter(kept).call('mutation($id: ID!) { setProfilePhoto(uploadId: $id) { id } }', {
        id: await uploadImage(api.url, kept.user.accessToken),
      }),
    );
    const withGone = await roomWith(me, 25, gone);
    const withKept = await roomWith(me, 26, kept);
    ok(await withGone.chat.send(withGone.roomId, 'bye for good'));
    ok(await withGone.chat.call('mutation($p: String!) { deleteAccount(password: $p) }', { p: gone.user.password }));
    const imageId = await uploadImage(api.url, me.user.accessToken);
    ok(await you.call(SEND_IMAGE, { input: { roomId: withKept.roomId, imageId, clientMessageId: 'image-only' } }));

    const list = ok(await you.call(`{ rooms(first: 10) { edges { node { ${FULL_ROOM} } } } }`)).rooms.edges.map(
      (e: { node: { id: string } }) => e.node,
    );
    const image = { width: expect.any(Number), height: expect.any(Number) };
    expect(list).toEqual([
      expect.objectContaining({
        id: withKept.roomId,
        closed: false,
        closedReason: null,
        distanceKm: expect.any(Number),
        unreadCount: 0,
        peer: {
          id: kept.id,
          nickname: 'Tester',
          gender: 'FEMALE',
          birthYear: year - 30,
          age: 30,
          deleted: false,
          createdAt: expect.any(String),
          email: null,
          maskedEmail: null,
          photo: image,
        },
        // The sender is you: only here does a user in the list carry an email, your own.
        lastMessage: expect.objectContaining({
          seq: 1,
          body: '',
          clientMessageId: 'image-only',
          image,
          sender: expect.objectContaining({
            id: me.id,
            email: me.user.email,
            maskedEmail: expect.stringMatching(/^u\*\*\*.@example\.test$/),
          }),
        }),
      }),
      expect.objectContaining({
        id: withGone.roomId,
        closed: true,
        closedReason: 'ACCOUNT_DELETED',
        unreadCount: 1,
        peer: expect.objectContaining({
          id: gone.id,
          nickname: 'Deleted user',
          deleted: true,
          gender: null,
          birthYear: null,
          email: null,
          photo: null,
        }),
        lastMessage: expect.objectContaining({
          body: 'bye for good',
          image: null,
          sender: expect.objectContaining({ id: gone.id, nickname: 'Deleted user', deleted: true, email: null }),
        }),
      }),
    ]);
    for (const room of list)
      expect(ok(await you.call(`query($id: ID!) { room(id: $id) { ${FULL_ROOM} } }`, { id: room.id })).room).toEqual(
        room,
      );
    // A later page (after a cursor) reads the same fields the same way.
    const second = ok(
      await you.call(`query($after: String) { rooms(first: 1, after: $after) { edges { node { ${FULL_ROOM} } } } }`, {
        after: ok(await you.rooms(1)).rooms.pageInfo.endCursor,
      }),
    ).rooms.edges.map((e: { node: { id: string } }) => e.node);
    expect(second).toEqual([list[1]]);
  });

  it('lists nothing for a user without rooms', async () => {
    const loner = new Chatter(await signUpUser(api.graphqlUrl), api.graphqlUrl);
    expect(ok(await loner.rooms()).rooms).toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    });
  });
});

describe('the room list for many rooms', () => {
  let counted: TestServer;
  let one: Chatter;
  let many: Chatter;
  const MANY = 50;

  /** Creates `count` rooms of `a`, each with two messages from the peer around one of a's: unread 1 everywhere. */
  async function roomsWithMessages(a: MatchPlayer, count: number): Promise<void> {
    const mine = chatter(a, counted);
    for (let i = 0; i < count; i++) {
      // Each pair is complete (both matched, so idle) before the next starts: one area serves them all.
      const pair = await createRoomPair(counted, 0, { a });
      const peer = chatter(pair.b, counted);
      ok(await peer.send(pair.roomId, `hello ${i}`));
      ok(await mine.send(pair.roomId, `hi ${i}`));
      ok(await peer.send(pair.roomId, `bye ${i}`));
      await pair.b.close();
    }
  }

  /**
   * The SQL statements the server ran while answering `call`: the fewest over three runs, since
   * nothing else talks to this server but its own background loops (e.g. a queue poll), which can
   * only add statements to a run, never take any away.
   */
  async function statementsFor(call: () => Promise<unknown>): Promise<number> {
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const before = await readCounter(counted.url, 'db_queries_total');
      await call();
      counts.push((await readCounter(counted.url, 'db_queries_total')) - before);
    }
    return Math.min(...counts);
  }

  beforeAll(async () => {
    // A dedicated instance, so that the statement counter sees nothing but the measured request.
    counted = await startTestServer({ env: { MATCH_REQUESTS_PER_MINUTE: '1000' } });
    const [onePlayer, manyPlayer] = [await MatchPlayer.create(counted), await MatchPlayer.create(counted)];
    await roomsWithMessages(onePlayer, 1);
    await roomsWithMessages(manyPlayer, MANY);
    [one, many] = [chatter(onePlayer, counted), chatter(manyPlayer, counted)];
    await Promise.all([onePlayer.close(), manyPlayer.close()]);
  }, 120_000);

  afterAll(() => counted?.close());

  it('answers rooms with one SQL statement for 1 and for 50 rooms', async () => {
    const oneList = ok(await one.rooms(MANY)).rooms.edges.map((e) => e.node);
    const manyList = ok(await many.rooms(MANY)).rooms.edges.map((e) => e.node);
    // The answers are complete: every peer, last message and counter comes out of the measured statements.
    for (const [list, length] of [
      [oneList, 1],
      [manyList, MANY],
    ] as const) {
      expect(list).toHaveLength(length);
      for (const room of list) {
        expect(room).toMatchObject({ unreadCount: 1, lastReadSeq: 2, peerLastReadSeq: 3, closed: false });
        expect(room.lastMessage).toMatchObject({
          seq: 3,
          body: expect.stringMatching(/^bye \d+$/),
          sender: { id: room.peer.id },
        });
      }
    }
    expect(new Set(manyList.map((r) => r.peer.id)).size).toBe(MANY);

    const forOne = await statementsFor(() => one.rooms(MANY));
    const forMany = await statementsFor(() => many.rooms(MANY));
    console.info(
      `rooms(first: ${MANY}) ran ${forOne} SQL statements for 1 room and ${forMany} for ${MANY} rooms (${counted.backend.kind})`,
    );
    // The page is one SELECT; a statement per room (an N+1 for peers, last messages or counts) would add at least 49.
    expect(forOne).toBe(1);
    expect(forMany).toBe(1);
  });

  it('walks all 50 rooms exactly once, newest activity first, in pages of 7', async () => {
    const { pages, rooms } = await walkRooms(many, 7);
    expect(pages).toHaveLength(Math.ceil(MANY / 7));
    expect(new Set(rooms.map((r) => r.id)).size).toBe(MANY);
    const activity = rooms.map((r) => Date.parse(r.lastActivityAt));
    expect(activity).toEqual([...activity].sort((x, y) => y - x));
  });
});

describe('blocking a user', () => {
  it('closes every open room shared with them (the peer hears PEER_LEFT, sends get CONFLICT) and nothing else, idempotently; the blocker leaves every shared room', async () => {
    const [a, b] = [await player(), await player()];
    const [you, them] = [chatter(a), chatter(b)];
    const left = await roomWith(a, 20, b);
    ok(await them.leave(left.roomId));
    const shared = await roomWith(a, 21, b);
    const other = await roomWith(a, 22);
    ok(await you.send(shared.roomId, 'before the block'));
    const leftRow = await queryDb(api.backend, 'SELECT * FROM rooms WHERE id = ?', [left.roomId]);

    const client = wsClient(api.wsUrl, b.user.accessToken);
    const events = subscribeRoom(client, shared.roomId);
    try {
      await events.untilLive(() => you.typing(shared.roomId));
      expect(ok(await you.block(b.id)).blockUser).toBe(true);
      expect(await events.next((e) => e.type === 'PEER_LEFT')).toMatchObject({ roomId: shared.roomId, userId: a.id });
      await events.untilEnded();
    } finally {
      events.close();
      await client.dispose();
    }

    expect(
      ok(await them.call('query($id: ID!) { room(id: $id) { closed closedReason } }', { id: shared.roomId })).room,
    ).toEqual({ closed: true, closedReason: 'BLOCKED' });
    expect(codes(await them.send(shared.roomId, 'after the block'))).toEqual(['CONFLICT']);
    expect(ok(await them.messages(shared.roomId)).messages.edges.map((e) => e.node.body)).toEqual(['before the block']);
    // The blocker left both shared rooms, also the one b had closed earlier; b still reads the one the block closed.
    for (const roomId of [shared.roomId, left.roomId]) {
      expect(codes(await you.room(roomId))).toEqual(['FORBIDDEN']);
      expect(codes(await you.messages(roomId))).toEqual(['FORBIDDEN']);
      expect(codes(await you.send(roomId, 'after the block'))).toEqual(['FORBIDDEN']);
    }
    expect(ok(await you.rooms()).rooms.edges.map((e) => e.node.id)).toEqual([other.roomId]);
    expect(ok(await them.rooms()).rooms.edges.map((e) => e.node.id)).toEqual([shared.roomId]);
    expect(ok(await you.room(other.roomId)).room.closed).toBe(false);
    ok(await you.send(other.roomId, 'the other room is still open'));
    expect(await queryDb(api.backend, 'SELECT * FROM rooms WHERE id = ?', [left.roomId])).toEqual(leftRow);

    const sharedRow = await queryDb(api.backend, 'SELECT * FROM rooms WHERE id = ?', [shared.roomId]);
    const membersSql = 'SELECT * FROM room_members WHERE room_id IN (?, ?) ORDER BY room_id, user_id';
    const memberRows = await queryDb(api.backend, membersSql, [shared.roomId, left.roomId]);
    expect(ok(await you.block(b.id)).blockUser).toBe(true);
    expect(
      await queryDb(api.backend, 'SELECT blocker_id, blocked_id FROM blocks WHERE blocker_id = ? OR blocked_id = ?', [
        a.id,
        a.id,
      ]),
    ).toEqual([{ blocker_id: a.id, blocked_id: b.id }]);
    expect(await queryDb(api.backend, 'SELECT * FROM rooms WHERE id = ?', [shared.roomId])).toEqual(sharedRow);
    expect(await queryDb(api.backend, membersSql, [shared.roomId, left.roomId])).toEqual(memberRows);
    expect(ok(await you.room(other.roomId)).room.closed).toBe(false);
  });

  it('never offers the two to each other again, while fresh users at the same place are paired with each of them', async () => {
    const [a, b] = [await player(), await player()];
    await roomWith(a, 23, b);
    ok(await chatter(a).block(b.id));
    const [seenA, seenB] = [a.events!.items.length, b.events!.items.length];
    const offersSince = (p: MatchPlayer, seen: number) =>
      p
        .events!.items.slice(seen)
        .filter((d) => d.matchEvents.type === 'OFFERED')
        .map((d) => d.matchEvents.partner?.id);

    const place = area(24);
    expect(ok(await a.request(place, 5)).requestMatch.state).toBe('SEARCHING');
    // Pairing happens on enqueue: had b been eligible for a, this would answer OFFERED.
    expect(ok(await b.request(north(place, 1), 5)).requestMatch.state).toBe('SEARCHING');
    // Controls: both are searching and pairable at this place; fresh users get them, a (waiting longest) first.
    const [c, d] = [await player(), await player()];
    expect(ok(await c.request(north(place, 2), 5)).requestMatch.state).toBe('OFFERED');
    const offerC = await c.next('OFFERED');
    expect(offerC.partner!.id).toBe(a.id);
    expect(ok(await d.request(north(place, 2), 5)).requestMatch.state).toBe('OFFERED');
    const offerD = await d.next('OFFERED');
    expect(offerD.partner!.id).toBe(b.id);
    await Promise.all([a.next('OFFERED', offerC.matchId), b.next('OFFERED', offerD.matchId)]);
    expect(offersSince(a, seenA)).toEqual([c.id]);
    expect(offersSince(b, seenB)).toEqual([d.id]);
  });
});

describe('reporting a user', () => {
  it('stores a report with the trimmed reason and the shared room for the moderators', async () => {
    const reporter = await player();
    const { roomId, peer: reported } = await roomWith(reporter, 40);
    const you = new Chatter(reporter.user, api.graphqlUrl);
    expect(ok(await you.report(reported.id, '  rude and pushy \n', roomId)).reportUser).toBe(true);
    const longest = 'r'.repeat(1000);
    expect(ok(await you.report(reported.id, longest, roomId)).reportUser).toBe(true);
    const rows = await queryDb<{
      reporter_id: string;
      reported_id: string;
      reason: string;
      room_id: string;
      created_at: unknown;
    }>(
      api.backend,
      'SELECT reporter_id, reported_id, reason, room_id, created_at FROM reports WHERE reporter_id = ? ORDER BY created_at, reason',
      [reporter.id],
    );
    expect(rows.map(({ created_at: _, ...row }) => row)).toEqual(
      expect.arrayContaining([
        { reporter_id: reporter.id, reported_id: reported.id, reason: 'rude and pushy', room_id: roomId },
        { reporter_id: reporter.id, reported_id: reported.id, reason: longest, room_id: roomId },
      ]),
    );
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.created_at !== null)).toBe(true);
  });

  it('refuses reports beyond REPORTS_PER_HOUR with RATE_LIMITED, per reporter', async () => {
    const limited = await startTestServer({ env: { REPORTS_PER_HOUR: '2' } });
    const here: MatchPlayer[] = [];
    try {
      const mine = await createRoomPair(limited, 0);
      const target = mine.a;
      const theirs = await createRoomPair(limited, 1, { a: target });
      here.push(mine.a, mine.b, theirs.b);
      const [reporter, other] = [mine.b, theirs.b];
      const you = new Chatter(reporter.user, limited.graphqlUrl);
      expect(codes(await you.report(target.id, 'first', mine.roomId))).toEqual([]);
      expect(codes(await you.report(target.id, 'second', mine.roomId))).toEqual([]);
      const third = await you.report(target.id, 'third', mine.roomId);
      expect(codes(third)).toEqual(['RATE_LIMITED']);
      expect(third.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(0);
      const theirChat = new Chatter(other.user, limited.graphqlUrl);
      expect(codes(await theirChat.report(target.id, 'someone else may', theirs.roomId))).toEqual([]);
      const rows = await queryDb<{ reporter_id: string; reason: string }>(
        limited.backend,
        'SELECT reporter_id, reason FROM reports WHERE reported_id = ? ORDER BY reason',
        [target.id],
      );
      expect(rows).toEqual([
        { reporter_id: reporter.id, reason: 'first' },
        { reporter_id: reporter.id, reason: 'second' },
        { reporter_id: other.id, reason: 'someone else may' },
      ]);
    } finally {
      await Promise.all(here.map((p) => p.close()));
      await limited.close();
    }
  });
});
