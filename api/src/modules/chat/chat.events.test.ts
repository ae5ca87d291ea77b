import { randomUUID } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { Chatter, MESSAGE_FIELDS, type ChatMessage } from '../../../test/utils/chatter';
import { queryDb } from '../../../test/utils/db-query';
import { codes, gql } from '../../../test/utils/graphql';
import { mapBounded } from '../../../test/utils/map-bounded';
import type { MatchPlayer } from '../../../test/utils/match-player';
import { ok } from '../../../test/utils/ok';
import { createRoomPair } from '../../../test/utils/room-pair';
import { subscribeRoom, type RoomEventStream } from '../../../test/utils/room-events';
import { startTestServer, type TestServer } from '../../../test/utils/test-server';
import { wsClient } from '../../../test/utils/ws-client';

let api: TestServer;
const players: MatchPlayer[] = [];
const clients: Client[] = [];

/** A fresh room between two fresh users, seen through their chat operations; the players close after the file. */
async function room(areaIndex: number): Promise<{ roomId: string; a: Chatter; b: Chatter }> {
  const pair = await createRoomPair(api, areaIndex);
  players.push(pair.a, pair.b);
  return {
    roomId: pair.roomId,
    a: new Chatter(pair.a.user, api.graphqlUrl),
    b: new Chatter(pair.b.user, api.graphqlUrl),
  };
}

/** `who`'s roomEvents on a graphql-ws client of its own; the client is disposed after the file unless the test does it first. */
function listen(who: Chatter, roomId: string, query?: string): { client: Client; events: RoomEventStream } {
  const client = wsClient(api.wsUrl, who.user.accessToken);
  clients.push(client);
  return { client, events: subscribeRoom(client, roomId, query) };
}

const storedCount = async (server: TestServer, roomId: string): Promise<number> =>
  Number(
    (await queryDb<{ n: number }>(server.backend, 'SELECT COUNT(*) AS n FROM messages WHERE room_id = ?', [roomId]))[0]!
      .n,
  );

/**
 * Stores a message as a sender does but never publishes it, as when the sending instance dies
 * between its commit and its publish: a copy of message 1 under the room's next seq.
 */
async function storeUnpublished(roomId: string, seq: number): Promise<void> {
  await queryDb(
    api.backend,
    `INSERT INTO messages (id, room_id, seq, sender_id, client_message_id, body, created_at)
     SELECT ?, room_id, ?, sender_id, ?, ?, created_at FROM messages WHERE room_id = ? AND seq = 1`,
    [randomUUID(), seq, `unpublished-${seq}`, `never published ${seq}`, roomId],
  );
  await queryDb(api.backend, 'UPDATE rooms SET last_seq = ? WHERE id = ?', [seq, roomId]);
}

const oneTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

beforeAll(async () => {
  api = await startTestServer();
});

afterAll(async () => {
  await Promise.all(clients.map(async (c) => c.dispose()));
  await Promise.all(players.map((p) => p.close()));
  await api.close();
});

