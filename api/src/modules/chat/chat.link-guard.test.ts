import { Chatter, MESSAGE_FIELDS, newClientMessageId } from '../../../test/utils/chatter';
import { queryDb } from '../../../test/utils/db-query';
import { codes } from '../../../test/utils/graphql';
import type { MatchPlayer } from '../../../test/utils/match-player';
import { ok } from '../../../test/utils/ok';
import { createRoomPair } from '../../../test/utils/room-pair';
import { subscribeRoom } from '../../../test/utils/room-events';
import { startTestServer, type TestServer } from '../../../test/utils/test-server';
import { wsClient } from '../../../test/utils/ws-client';
import { MASK } from './link-guard';

const FIELDS = `${MESSAGE_FIELDS} masked`;
const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { ${FIELDS} } }`;
const EVENTS = `subscription($roomId: ID!) { roomEvents(roomId: $roomId) { type roomId userId seq message { ${FIELDS} } } }`;

interface GuardedMessage {
  seq: number;
  body: string;
  masked: string[];
  sender: { id: string };
  clientMessageId: string;
}

let api: TestServer;
const players: MatchPlayer[] = [];

async function room(areaIndex: number) {
  const pair = await createRoomPair(api, areaIndex);
  players.push(pair.a, pair.b);
  return {
    roomId: pair.roomId,
    a: new Chatter(pair.a.user, api.graphqlUrl),
    b: new Chatter(pair.b.user, api.graphqlUrl),
  };
}

const send = (who: Chatter, roomId: string, body: string, clientMessageId = newClientMessageId()) =>
  who.call<{ sendMessage: GuardedMessage }>(SEND, { input: { roomId, body, clientMessageId } });

async function stored(roomId: string) {
  return queryDb<{ seq: number; sender_id: string; body: string; masked: string | null }>(
    api.backend,
    'SELECT seq, sender_id, body, masked FROM messages WHERE room_id = ? ORDER BY seq',
    [roomId],
  );
}

beforeAll(async () => {
  api = await startTestServer();
});

afterAll(async () => {
  await Promise.all(players.map((p) => p.close()));
  await api.close();
});

describe("the link guard on a sender's first messages in a room", () => {
  it('stores and delivers the masked text, tells the sender why, and stops after LINK_GUARD_MESSAGES', async () => {
    const { roomId, a, b } = await room(1);
    const client = wsClient(api.wsUrl, b.user.accessToken);
    const events = subscribeRoom(client, roomId, EVENTS);
    try {
      await events.untilLive(() => a.typing(roomId));
      const spam = 'add me on kakao: open.kakao.com/o/abc or call 010-1234-5678, mail ana@example.com';
      const first = ok(await send(a, roomId, spam)).sendMessage;
      expect(first).toMatchObject({
        body: `add me on kakao: ${MASK} or call ${MASK}, mail ${MASK}`,
        masked: ['LINK', 'EMAIL', 'PHONE'],
      });
      // The peer's replies do not count towards the sender's first messages (and are guarded themselves).
      expect(ok(await send(b, roomId, 'mine is www.peer.kr')).sendMessage).toMatchObject({
        body: `mine is ${MASK}`,
        masked: ['LINK'],
      });
      expect(ok(await send(a, roomId, 'lunch at 12:30? it costs 10,000원. ok.so')).sendMessage).toMatchObject({
        body: 'lunch at 12:30? it costs 10,000원. ok.so',
        masked: [],
      });
      for (let i = 3; i <= 10; i++) ok(await send(a, roomId, `message ${i}: http://spam.example/${i}`));
      const eleventh = ok(await send(a, roomId, 'now you may: http://example.com/x')).sendMessage;
      expect(eleventh).toMatchObject({ body: 'now you may: http://example.com/x', masked: [] });

      const delivered = (await events.untilMessages(12)) as unknown as GuardedMessage[];
      const fromA = delivered.filter((m) => m.sender.id === a.id);
      expect(fromA.map((m) => m.masked)).toEqual([
        ['LINK', 'EMAIL', 'PHONE'],
        [],
        ...Array.from({ length: 8 }, () => ['LINK']),
        [],
      ]);
      expect(fromA[0]!.body).toBe(first.body);
      expect(fromA.slice(2, 10).every((m) => m.body.endsWith(MASK) && !m.body.includes('http'))).toBe(true);
      expect(fromA[10]!.body).toBe('now you may: http://example.com/x');

      const rows = await stored(roomId);
      expect(rows.filter((r) => r.body.includes('spam.example') || r.body.includes('010-1234'))).toEqual([]);
      expect(rows.map((r) => r.masked ?? '')).toEqual(delivered.map((m) => m.masked.join(',')));
      const history = ok(
        await a.call<{ messages: { edges: { node: GuardedMessage }[] } }>(
          `query($roomId: ID!) { messages(roomId: $roomId, last: 50) { edges { node { ${FIELDS} } } } }`,
          { roomId },
        ),
      ).messages.edges.map((e) => e.node);
      expect(history.map((m) => [m.seq, m.body, m.masked])).toEqual(delivered.map((m) => [m.seq, m.body, m.masked]));
      const roomList = ok(
        await b.call<{ room: { lastMessage: GuardedMessage } }>(
          `query($id: ID!) { room(id: $id) { lastMessage { ${FIELDS} } } }`,
          { id: roomId },
        ),
      );
      expect(roomList.room.lastMessage.masked).toEqual([]);
    } finally {
      events.close();
      await client.dispose();
    }
  });

  it('answers a retry with the stored, masked message, and a text that stores differently with CONFLICT', async () => {
    const { roomId, a } = await room(2);
    const key = newClientMessageId();
    const first = ok(await send(a, roomId, 'text me 010 9876 5432', key)).sendMessage;
    expect(first.masked).toEqual(['PHONE']);
    const again = ok(await send(a, roomId, 'text me 010 9876 5432', key)).sendMessage;
    expect(again).toEqual(first);
    // The original text is not kept (no contact data at rest): a retry is recognised by what it stores as.
    expect(ok(await send(a, roomId, 'text me 010 1111 2222', key)).sendMessage).toEqual(first);
    expect(codes(await send(a, roomId, 'text me at 010 9876 5432', key))).toEqual(['CONFLICT']);
    expect(codes(await send(a, roomId, 'text me', key))).toEqual(['CONFLICT']);
    expect(await stored(roomId)).toHaveLength(1);
  });

  it('counts concurrent sends and their retries right: exactly the first 10 of the sender are masked', async () => {
    const { roomId, a, b } = await room(3);
    const sends = Array.from({ length: 16 }, (_, i) => ({ key: newClientMessageId(), body: `link ${i}: x.com/${i}` }));
    // Every send twice at once (a client retrying before the first answer), with the peer sending too.
    const answers = await Promise.all([
      ...sends.flatMap(({ key, body }) => [send(a, roomId, body, key), send(a, roomId, body, key)]),
      ...Array.from({ length: 4 }, (_, i) => send(b, roomId, `peer ${i}: y.com`)),
    ]);
    const sent = answers.map((res) => ok(res).sendMessage);
    for (let i = 0; i < sends.length; i++) expect(sent[2 * i]).toEqual(sent[2 * i + 1]);

    const rows = await stored(roomId);
    expect(rows).toHaveLength(20);
    const fromA = rows.filter((r) => r.sender_id === a.id);
    expect(fromA.map((r) => r.masked)).toEqual([...Array.from({ length: 10 }, () => 'LINK'), ...Array(6).fill(null)]);
    expect(rows.filter((r) => r.sender_id === b.id).every((r) => r.masked === 'LINK')).toBe(true);
    expect(fromA.slice(10).every((r) => /^link \d+: x\.com\/\d+$/.test(r.body))).toBe(true);
  });
});

describe('with LINK_GUARD_MESSAGES=0', () => {
  it('masks nothing', async () => {
    const other = await startTestServer({ env: { LINK_GUARD_MESSAGES: '0' } });
    const pair = await createRoomPair(other, 4);
    try {
      const a = new Chatter(pair.a.user, other.graphqlUrl);
      const sent = ok(
        await a.call<{ sendMessage: GuardedMessage }>(SEND, {
          input: { roomId: pair.roomId, body: 'call 010-1234-5678', clientMessageId: newClientMessageId() },
        }),
      ).sendMessage;
      expect(sent).toMatchObject({ body: 'call 010-1234-5678', masked: [] });
    } finally {
      await Promise.all([pair.a.close(), pair.b.close()]);
      await other.close();
    }
  });
});
