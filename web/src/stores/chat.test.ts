import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { ServerMessage } from '../chat/merge';
import { serverMessage } from '../test/messages';
import { FakeServer, GqlError, freshPinia, session, waitFor } from '../test/fakeApi';
import { useAuthStore } from './auth';
import { useChatStore } from './chat';
import { useRoomsStore } from './rooms';

const ROOM = 'r1';
const msg = serverMessage;
const room = (over: Record<string, unknown> = {}) => ({
  id: ROOM,
  closed: false,
  closedReason: null,
  distanceKm: 5,
  unreadCount: 0,
  lastReadSeq: 0,
  peerLastReadSeq: 0,
  lastActivityAt: new Date().toISOString(),
  createdAt: new Date().toISOString(),
  peer: { id: 'peer', nickname: 'Bo', age: null, gender: null, deleted: false, photo: null },
  lastMessage: null,
  ...over,
});

/** A tiny in-memory room on the fake server: stored messages, idempotent by clientMessageId. */
function serveRoom(server: FakeServer, stored: ServerMessage[]) {
  server.handlers.Room = () => ({ room: room({ lastMessage: stored.at(-1) ?? null }) });
  server.handlers.Rooms = () => ({
    rooms: {
      edges: [{ node: room({ lastMessage: stored.at(-1) ?? null }) }],
      pageInfo: { hasNextPage: false, endCursor: null },
    },
  });
  server.handlers.Messages = (v) => {
    const before = v.before ? Number(v.before) : Infinity;
    const older = stored.filter((m) => m.seq < before);
    const page = older.slice(-Number(v.last));
    return {
      messages: {
        edges: page.map((node) => ({ node })),
        pageInfo: { hasPreviousPage: older.length > page.length, startCursor: page[0] ? String(page[0].seq) : null },
      },
    };
  };
  server.handlers.MessagesAfter = (v) => ({
    messagesAfter: stored.filter((m) => m.seq > Number(v.afterSeq)).slice(0, Number(v.first)),
  });
  server.handlers.MarkRoomRead = (v) => ({ markRoomRead: { id: ROOM, unreadCount: 0, lastReadSeq: v.seq } });
  server.handlers.SetTyping = () => ({ setTyping: true });
  server.handlers.SendMessage = (v) => {
    const input = v.input as { clientMessageId: string; body?: string };
    const existing = stored.find((m) => m.sender.id === 'me' && m.clientMessageId === input.clientMessageId);
    if (existing) return { sendMessage: existing };
    const m = { ...msg(stored.length + 1, 'me', input.clientMessageId), body: input.body ?? '' };
    stored.push(m);
    return { sendMessage: m };
  };
}

let server: FakeServer;
beforeEach(async () => {
  server = new FakeServer();
  freshPinia(server);
  server.handlers.RefreshSession = () => ({ refreshToken: session('me') });
  await useAuthStore().restore();
});
afterEach(() => {
  useChatStore().reset();
  useRoomsStore().reset();
  useAuthStore().clear();
});

const seqs = () =>
  useChatStore()
    .thread(ROOM)
    .messages.map((m) => m.seq);

describe('opening a room', () => {
  it('loads the latest page, follows the room live and marks it read', async () => {
    const stored = Array.from({ length: 40 }, (_, i) => msg(i + 1));
    serveRoom(server, stored);
    await useChatStore().open(ROOM);
    expect(seqs()).toEqual(stored.slice(-30).map((m) => m.seq));
    expect(useChatStore().thread(ROOM).hasOlder).toBe(true);
    expect(server.subscribers('RoomEvents')).toBe(1);
    await waitFor(() => server.count('MarkRoomRead') === 1);
    expect(server.calls.find((c) => c.operation === 'MarkRoomRead')?.variables).toEqual({ roomId: ROOM, seq: 40 });
  });

  it('loads older history on scroll-up, in order and without duplicates', async () => {
    serveRoom(
      server,
      Array.from({ length: 70 }, (_, i) => msg(i + 1)),
    );
    const chat = useChatStore();
    await chat.open(ROOM);
    await chat.loadOlder(ROOM);
    await chat.loadOlder(ROOM);
    expect(seqs()).toEqual(Array.from({ length: 70 }, (_, i) => i + 1));
    expect(chat.thread(ROOM).hasOlder).toBe(false);
  });
});