describe('live messages', () => {
  it("delivers the peer's messages to a subscribed member as MESSAGE events with the full message, in seq order", async () => {
    const { roomId, a, b } = await room(20);
    const { events } = listen(b, roomId);
    await events.untilLive(() => a.typing(roomId));
    const sent: ChatMessage[] = [];
    for (let i = 1; i <= 5; i++) sent.push(ok(await a.send(roomId, `live ${i}`)).sendMessage);

    expect(await events.untilMessages(5)).toEqual(sent);
    expect(sent.map((m) => m.seq)).toEqual(oneTo(5));
    const messageEvents = events.events.filter((e) => e.type === 'MESSAGE');
    expect(messageEvents.map(({ roomId: id, userId, seq }) => ({ id, userId, seq }))).toEqual(
      sent.map(() => ({ id: roomId, userId: null, seq: null })),
    );
    expect(events.errors).toEqual([]);
  });

  it('shows the sender of each live message as they were when they sent it, their email only to themselves (asked through a fragment)', async () => {
    const { roomId, a, b } = await room(21);
    const query = `fragment Own on User { email maskedEmail }
      subscription($roomId: ID!) { roomEvents(roomId: $roomId) { type roomId userId seq
        message { ${MESSAGE_FIELDS} sender { ...Own ... on User { nickname } } } } }`;
    const mine = listen(a, roomId, query).events;
    const peers = listen(b, roomId).events;
    await peers.untilLive(() => a.typing(roomId));
    await mine.untilLive(() => b.typing(roomId));
    const rename = `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { nickname } }`;

    const first = ok(await a.send(roomId, 'before')).sendMessage;
    ok(await gql(api.graphqlUrl, rename, { input: { nickname: 'Renamed' } }, { token: a.user.accessToken }));
    const second = ok(await a.send(roomId, 'after')).sendMessage;

    const email = ok(
      await gql<{ me: { email: string } }>(api.graphqlUrl, 'query { me { email } }', {}, { token: a.user.accessToken }),
    ).me.email;
    const [own1, own2] = (await mine.untilMessages(2)) as (ChatMessage & { sender: Record<string, unknown> })[];
    const [peer1, peer2] = (await peers.untilMessages(2)) as (ChatMessage & { sender: Record<string, unknown> })[];
    expect([first.sender.nickname, second.sender.nickname]).toEqual(['Tester', 'Renamed']);
    expect([peer1!.sender.nickname, peer2!.sender.nickname]).toEqual(['Tester', 'Renamed']);
    expect(own1!.sender).toMatchObject({ nickname: 'Tester', email });
    expect(own2!.sender).toMatchObject({ nickname: 'Renamed', email });
    expect(String(own1!.sender.maskedEmail)).toMatch(/\*\*\*.*@example\.test$/);
    const peerFragment = listen(b, roomId, query).events;
    await peerFragment.untilLive(() => a.typing(roomId));
    ok(await a.send(roomId, 'to the peer'));
    const [toPeer] = (await peerFragment.untilMessages(1)) as (ChatMessage & { sender: Record<string, unknown> })[];
    expect(toPeer!.sender).toMatchObject({ nickname: 'Renamed', email: null, maskedEmail: null });
    expect([...mine.errors, ...peers.errors, ...peerFragment.errors]).toEqual([]);
  });
});

describe('typing', () => {
  it("delivers setTyping to the peer as TYPING with the typer's id, never to the typer's own subscription, and stores nothing", async () => {
    const { roomId, a, b } = await room(21);
    const mine = listen(a, roomId).events;
    const peers = listen(b, roomId).events;
    await mine.untilLive(() => b.typing(roomId));
    await peers.untilLive(() => a.typing(roomId));
    expect(ok(await a.typing(roomId)).setTyping).toBe(true);
    expect(await storedCount(api, roomId)).toBe(0);
    expect(ok(await a.messagesAfter(roomId, 0)).messagesAfter).toEqual([]);
    expect(ok(await b.room(roomId)).room).toMatchObject({
      lastMessage: null,
      unreadCount: 0,
      lastReadSeq: 0,
      peerLastReadSeq: 0,
    });

    // PEER_LEFT is published after every TYPING above and ends both streams: what they hold is final.
    ok(await b.leave(roomId));
    await Promise.all([mine.untilEnded(), peers.untilEnded()]);
    for (const [stream, typer] of [
      [mine, b],
      [peers, a],
    ] as const) {
      const typing = stream.events.slice(0, -1);
      expect(typing.length).toBeGreaterThan(0);
      expect(new Set(typing.map((e) => JSON.stringify(e)))).toEqual(
        new Set([JSON.stringify({ type: 'TYPING', roomId, userId: typer.id, seq: null, message: null })]),
      );
      expect(stream.events.at(-1)).toMatchObject({ type: 'PEER_LEFT', userId: b.id });
    }
  });
});

