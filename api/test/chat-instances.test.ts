import type { Client } from 'graphql-ws';
import { backendKind, createTestBackend, type TestBackend } from './utils/backend';
import { Chatter, type ChatMessage } from './utils/chatter';
import { queryDb } from './utils/db-query';
import { mapBounded } from './utils/map-bounded';
import type { MatchPlayer } from './utils/match-player';
import { ok } from './utils/ok';
import { createRoomPair } from './utils/room-pair';
import { subscribeRoom, type RoomEventStream } from './utils/room-events';
import { spawnInstance, type SpawnedInstance } from './utils/spawn-instance';
import { wsClient } from './utils/ws-client';

const oneTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

const realOnly = backendKind() === 'real' ? describe : describe.skip;

realOnly('chat across two API processes on one MariaDB and Redis', () => {
  let backend: TestBackend;
  let one: SpawnedInstance;
  let two: SpawnedInstance;
  const players: MatchPlayer[] = [];
  const clients: Client[] = [];
  // The concurrency test sends 500 messages within seconds; the rate limit has its own test.
  const instanceEnv = () => ({ ...backend.env, CHAT_MESSAGES_PER_MINUTE: '100000', LOG_LEVEL: 'warn' });

  /** A fresh room made through instance 1; its members' chat operations go to instance 1 unless a call names another. */
  async function room(areaIndex: number): Promise<{ roomId: string; a: Chatter; b: Chatter }> {
    const pair = await createRoomPair(one, areaIndex);
    players.push(pair.a, pair.b);
    return {
      roomId: pair.roomId,
      a: new Chatter(pair.a.user, one.graphqlUrl),
      b: new Chatter(pair.b.user, one.graphqlUrl),
    };
  }

  /** `who`'s roomEvents on a graphql-ws client connected to `instance`; disposed after the file unless the test does it first. */
  function listen(
    who: Chatter,
    roomId: string,
    instance: SpawnedInstance,
  ): { client: Client; events: RoomEventStream } {
    const client = wsClient(instance.wsUrl, who.user.accessToken);
    clients.push(client);
    return { client, events: subscribeRoom(client, roomId) };
  }

  const typingVia = (who: Chatter, roomId: string, instance: SpawnedInstance) =>
    who.call('mutation($roomId: ID!) { setTyping(roomId: $roomId) }', { roomId }, instance.graphqlUrl);

  beforeAll(async () => {
    backend = await createTestBackend();
    [one, two] = await Promise.all([spawnInstance(instanceEnv()), spawnInstance(instanceEnv())]);
  });

  afterAll(async () => {
    await Promise.all(clients.map(async (c) => c.dispose()));
    await Promise.all(players.map((p) => p.close()));
    await Promise.all([one?.stop(), two?.stop()]);
    await backend?.cleanup();
  });

  it('delivers messages sent through either instance to the peer subscribed on the other, in seq order', async () => {
    const { roomId, a, b } = await room(30);
    const ofA = listen(a, roomId, two).events;
    const ofB = listen(b, roomId, one).events;
    await ofA.untilLive(() => typingVia(b, roomId, one));
    await ofB.untilLive(() => typingVia(a, roomId, two));

    const sent: ChatMessage[] = [];
    for (let i = 1; i <= 50; i++) {
      // Each member sends through both instances: a through 1, 2, 1, ...; b through 2, 1, 2, ...
      const [who, via] = i % 2 === 1 ? [a, i % 4 === 1 ? one : two] : [b, i % 4 === 2 ? two : one];
      sent.push(ok(await who.send(roomId, `hop ${i}`, undefined, via.graphqlUrl)).sendMessage);
    }
    expect(sent.map((m) => m.seq)).toEqual(oneTo(50));
    for (const stream of [ofA, ofB]) {
      expect(await stream.untilMessages(50)).toEqual(sent);
      expect(stream.errors).toEqual([]);
    }
  });

  it('delivers 500 messages sent concurrently through both instances to each subscriber exactly once in seq order, stored gapless', async () => {
    const { roomId, a, b } = await room(31);
    const ofA = listen(a, roomId, two).events;
    const ofB = listen(b, roomId, one).events;
    await ofA.untilLive(() => typingVia(b, roomId, one));
    await ofB.untilLive(() => typingVia(a, roomId, two));

    const plan = Array.from({ length: 500 }, (_, i) => (i % 2 === 0 ? { who: a, via: one } : { who: b, via: two }));
    const sent = await mapBounded(
      plan,
      50,
      async ({ who, via }, i) => ok(await who.send(roomId, `burst ${i}`, `burst-${i}`, via.graphqlUrl)).sendMessage,
    );
    const bySeq = [...sent].sort((x, y) => x.seq - y.seq);
    expect(bySeq.map((m) => m.seq)).toEqual(oneTo(500));

    for (const stream of [ofA, ofB]) {
      await stream.untilMessages(500, 30_000);
      expect(stream.messages().map((m) => m.seq)).toEqual(oneTo(500));
      expect(stream.messages()).toEqual(bySeq);
      expect(stream.errors).toEqual([]);
    }
    const rows = await queryDb<{ id: string; seq: number }>(
      backend,
      'SELECT id, seq FROM messages WHERE room_id = ? ORDER BY seq',
      [roomId],
    );
    expect(rows.map((r) => [r.id, Number(r.seq)])).toEqual(bySeq.map((m) => [m.id, m.seq]));
  }, 90_000);

  it('lets a subscriber whose instance stopped reconnect to the other and recover every message sent meanwhile', async () => {
    const doomed = await spawnInstance(instanceEnv());
    try {
      const { roomId, a, b } = await room(32);
      const sent: ChatMessage[] = [];
      const before = listen(b, roomId, doomed).events;
      await before.untilLive(() => a.typing(roomId));
      for (let i = 1; i <= 5; i++) sent.push(ok(await a.send(roomId, `before ${i}`)).sendMessage);
      await before.untilMessages(5);

      // Messages keep flowing through instance 1 while instance 2 shuts down.
      const stopped = doomed.stop();
      for (let i = 1; i <= 5; i++) sent.push(ok(await a.send(roomId, `meanwhile ${i}`)).sendMessage);
      expect(await stopped).toBe(0);
      await before.untilEnded();
      expect(before.errors).toEqual([expect.objectContaining({ code: 1012 })]);
      const seenBefore = before.messages();
      const lastSeen = seenBefore.at(-1)!.seq;
      expect(seenBefore).toEqual(sent.slice(0, lastSeen));

      const after = listen(b, roomId, one).events;
      await after.untilLive(() => a.typing(roomId));
      sent.push(ok(await a.send(roomId, 'after reconnect')).sendMessage);
      await after.untilMessages(1);
      const caughtUp = ok(await b.messagesAfter(roomId, lastSeen)).messagesAfter;

      expect(caughtUp).toEqual(sent.slice(lastSeen));
      expect(after.messages()).toEqual(sent.slice(10));
      const merged = new Map<number, ChatMessage>();
      for (const m of [...seenBefore, ...caughtUp, ...after.messages()]) merged.set(m.seq, m);
      expect([...merged.values()].sort((x, y) => x.seq - y.seq)).toEqual(sent);
      expect(sent.map((m) => m.seq)).toEqual(oneTo(11));
    } finally {
      await doomed.stop();
    }
  });
});
