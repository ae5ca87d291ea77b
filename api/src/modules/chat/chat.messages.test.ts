import { Chatter, MESSAGE_FIELDS, type ChatMessage } from '../../../test/utils/chatter';
import { queryDb } from '../../../test/utils/db-query';
import { codes, gql } from '../../../test/utils/graphql';
import type { MatchPlayer } from '../../../test/utils/match-player';
import { ok } from '../../../test/utils/ok';
import { createRoomPair } from '../../../test/utils/room-pair';
import { subscribeRoom } from '../../../test/utils/room-events';
import { startTestServer, type TestServer } from '../../../test/utils/test-server';
import { runOnSocket } from '../../../test/utils/socket-operation';
import { openAcked, wsClient } from '../../../test/utils/ws-client';

let api: TestServer;
const players: MatchPlayer[] = [];

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

const storedCount = async (roomId: string): Promise<number> =>
  Number(
    (await queryDb<{ n: number }>(api.backend, 'SELECT COUNT(*) AS n FROM messages WHERE room_id = ?', [roomId]))[0]!.n,
  );

beforeAll(async () => {
  api = await startTestServer();
});

afterAll(async () => {
  await Promise.all(players.map((p) => p.close()));
  await api.close();
});

describe('sending a message', () => {
  it('stores the trimmed body under the next seq and returns it with the sender and the client key', async () => {
    const { roomId, a, b } = await room(1);
    const first = ok(await a.send(roomId, '  hello there \n', 'k-1')).sendMessage;
    expect(first).toMatchObject({
      roomId,
      seq: 1,
      body: 'hello there',
      clientMessageId: 'k-1',
      sender: { id: a.id, nickname: 'Tester' },
    });
    expect(Number.isNaN(Date.parse(first.createdAt))).toBe(false);
    const second = ok(await b.send(roomId, 'hi', 'k-1')).sendMessage;
    expect(second.seq).toBe(2);
    expect(second.id).not.toBe(first.id);

    const rows = await queryDb<{ id: string; body: string; sender_id: string }>(
      api.backend,
      'SELECT id, body, sender_id FROM messages WHERE room_id = ? ORDER BY seq',
      [roomId],
    );
    expect(rows).toEqual([
      { id: first.id, body: 'hello there', sender_id: a.id },
      { id: second.id, body: 'hi', sender_id: b.id },
    ]);
  });

  it('rejects an empty, blank or over-long body with BAD_USER_INPUT and stores nothing', async () => {
    const { roomId, a } = await room(2);
    for (const [name, body] of [
      ['empty', ''],
      ['blank', ' \n\t  '],
      ['2001 characters', 'x'.repeat(2001)],
      ['2001 characters between spaces', ` ${'x'.repeat(2001)} `],
      ['only zero-width characters', '\u200b\u200c\u200d\u2060\ufeff'],
      ['only Hangul fillers', '\u3164\u3164'],
      ['a bell character', 'hello\u0007'],
      ['a NUL character', 'a\u0000b'],
    ]) {
      expect({ name, codes: codes(await a.send(roomId, body!)) }).toEqual({ name, codes: ['BAD_USER_INPUT'] });
    }
    expect(await storedCount(roomId)).toBe(0);
  });

  it('keeps line breaks, tabs, emoji sequences and right-to-left text in a body', async () => {
    const { roomId, a } = await room(17);
    for (const body of ['line one\nline two\tend', '👩‍👩‍👧 family', 'שלום עולם', '안녕\u200b하세요']) {
      expect(ok(await a.send(roomId, body)).sendMessage.body).toBe(body);
    }
  });

  it('accepts a body of exactly 2000 characters after trimming', async () => {
    const { roomId, a } = await room(3);
    const body = 'y'.repeat(2000);
    expect(ok(await a.send(roomId, `  ${body}  `)).sendMessage.body).toBe(body);
    expect(ok(await a.send(roomId, 'z')).sendMessage.body).toBe('z');
  });

  it('rejects a clientMessageId that is empty, longer than 64 or outside [A-Za-z0-9._:-] with BAD_USER_INPUT', async () => {
    const { roomId, a } = await room(4);
    for (const key of ['', 'k'.repeat(65), 'has space', 'slash/', 'ümlaut', 'emoji-😀', 'quote"', 'new\nline']) {
      expect({ key, codes: codes(await a.send(roomId, 'hello', key)) }).toEqual({ key, codes: ['BAD_USER_INPUT'] });
    }
    expect(await storedCount(roomId)).toBe(0);
  });

  it('accepts a 64-character clientMessageId made of letters, digits and . _ : -', async () => {
    const { roomId, a } = await room(5);
    const key = 'Az09._:-'.repeat(8);
    expect(ok(await a.send(roomId, 'hello', key)).sendMessage.clientMessageId).toBe(key);
  });
});