describe('read receipts', () => {
  it('publishes READ with the reader and seq to the peer, never moving backwards and capped at the last seq', async () => {
    const { roomId, a, b } = await room(22);
    const { events } = listen(a, roomId);
    await events.untilLive(() => b.typing(roomId));
    for (let i = 1; i <= 3; i++) ok(await a.send(roomId, `unread ${i}`));
    expect(ok(await b.room(roomId)).room).toMatchObject({ unreadCount: 3, lastReadSeq: 0, peerLastReadSeq: 3 });

    expect(ok(await b.markRead(roomId, 2)).markRoomRead).toMatchObject({
      unreadCount: 1,
      lastReadSeq: 2,
      peerLastReadSeq: 3,
    });
    expect(await events.next((e) => e.type === 'READ')).toEqual({
      type: 'READ',
      roomId,
      userId: b.id,
      seq: 2,
      message: null,
    });
    expect(ok(await b.markRead(roomId, 1)).markRoomRead).toMatchObject({ unreadCount: 1, lastReadSeq: 2 });
    expect(ok(await b.markRead(roomId, 0)).markRoomRead).toMatchObject({ unreadCount: 1, lastReadSeq: 2 });
    expect(ok(await b.markRead(roomId, 99)).markRoomRead).toMatchObject({
      unreadCount: 0,
      lastReadSeq: 3,
      peerLastReadSeq: 3,
    });
    expect(ok(await b.markRead(roomId, 3)).markRoomRead).toMatchObject({ unreadCount: 0, lastReadSeq: 3 });
    expect(ok(await a.room(roomId)).room).toMatchObject({ unreadCount: 0, lastReadSeq: 3, peerLastReadSeq: 3 });

    // The reply is published after every READ the calls above could cause: once it arrived, they have.
    ok(await b.send(roomId, 'reply'));
    await events.untilMessages(4);
    expect(events.events.filter((e) => e.type === 'READ').map((e) => [e.userId, e.seq])).toEqual([
      [b.id, 2],
      [b.id, 3],
    ]);
    expect(ok(await a.room(roomId)).room).toMatchObject({
      unreadCount: 1,
      lastReadSeq: 3,
      peerLastReadSeq: 4,
      lastMessage: { seq: 4, body: 'reply' },
    });
    expect(ok(await b.room(roomId)).room).toMatchObject({ unreadCount: 0, lastReadSeq: 4, peerLastReadSeq: 3 });
    const listed = ok(await a.rooms())
      .rooms.edges.map((e) => e.node)
      .find((r) => r.id === roomId);
    expect(listed).toMatchObject({ unreadCount: 1, lastReadSeq: 3, peerLastReadSeq: 4, peer: { id: b.id } });
  });
});

describe('leaving a room', () => {
  it("sends PEER_LEFT with the leaver's id to the peer and completes the peer's stream", async () => {
    const { roomId, a, b } = await room(23);
    const { events } = listen(b, roomId);
    await events.untilLive(() => a.typing(roomId));
    expect(ok(await a.leave(roomId)).leaveRoom).toBe(true);

    expect(await events.next((e) => e.type === 'PEER_LEFT')).toEqual({
      type: 'PEER_LEFT',
      roomId,
      userId: a.id,
      seq: null,
      message: null,
    });
    await events.untilEnded();
    expect(events.completed).toBe(true);
    expect(events.errors).toEqual([]);
    expect(events.events.at(-1)!.type).toBe('PEER_LEFT');
  });

  it('refuses sendMessage and setTyping afterwards: CONFLICT for the peer, who still reads the history, FORBIDDEN for the member who left', async () => {
    const { roomId, a, b } = await room(24);
    const sent = [
      ok(await a.send(roomId, 'before', 'before-1')).sendMessage,
      ok(await b.send(roomId, 'leaving now', 'leaving-1')).sendMessage,
    ];
    expect(ok(await b.leave(roomId)).leaveRoom).toBe(true);

    expect(codes(await a.send(roomId, 'too late'))).toEqual(['CONFLICT']);
    expect(codes(await a.typing(roomId))).toEqual(['CONFLICT']);
    expect(ok(await a.messages(roomId)).messages.edges.map((e) => e.node)).toEqual(sent);
    expect(ok(await a.messagesAfter(roomId, 0)).messagesAfter).toEqual(sent);
    expect(ok(await a.room(roomId)).room.closed).toBe(true);
    expect(ok(await a.rooms()).rooms.edges.find((e) => e.node.id === roomId)?.node.closed).toBe(true);
    // The ack of a message stored before the close may have been lost: the peer's retry still returns it.
    expect(ok(await a.send(roomId, 'before', 'before-1')).sendMessage).toEqual(sent[0]);

    // The room is gone for b, a retry of b's own stored message included.
    for (const refused of [
      await b.send(roomId, 'too late'),
      await b.send(roomId, 'leaving now', 'leaving-1'),
      await b.typing(roomId),
      await b.messages(roomId),
      await b.messagesAfter(roomId, 0),
      await b.room(roomId),
    ])
      expect({ codes: codes(refused), data: refused.data ?? null }).toEqual({ codes: ['FORBIDDEN'], data: null });
    expect(ok(await b.rooms()).rooms.edges).toEqual([]);
    expect(await storedCount(api, roomId)).toBe(2);
  });

  it("completes the peer's new roomEvents subscription on the closed room at once, with no event, and refuses the leaver's with FORBIDDEN", async () => {
    const { roomId, a, b } = await room(25);
    ok(await a.leave(roomId));
    const peers = listen(b, roomId).events;
    await peers.untilEnded();
    expect({ completed: peers.completed, events: peers.events, errors: peers.errors }).toEqual({
      completed: true,
      events: [],
      errors: [],
    });
    const leavers = listen(a, roomId).events;
    await leavers.untilEnded();
    expect({ codes: leavers.errorCodes(), events: leavers.events }).toEqual({ codes: ['FORBIDDEN'], events: [] });
  });

  it('answers a second leaveRoom, by either member, with false', async () => {
    const { roomId, a, b } = await room(26);
    expect(ok(await a.leave(roomId)).leaveRoom).toBe(true);
    expect(ok(await a.leave(roomId)).leaveRoom).toBe(false);
    expect(ok(await b.leave(roomId)).leaveRoom).toBe(false);
  });
});