describe('live events and reconnects', () => {
  it('catches up with messagesAfter after a reconnect: no gap, no duplicate', async () => {
    const stored = [msg(1), msg(2), msg(3)];
    serveRoom(server, stored);
    const chat = useChatStore();
    await chat.open(ROOM);
    // while the socket is away, 4..6 are stored; 6 arrives live once the socket is back
    stored.push(msg(4), msg(5), msg(6));
    server.emit('RoomEvents', {
      roomEvents: { type: 'MESSAGE', roomId: ROOM, message: msg(6), userId: null, seq: null, reason: null },
    });
    server.reconnect();
    await waitFor(() => seqs().length === 6);
    expect(seqs()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(server.calls.filter((c) => c.operation === 'MessagesAfter').map((c) => c.variables.afterSeq)).toContain(3);
  });

  it('retries the catch-up after a reconnect while the API answers UNAVAILABLE, and refreshes the room list', async () => {
    const stored = [msg(1)];
    serveRoom(server, stored);
    const chat = useChatStore();
    await chat.open(ROOM);
    stored.push(msg(2));
    const after = server.handlers.MessagesAfter!;
    let refusals = 2;
    server.handlers.MessagesAfter = (v) => {
      if (refusals-- > 0) throw new GqlError('UNAVAILABLE', { retryAfterMs: 1 });
      return after(v);
    };
    const roomsBefore = server.count('Rooms');
    server.reconnect();
    await waitFor(() => seqs().length === 2);
    expect(server.count('MessagesAfter')).toBe(3);
    await waitFor(() => server.count('Rooms') === roomsBefore + 1);
  });

  it('fills a gap seen in the live stream even without a reconnect event', async () => {
    const stored = [msg(1)];
    serveRoom(server, stored);
    await useChatStore().open(ROOM);
    stored.push(msg(2), msg(3));
    server.emit('RoomEvents', {
      roomEvents: { type: 'MESSAGE', roomId: ROOM, message: msg(3), userId: null, seq: null, reason: null },
    });
    await waitFor(() => seqs().length === 3);
    expect(seqs()).toEqual([1, 2, 3]);
  });

  it('shows TYPING from the peer for a few seconds and updates "seen" from READ', async () => {
    serveRoom(server, [msg(1, 'me')]);
    const chat = useChatStore();
    await chat.open(ROOM);
    server.emit('RoomEvents', {
      roomEvents: { type: 'TYPING', roomId: ROOM, userId: 'peer', message: null, seq: null, reason: null },
    });
    expect(chat.thread(ROOM).peerTypingUntil).toBeGreaterThan(Date.now());
    server.emit('RoomEvents', {
      roomEvents: { type: 'READ', roomId: ROOM, userId: 'peer', seq: 1, message: null, reason: null },
    });
    expect(useRoomsStore().byId[ROOM]?.peerLastReadSeq).toBe(1);
  });

  it('closes the room on PEER_LEFT with its reason', async () => {
    serveRoom(server, []);
    await useChatStore().open(ROOM);
    server.emit('RoomEvents', {
      roomEvents: { type: 'PEER_LEFT', roomId: ROOM, userId: 'peer', reason: 'BLOCKED', message: null, seq: null },
    });
    expect(useRoomsStore().byId[ROOM]).toMatchObject({ closed: true, closedReason: 'BLOCKED' });
  });
});

describe('sending', () => {
  it('shows the message at once, then replaces it with the stored one', async () => {
    serveRoom(server, []);
    const chat = useChatStore();
    await chat.open(ROOM);
    const sending = chat.send(ROOM, '  hello  ');
    expect(chat.thread(ROOM).pending).toMatchObject([{ body: 'hello', state: 'sending' }]);
    await sending;
    expect(chat.thread(ROOM).pending).toEqual([]);
    expect(chat.thread(ROOM).messages).toMatchObject([{ seq: 1, body: 'hello', sender: { id: 'me' } }]);
    expect(useRoomsStore().byId[ROOM]?.lastMessage?.seq).toBe(1);
  });

  const sentIds = () =>
    server.calls
      .filter((c) => c.operation === 'SendMessage')
      .map((c) => (c.variables.input as { clientMessageId: string }).clientMessageId);

  it('keeps a send whose answer was lost pending and sends it again when the connection is back, stored once', async () => {
    const stored: ServerMessage[] = [];
    serveRoom(server, stored);
    const chat = useChatStore();
    await chat.open(ROOM);
    const send = server.handlers.SendMessage!;
    // the server stores the message but the answer is lost
    server.handlers.SendMessage = (v) => {
      send(v);
      throw new Error('connection reset');
    };
    const sending = chat.send(ROOM, 'hi');
    await waitFor(() => server.count('SendMessage') === 1);
    const [pending] = chat.thread(ROOM).pending;
    expect(pending).toMatchObject({ state: 'sending', error: null });
    server.handlers.SendMessage = send;
    server.reconnect();
    await sending;
    expect(sentIds()).toEqual([pending!.clientMessageId, pending!.clientMessageId]);
    expect(stored).toHaveLength(1);
    expect(seqs()).toEqual([1]);
    expect(chat.thread(ROOM).pending).toEqual([]);
  });

  it('waits the retryAfterMs of UNAVAILABLE answers and tries again until acked', async () => {
    serveRoom(server, []);
    const chat = useChatStore();
    await chat.open(ROOM);
    const send = server.handlers.SendMessage!;
    let refusals = 2;
    server.handlers.SendMessage = (v) => {
      if (refusals-- > 0) throw new GqlError('UNAVAILABLE', { retryAfterMs: 1 });
      return send(v);
    };
    await chat.send(ROOM, 'hi');
    expect(new Set(sentIds()).size).toBe(1);
    expect(sentIds()).toHaveLength(3);
    expect(seqs()).toEqual([1]);
    expect(chat.thread(ROOM).pending).toEqual([]);
  });

  it('marks a send refused for what it is failed at once, without retrying it', async () => {
    serveRoom(server, []);
    const chat = useChatStore();
    await chat.open(ROOM);
    server.handlers.SendMessage = () => {
      throw new GqlError('BAD_USER_INPUT', { field: 'input.body' });
    };
    await chat.send(ROOM, 'hi');
    expect(chat.thread(ROOM).pending).toMatchObject([{ state: 'failed', error: 'BAD_USER_INPUT' }]);
    expect(server.count('SendMessage')).toBe(1);
  });

  it('sends the messages of a room in the order written, later ones waiting behind a retried one', async () => {
    const stored: ServerMessage[] = [];
    serveRoom(server, stored);
    const chat = useChatStore();
    await chat.open(ROOM);
    const send = server.handlers.SendMessage!;
    server.handlers.SendMessage = () => {
      throw new Error('Failed to fetch');
    };
    const first = chat.send(ROOM, 'one');
    const second = chat.send(ROOM, 'two');
    await waitFor(() => server.count('SendMessage') === 1);
    expect(chat.thread(ROOM).pending.map((p) => [p.body, p.state])).toEqual([
      ['one', 'sending'],
      ['two', 'sending'],
    ]);
    server.handlers.SendMessage = send;
    server.reconnect();
    await Promise.all([first, second]);
    expect(stored.map((m) => m.body)).toEqual(['one', 'two']);
    expect(server.count('SendMessage')).toBe(3);
  });

  it('stops retrying a send when the user logs out', async () => {
    serveRoom(server, []);
    const chat = useChatStore();
    await chat.open(ROOM);
    server.handlers.SendMessage = () => {
      throw new Error('Failed to fetch');
    };
    const sending = chat.send(ROOM, 'hi');
    await waitFor(() => server.count('SendMessage') === 1);
    chat.reset();
    await sending;
    expect(server.count('SendMessage')).toBe(1);
  });

  it('retries a failed send by hand with the same clientMessageId', async () => {
    const stored: ServerMessage[] = [];
    serveRoom(server, stored);
    const chat = useChatStore();
    await chat.open(ROOM);
    const send = server.handlers.SendMessage!;
    server.handlers.SendMessage = () => {
      throw new GqlError('INTERNAL_SERVER_ERROR');
    };
    await chat.send(ROOM, 'hi');
    const [failed] = chat.thread(ROOM).pending;
    expect(failed).toMatchObject({ state: 'failed', error: 'INTERNAL_SERVER_ERROR' });
    server.handlers.SendMessage = send;
    await chat.retry(ROOM, failed!.clientMessageId);
    expect(sentIds()).toEqual([failed!.clientMessageId, failed!.clientMessageId]);
    expect(stored).toHaveLength(1);
    expect(chat.thread(ROOM).pending).toEqual([]);
  });

  it('uploads an image once, also across retries', async () => {
    serveRoom(server, []);
    const chat = useChatStore();
    await chat.open(ROOM);
    const send = server.handlers.SendMessage!;
    server.handlers.SendMessage = () => {
      throw new GqlError('RATE_LIMITED', { retryAfterSeconds: 3 });
    };
    await chat.send(ROOM, '', new Blob(['x']));
    const [failed] = chat.thread(ROOM).pending;
    expect(failed).toMatchObject({ state: 'failed', error: 'RATE_LIMITED', imageId: 'upload-1' });
    server.handlers.SendMessage = send;
    await chat.retry(ROOM, failed!.clientMessageId);
    expect(server.uploads).toBe(1);
    expect(server.calls.filter((c) => c.operation === 'SendMessage').at(-1)?.variables.input).toMatchObject({
      imageId: 'upload-1',
    });
  });

  it('sends typing notices at most once per interval', async () => {
    serveRoom(server, []);
    const chat = useChatStore();
    chat.typing(ROOM);
    chat.typing(ROOM);
    chat.typing(ROOM);
    await waitFor(() => server.count('SetTyping') === 1);
    expect(server.count('SetTyping')).toBe(1);
  });
});

describe('leaving', () => {
  it('drops a room it left from the list, its live stream and its thread', async () => {
    serveRoom(server, [msg(1)]);
    server.handlers.LeaveRoom = () => ({ leaveRoom: true });
    const [chat, rooms] = [useChatStore(), useRoomsStore()];
    await chat.open(ROOM);
    expect(server.subscribers('RoomEvents')).toBe(1);
    await chat.leave(ROOM);
    expect(server.calls.filter((c) => c.operation === 'LeaveRoom').map((c) => c.variables)).toEqual([{ roomId: ROOM }]);
    expect(rooms.byId[ROOM]).toBeUndefined();
    expect(chat.threads[ROOM]).toBeUndefined();
    await waitFor(() => server.subscribers('RoomEvents') === 0);
  });

  it('deletes a closed room with leaveRoom (answered false) the same way', async () => {
    serveRoom(server, [msg(1)]);
    server.handlers.Room = () => ({ room: room({ closed: true, closedReason: 'LEFT' }) });
    server.handlers.LeaveRoom = () => ({ leaveRoom: false });
    await useChatStore().open(ROOM);
    await useChatStore().leave(ROOM);
    expect(useRoomsStore().byId[ROOM]).toBeUndefined();
  });

  it('keeps the room when leaveRoom is refused, and throws the refusal', async () => {
    serveRoom(server, [msg(1)]);
    server.handlers.LeaveRoom = () => {
      throw new GqlError('UNAVAILABLE', { retryAfterMs: 1 });
    };
    await useChatStore().open(ROOM);
    await expect(useChatStore().leave(ROOM)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(useRoomsStore().byId[ROOM]).toMatchObject({ closed: false });
  });

  it('drops every room shared with a user it blocks, and no other', async () => {
    server.handlers.BlockUser = () => ({ blockUser: true });
    const rooms = useRoomsStore();
    rooms.upsert(room({ id: 'r1' }));
    rooms.upsert(room({ id: 'r2', closed: true }));
    rooms.upsert(room({ id: 'r3', peer: { ...room().peer, id: 'someone else' } }));
    await useChatStore().block('peer');
    expect(Object.keys(rooms.byId)).toEqual(['r3']);
  });

  it('drops a room left on another device: on its PEER_LEFT naming me, and when the API refuses it', async () => {
    serveRoom(server, []);
    await useChatStore().open(ROOM);
    server.emit('RoomEvents', {
      roomEvents: { type: 'PEER_LEFT', roomId: ROOM, userId: 'me', reason: 'NEXT', message: null, seq: null },
    });
    expect(useRoomsStore().byId[ROOM]).toBeUndefined();

    useRoomsStore().upsert(room({ id: 'r9' }));
    server.handlers.Room = () => {
      throw new GqlError('FORBIDDEN');
    };
    await expect(useChatStore().open('r9')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(useRoomsStore().byId.r9).toBeUndefined();
  });

  it("drops on refresh the rooms the API's first page no longer lists, keeping older ones beyond it", async () => {
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
    const rooms = useRoomsStore();
    for (const [id, minutesAgo] of [
      ['new', 1],
      ['left', 2],
      ['listed', 3],
      ['older', 9],
    ] as const)
      rooms.upsert(room({ id, lastActivityAt: at(minutesAgo) }));
    server.handlers.Rooms = () => ({
      rooms: {
        edges: [
          { node: room({ id: 'new', lastActivityAt: at(1) }) },
          { node: room({ id: 'listed', lastActivityAt: at(3) }) },
        ],
        pageInfo: { hasNextPage: true, endCursor: 'c2' },
      },
    });
    await rooms.refresh();
    expect(rooms.list.map((r) => r.id)).toEqual(['new', 'listed', 'older']);

    // The only page is complete: whatever it does not list is gone.
    server.handlers.Rooms = () => ({
      rooms: { edges: [{ node: room({ id: 'new', lastActivityAt: at(1) }) }], pageInfo: { hasNextPage: false } },
    });
    await rooms.refresh();
    expect(rooms.list.map((r) => r.id)).toEqual(['new']);
  });
});

describe('reporting', () => {
  it("reports the room's peer with the room, whose conversation is the evidence", async () => {
    server.handlers.ReportUser = () => ({ reportUser: true });
    await useChatStore().report(ROOM, 'peer', 'rude');
    expect(server.calls.filter((c) => c.operation === 'ReportUser').map((c) => c.variables)).toEqual([
      { userId: 'peer', reason: 'rude', roomId: ROOM },
    ]);
  });
});