describe('sending over the WebSocket', () => {
  it('stores and answers a sendMessage run on the authenticated socket; the peer gets it and an HTTP retry returns it', async () => {
    const { roomId, a, b } = await room(16);
    const peer = wsClient(api.wsUrl, b.user.accessToken);
    const events = subscribeRoom(peer, roomId);
    const { socket } = await openAcked(api.wsUrl, a.user.accessToken);
    try {
      await events.untilLive(() => a.typing(roomId));
      const input = { roomId, body: ' over the socket ', clientMessageId: 'ws-1' };
      const outcome = await runOnSocket(
        socket,
        `mutation($input: SendMessageInput!) { sendMessage(input: $input) { ${MESSAGE_FIELDS} } }`,
        { input },
      );
      expect({ types: outcome.messages.map((m) => m.type), codes: outcome.codes }).toEqual({
        types: ['next', 'complete'],
        codes: [],
      });
      const message: ChatMessage = outcome.messages[0]!.payload.data.sendMessage;
      expect(message).toMatchObject({ roomId, seq: 1, body: 'over the socket', clientMessageId: 'ws-1' });
      expect(message.sender.id).toBe(a.id);
      await events.next((e) => e.message?.id === message.id);
      expect(ok(await a.send(roomId, 'over the socket', 'ws-1')).sendMessage).toEqual(message);
      expect(await storedCount(roomId)).toBe(1);
    } finally {
      socket.close();
      events.close();
      await peer.dispose();
    }
  });
});

describe('retrying a send', () => {
  it('returns the same message for a retry with the same clientMessageId and publishes it once', async () => {
    const { roomId, a, b } = await room(6);
    const client = wsClient(api.wsUrl, b.user.accessToken);
    const events = subscribeRoom(client, roomId);
    try {
      await events.untilLive(() => a.typing(roomId));
      const original = ok(await a.send(roomId, 'once', 'retry-1')).sendMessage;
      const retry = ok(await a.send(roomId, 'once', 'retry-1')).sendMessage;
      expect(retry).toEqual(original);
      // A later message proves the stream has moved past any duplicate the retry could have published.
      const later = ok(await a.send(roomId, 'later')).sendMessage;
      await events.next((e) => e.message?.id === later.id);
      expect(events.messages().map((m) => [m.id, m.seq])).toEqual([
        [original.id, 1],
        [later.id, 2],
      ]);
      expect(await storedCount(roomId)).toBe(2);
    } finally {
      events.close();
      await client.dispose();
    }
  });

  it('gives five concurrent retries the one stored message', async () => {
    const { roomId, a } = await room(7);
    const responses = await Promise.all(Array.from({ length: 5 }, () => a.send(roomId, 'storm', 'storm-1')));
    const messages = responses.map((r) => ok(r).sendMessage);
    expect(new Set(messages.map((m) => `${m.id}/${m.seq}`))).toEqual(new Set([`${messages[0]!.id}/1`]));
    expect(await storedCount(roomId)).toBe(1);
  });

  it('dedupes a retry sent after an access-token refresh (the key belongs to the user, not the token)', async () => {
    const { roomId, a } = await room(8);
    const original = ok(await a.send(roomId, 'before refresh', 'refresh-1')).sendMessage;
    const refreshed = ok(
      await gql<{ refreshToken: { accessToken: string } }>(
        api.graphqlUrl,
        'mutation($t: String) { refreshToken(refreshToken: $t) { accessToken } }',
        {
          t: a.user.refreshToken,
        },
      ),
    ).refreshToken;
    const again = new Chatter({ id: a.id, accessToken: refreshed.accessToken }, api.graphqlUrl);
    expect(ok(await again.send(roomId, 'before refresh', 'refresh-1')).sendMessage).toEqual(original);
    expect(await storedCount(roomId)).toBe(1);
  });

  it('refuses the same clientMessageId with a different body with CONFLICT, keeping the original', async () => {
    const { roomId, a } = await room(9);
    const original = ok(await a.send(roomId, 'first words', 'same-key')).sendMessage;
    expect(codes(await a.send(roomId, 'other words', 'same-key'))).toEqual(['CONFLICT']);
    const history = ok(await a.messages(roomId)).messages.edges.map((e) => e.node);
    expect(history).toEqual([original]);
  });

  it('scopes the key to sender and room: the peer, and the same sender in another room, may reuse it', async () => {
    const { roomId, a, b } = await room(10);
    const mine = ok(await a.send(roomId, 'hello', 'shared-key')).sendMessage;
    const peers = ok(await b.send(roomId, 'hello', 'shared-key')).sendMessage;
    expect(peers.id).not.toBe(mine.id);
    expect(peers.seq).toBe(2);

    const pair = await createRoomPair(api, 11, { a: players.find((p) => p.id === a.id)! });
    players.push(pair.b);
    const elsewhere = ok(await a.send(pair.roomId, 'hello', 'shared-key')).sendMessage;
    expect(elsewhere).toMatchObject({ roomId: pair.roomId, seq: 1 });
    expect(elsewhere.id).not.toBe(mine.id);
  });
});