describe('messages whose publish never arrives', () => {
  it('delivers a stored message that was never published from the database, in its place before the next one', async () => {
    const { roomId, a, b } = await room(29);
    const { events } = listen(b, roomId);
    await events.untilLive(() => a.typing(roomId));
    ok(await a.send(roomId, 'published'));
    await events.untilMessages(1);
    await storeUnpublished(roomId, 2);
    ok(await a.send(roomId, 'published again'));

    const history = ok(await b.messagesAfter(roomId, 0)).messagesAfter;
    expect(history.map((m) => [m.seq, m.body])).toEqual([
      [1, 'published'],
      [2, 'never published 2'],
      [3, 'published again'],
    ]);
    expect(await events.untilMessages(3)).toEqual(history);
  });

  it('delivers a stored message that was never published before PEER_LEFT', async () => {
    const { roomId, a, b } = await room(33);
    const { events } = listen(b, roomId);
    await events.untilLive(() => a.typing(roomId));
    ok(await a.send(roomId, 'published'));
    await events.untilMessages(1);
    await storeUnpublished(roomId, 2);
    ok(await a.leave(roomId));

    await events.untilEnded();
    const history = ok(await b.messagesAfter(roomId, 0)).messagesAfter;
    expect(events.messages()).toEqual(history);
    expect(events.events.filter((e) => e.type !== 'TYPING').map((e) => [e.type, e.message?.seq ?? null])).toEqual([
      ['MESSAGE', 1],
      ['MESSAGE', 2],
      ['PEER_LEFT', null],
    ]);
  });
});

describe('many concurrent senders', () => {
  it('delivers 500 concurrent messages to each subscriber exactly once in seq order, stores them gapless, and dedupes their retries', async () => {
    // A burst of 500 sends checks delivery and ordering, not deadlines: on a loaded CI machine a wait
    // for a pooled connection past 1.5 s answered one UNAVAILABLE (the deadlines have their own tests).
    const fast = await startTestServer({
      env: {
        CHAT_MESSAGES_PER_MINUTE: '100000',
        OPERATION_DEADLINE: '30s',
        DATABASE_TIMEOUT: '10s',
        REDIS_TIMEOUT: '10s',
      },
    });
    const pair = await createRoomPair(fast, 27);
    const roomId = pair.roomId;
    const [a, b] = [new Chatter(pair.a.user, fast.graphqlUrl), new Chatter(pair.b.user, fast.graphqlUrl)];
    const [clientA, clientB] = [wsClient(fast.wsUrl, a.user.accessToken), wsClient(fast.wsUrl, b.user.accessToken)];
    try {
      const [ofA, ofB] = [subscribeRoom(clientA, roomId), subscribeRoom(clientB, roomId)];
      await ofA.untilLive(() => b.typing(roomId));
      await ofB.untilLive(() => a.typing(roomId));

      const plan = Array.from({ length: 500 }, (_, i) => ({
        who: i % 2 === 0 ? a : b,
        body: `concurrent ${i}`,
        key: `burst-${i}`,
      }));
      const sent = await mapBounded(
        plan,
        50,
        async ({ who, body, key }) => ok(await who.send(roomId, body, key)).sendMessage,
      );
      expect(sent.map((m) => m.seq).sort((x, y) => x - y)).toEqual(oneTo(500));
      const bySeq = [...sent].sort((x, y) => x.seq - y.seq);

      for (const stream of [ofA, ofB]) {
        await stream.untilMessages(500, 30_000);
        expect(stream.messages().map((m) => m.seq)).toEqual(oneTo(500));
        expect(stream.messages()).toEqual(bySeq);
      }
      const rows = await queryDb<{ id: string; seq: number }>(
        fast.backend,
        'SELECT id, seq FROM messages WHERE room_id = ? ORDER BY seq',
        [roomId],
      );
      expect(rows.map((r) => [r.id, Number(r.seq)])).toEqual(bySeq.map((m) => [m.id, m.seq]));

      const retried = await mapBounded(
        plan,
        50,
        async ({ who, body, key }) => ok(await who.send(roomId, body, key)).sendMessage,
      );
      expect(retried).toEqual(sent);
      expect(await storedCount(fast, roomId)).toBe(500);
      // PEER_LEFT is published after every retry returned and ends both streams: what they hold is final.
      ok(await a.leave(roomId));
      await Promise.all([ofA.untilEnded(), ofB.untilEnded()]);
      expect([ofA.messages().length, ofB.messages().length]).toEqual([500, 500]);
      expect([ofA.errors, ofB.errors, ofA.completed, ofB.completed]).toEqual([[], [], true, true]);
    } finally {
      await Promise.all([clientA.dispose(), clientB.dispose()]);
      await Promise.all([pair.a.close(), pair.b.close()]);
      await fast.close();
    }
  }, 90_000);
});

describe('reconnecting', () => {
  it('recovers exactly the messages missed while disconnected with messagesAfter, merging by seq into 1..N', async () => {
    const { roomId, a, b } = await room(28);
    const sent: ChatMessage[] = [];
    const first = listen(b, roomId);
    await first.events.untilLive(() => a.typing(roomId));
    for (let i = 1; i <= 5; i++) sent.push(ok(await a.send(roomId, `before ${i}`)).sendMessage);
    await first.events.untilMessages(5);
    await first.client.dispose();
    const lastSeen = Math.max(...first.events.messages().map((m) => m.seq));

    // Meanwhile the peer writes, and so does b from another device.
    for (let i = 1; i <= 5; i++) sent.push(ok(await a.send(roomId, `missed ${i}`)).sendMessage);
    sent.push(ok(await b.send(roomId, 'from my phone')).sendMessage);

    const second = listen(b, roomId);
    await second.events.untilLive(() => a.typing(roomId));
    // Arrives live before the catch-up call, so the two overlap: merging by seq must absorb that.
    sent.push(ok(await a.send(roomId, 'after reconnect')).sendMessage);
    await second.events.untilMessages(1);
    const caughtUp = ok(await b.messagesAfter(roomId, lastSeen)).messagesAfter;

    expect(lastSeen).toBe(5);
    expect(first.events.messages()).toEqual(sent.slice(0, 5));
    expect(caughtUp).toEqual(sent.slice(5));
    expect(second.events.messages()).toEqual(sent.slice(11));
    const merged = new Map<number, ChatMessage>();
    for (const m of [...first.events.messages(), ...caughtUp, ...second.events.messages()]) {
      expect(merged.get(m.seq) ?? m).toEqual(m);
      merged.set(m.seq, m);
    }
    expect([...merged.keys()].sort((x, y) => x - y)).toEqual(oneTo(12));
    expect([...merged.values()].sort((x, y) => x.seq - y.seq)).toEqual(sent);
  });
});