describe('rate limit', () => {
  it('refuses sends beyond CHAT_MESSAGES_PER_MINUTE with RATE_LIMITED, per user', async () => {
    const limited = await startTestServer({ env: { CHAT_MESSAGES_PER_MINUTE: '3' } });
    const pair = await createRoomPair(limited, 1);
    try {
      const [a, b] = [new Chatter(pair.a.user, limited.graphqlUrl), new Chatter(pair.b.user, limited.graphqlUrl)];
      for (let i = 1; i <= 3; i++) expect(codes(await a.send(pair.roomId, `m${i}`))).toEqual([]);
      expect(codes(await a.send(pair.roomId, 'one too many'))).toEqual(['RATE_LIMITED']);
      expect(ok(await b.send(pair.roomId, 'the peer still may')).sendMessage.seq).toBe(4);
    } finally {
      await Promise.all([pair.a.close(), pair.b.close()]);
      await limited.close();
    }
  });
});

describe('history', () => {
  async function roomWith(
    areaIndex: number,
    count: number,
  ): Promise<{ roomId: string; a: Chatter; b: Chatter; sent: ChatMessage[] }> {
    const r = await room(areaIndex);
    const sent: ChatMessage[] = [];
    for (let i = 1; i <= count; i++)
      sent.push(ok(await (i % 3 === 0 ? r.b : r.a).send(r.roomId, `message ${i}`)).sendMessage);
    return { ...r, sent };
  }

  it('returns an empty first page for a room without messages', async () => {
    const { roomId, a } = await room(12);
    expect(ok(await a.messages(roomId)).messages).toMatchObject({ edges: [], pageInfo: { hasPreviousPage: false } });
    expect(ok(await a.messagesAfter(roomId, 0)).messagesAfter).toEqual([]);
  });

  it('returns the newest messages oldest first, up to 50 by default', async () => {
    const { roomId, b, sent } = await roomWith(13, 7);
    const page = ok(await b.messages(roomId)).messages;
    expect(page.edges.map((e) => e.node)).toEqual(sent);
    expect(page.pageInfo.hasPreviousPage).toBe(false);
    expect(page.pageInfo.startCursor).toBe(page.edges[0]!.cursor);
    expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)!.cursor);
  });

  it('walks back through the whole history with last/before, each message exactly once in seq order', async () => {
    const { roomId, a, sent } = await roomWith(14, 23);
    const pages: number[][] = [];
    let before: string | null = null;
    for (;;) {
      const page: {
        edges: { node: ChatMessage }[];
        pageInfo: { hasPreviousPage: boolean; startCursor: string | null };
      } = ok(await a.messages(roomId, 5, before)).messages;
      pages.unshift(page.edges.map((e) => e.node.seq));
      if (!page.pageInfo.hasPreviousPage) break;
      expect(pages.length).toBeLessThan(10);
      before = page.pageInfo.startCursor;
    }
    expect(pages).toEqual([
      [1, 2, 3],
      [4, 5, 6, 7, 8],
      [9, 10, 11, 12, 13],
      [14, 15, 16, 17, 18],
      [19, 20, 21, 22, 23],
    ]);
    expect(sent.map((m) => m.seq)).toEqual(pages.flat());
  });

  it('returns exactly the messages after afterSeq, in order, at most `first` of them', async () => {
    const { roomId, a, b, sent } = await roomWith(15, 12);
    expect(ok(await a.messagesAfter(roomId, 0)).messagesAfter).toEqual(sent);
    expect(ok(await b.messagesAfter(roomId, 9)).messagesAfter).toEqual(sent.slice(9));
    expect(ok(await b.messagesAfter(roomId, 4, 3)).messagesAfter).toEqual(sent.slice(4, 7));
    expect(ok(await a.messagesAfter(roomId, 12)).messagesAfter).toEqual([]);
  });
});
