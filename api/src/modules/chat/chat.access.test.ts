import { randomUUID } from 'node:crypto';
import {
  getNamedType,
  isInputObjectType,
  isNonNullType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import jwt from 'jsonwebtoken';
import { Chatter, ROOM_EVENTS } from '../../../test/utils/chatter';
import { queryDb } from '../../../test/utils/db-query';
import { codes, gql, type GraphqlResponse } from '../../../test/utils/graphql';
import type { MatchPlayer } from '../../../test/utils/match-player';
import { minimalOperation } from '../../../test/utils/minimal-operation';
import { ok } from '../../../test/utils/ok';
import { createRoomPair } from '../../../test/utils/room-pair';
import { subscribeRoom } from '../../../test/utils/room-events';
import { runOnSocket, type OperationOutcome } from '../../../test/utils/socket-operation';
import { startTestServer, type TestServer } from '../../../test/utils/test-server';
import { signUpUser } from '../../../test/utils/users';
import { openAcked, wsClient } from '../../../test/utils/ws-client';
import { createAppSchema } from '../../registry';

let api: TestServer;
let schema: GraphQLSchema;
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

/** A signed-up user who is in no room. */
const stranger = async (): Promise<Chatter> => new Chatter(await signUpUser(api.graphqlUrl), api.graphqlUrl);

/** Every HTTP operation that names a room, as `who` calls it. */
const roomOperations = (who: Chatter, roomId: string): [string, () => Promise<GraphqlResponse>][] => [
  ['sendMessage', () => who.send(roomId, 'let me in')],
  ['messages', () => who.messages(roomId)],
  ['messagesAfter', () => who.messagesAfter(roomId, 0)],
  ['room', () => who.room(roomId)],
  ['markRoomRead', () => who.markRead(roomId, 1)],
  ['leaveRoom', () => who.leave(roomId)],
  ['setTyping', () => who.typing(roomId)],
];

/** Runs one operation on a fresh acknowledged socket of `who`, then closes the socket. */
async function subscribeOnSocket(
  who: Chatter,
  query: string,
  variables?: Record<string, unknown>,
): Promise<OperationOutcome> {
  const { socket, closed } = await openAcked(api.wsUrl, who.user.accessToken);
  try {
    return await runOnSocket(socket, query, variables);
  } finally {
    socket.close();
    await closed;
  }
}

/** Every Query, Mutation and Subscription field of the schema the server is built from. */
function rootFields(): { kind: 'query' | 'mutation' | 'subscription'; field: GraphQLField<unknown, unknown> }[] {
  const roots = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ] as const;
  return roots.flatMap(([kind, root]) => Object.values(root?.getFields() ?? {}).map((field) => ({ kind, field })));
}

/** What a response tells the caller, minus the per-request id and with `id` replaced by a placeholder. */
function shapeOf(res: { status?: number; data?: unknown; errors?: GraphqlResponse['errors'] }, id: string) {
  return {
    status: res.status,
    data: res.data ?? null,
    errors: (res.errors ?? []).map((e) => ({
      message: e.message.replaceAll(id, '<id>'),
      path: e.path,
      code: e.extensions?.code,
    })),
  };
}

/** Everything stored about a room: its row, its members' rows and its messages. */
async function stored(roomId: string) {
  return {
    room: await queryDb(api.backend, 'SELECT * FROM rooms WHERE id = ?', [roomId]),
    members: await queryDb(api.backend, 'SELECT * FROM room_members WHERE room_id = ? ORDER BY user_id', [roomId]),
    messages: await queryDb(
      api.backend,
      'SELECT id, seq, sender_id, body FROM messages WHERE room_id = ? ORDER BY seq',
      [roomId],
    ),
  };
}

beforeAll(async () => {
  [api, schema] = await Promise.all([startTestServer(), createAppSchema()]);
});

afterAll(async () => {
  await Promise.all(players.map((p) => p.close()));
  await api.close();
});

describe('a user who is not a member of the room', () => {
  it('gets FORBIDDEN and no data for every room operation over HTTP and for roomEvents over WebSocket', async () => {
    const { roomId, a } = await room(1);
    ok(await a.send(roomId, 'members only'));
    const outsider = await stranger();
    for (const [name, call] of roomOperations(outsider, roomId)) {
      const res = await call();
      expect({ name, codes: codes(res), data: res.data ?? null }).toEqual({ name, codes: ['FORBIDDEN'], data: null });
    }
    const events = await subscribeOnSocket(outsider, ROOM_EVENTS, { roomId });
    expect(events.codes).toEqual(['FORBIDDEN']);
    expect(events.messages.filter((m) => m.type === 'next' && m.payload.data)).toEqual([]);
  });

  it('stores and changes nothing: no message, no read pointer, the room stays open and its members hear nothing', async () => {
    const { roomId, a, b } = await room(2);
    ok(await a.send(roomId, 'one'));
    ok(await a.send(roomId, 'two'));
    const client = wsClient(api.wsUrl, b.user.accessToken);
    const events = subscribeRoom(client, roomId);
    try {
      await events.untilLive(() => a.typing(roomId));
      const heardBefore = events.events.length;
      const [storedBefore, viewBefore] = [await stored(roomId), ok(await b.room(roomId)).room];
      const outsider = await stranger();
      for (const [, call] of roomOperations(outsider, roomId)) await call();
      expect((await subscribeOnSocket(outsider, ROOM_EVENTS, { roomId })).codes).toEqual(['FORBIDDEN']);

      expect(await stored(roomId)).toEqual(storedBefore);
      expect(ok(await b.room(roomId)).room).toEqual(viewBefore);
      expect(await queryDb(api.backend, 'SELECT id FROM messages WHERE sender_id = ?', [outsider.id])).toEqual([]);
      // A later message proves the stream has moved past anything the refused calls could have
      // published: nothing but that message (and a late echo of a's typing pokes) arrived since.
      const next = ok(await a.send(roomId, 'still here')).sendMessage;
      await events.next((e) => e.message?.id === next.id);
      const heard = events.events.slice(heardBefore).filter((e) => !(e.type === 'TYPING' && e.userId === a.id));
      expect(heard).toEqual([{ type: 'MESSAGE', roomId, userId: null, seq: null, message: next }]);
      expect(ok(await b.send(roomId, 'and open')).sendMessage.seq).toBe(4);
    } finally {
      events.close();
      await client.dispose();
    }
  });

  it('gets the very same FORBIDDEN for a room id that does not exist, so room ids cannot be probed', async () => {
    const { roomId } = await room(3);
    const outsider = await stranger();
    const unknownIds = [randomUUID(), 'not-a-room-id'];
    const known = roomOperations(outsider, roomId);
    for (const unknownId of unknownIds) {
      const unknown = roomOperations(outsider, unknownId);
      for (let i = 0; i < known.length; i++) {
        const [name] = known[i]!;
        const [real, missing] = [await known[i]![1](), await unknown[i]![1]()];
        expect({ name, ...shapeOf(missing, unknownId) }).toEqual({ name, ...shapeOf(real, roomId) });
        expect(codes(missing)).toEqual(['FORBIDDEN']);
      }
      const [real, missing] = [
        await subscribeOnSocket(outsider, ROOM_EVENTS, { roomId }),
        await subscribeOnSocket(outsider, ROOM_EVENTS, { roomId: unknownId }),
      ];
      expect(shapeOf(missing.messages[0]!.payload, unknownId)).toEqual(shapeOf(real.messages[0]!.payload, roomId));
      expect(missing.codes).toEqual(['FORBIDDEN']);
      expect(await queryDb(api.backend, 'SELECT id FROM rooms WHERE id = ?', [unknownId])).toEqual([]);
    }
  });

  it('gets FORBIDDEN from every room-scoped field of the schema, for a real room and an unknown one', async () => {
    const hasRoomId = (type: GraphQLInputType, seen = new Set<string>()): boolean => {
      const named = getNamedType(type);
      if (!isInputObjectType(named) || seen.has(named.name)) return false;
      seen.add(named.name);
      return Object.values(named.getFields()).some((f) => f.name === 'roomId' || hasRoomId(f.type, seen));
    };
    const roomScoped = (field: GraphQLField<unknown, unknown>) =>
      field.args.some((arg) => arg.name === 'roomId' || hasRoomId(arg.type)) ||
      (getNamedType(field.type).name === 'Room' &&
        field.args.some((arg) => arg.name === 'id' && isNonNullType(arg.type)));
    const walked = rootFields().filter(({ field }) => roomScoped(field));
    expect(walked.map((w) => w.field.name)).toEqual(
      expect.arrayContaining([
        'sendMessage',
        'messages',
        'messagesAfter',
        'room',
        'markRoomRead',
        'leaveRoom',
        'setTyping',
        'roomEvents',
        'nextMatch',
      ]),
    );

    const { roomId, a } = await room(4);
    ok(await a.send(roomId, 'hello'));
    const storedBefore = await stored(roomId);
    const outsider = await stranger();
    const { socket, closed } = await openAcked(api.wsUrl, outsider.user.accessToken);
    try {
      for (const { kind, field } of walked) {
        for (const id of [roomId, randomUUID()]) {
          const query = minimalOperation(kind, field, id, ['roomId']);
          const refused =
            kind === 'subscription' ? (await runOnSocket(socket, query)).codes : codes(await outsider.call(query));
          expect({ query, codes: refused }).toEqual({ query, codes: ['FORBIDDEN'] });
        }
      }
    } finally {
      socket.close();
      await closed;
    }
    expect(await stored(roomId)).toEqual(storedBefore);
  });
});

describe('a member who left the room', () => {
  it('gets the very answers a stranger gets, FORBIDDEN and no data, for every room operation over HTTP and for roomEvents over WebSocket; only leaveRoom answers false', async () => {
    const { roomId, a, b } = await room(12);
    ok(await a.send(roomId, 'before leaving'));
    ok(await b.send(roomId, 'still here'));
    expect(ok(await a.leave(roomId)).leaveRoom).toBe(true);
    const storedBefore = await stored(roomId);
    const outsider = await stranger();
    const [left, strangers] = [roomOperations(a, roomId), roomOperations(outsider, roomId)];
    for (let i = 0; i < left.length; i++) {
      const [name, call] = left[i]!;
      if (name === 'leaveRoom') {
        expect(ok(await call()).leaveRoom).toBe(false);
        continue;
      }
      const [mine, theirs] = [await call(), await strangers[i]![1]()];
      expect({ name, ...shapeOf(mine, roomId) }).toEqual({ name, ...shapeOf(theirs, roomId) });
      expect({ name, codes: codes(mine), data: mine.data ?? null }).toEqual({ name, codes: ['FORBIDDEN'], data: null });
    }
    const [mine, theirs] = [
      await subscribeOnSocket(a, ROOM_EVENTS, { roomId }),
      await subscribeOnSocket(outsider, ROOM_EVENTS, { roomId }),
    ];
    expect(mine.codes).toEqual(['FORBIDDEN']);
    expect(shapeOf(mine.messages[0]!.payload, roomId)).toEqual(shapeOf(theirs.messages[0]!.payload, roomId));
    expect(ok(await a.rooms()).rooms.edges).toEqual([]);

    // Refused, not erased: everything stays stored (sealed), and the peer still reads it.
    expect(await stored(roomId)).toEqual(storedBefore);
    expect(ok(await b.messages(roomId)).messages.edges.map((e) => e.node.body)).toEqual([
      'before leaving',
      'still here',
    ]);
  });
});

describe('bad input from a member', () => {
  const expectCodes = async (cases: [string, Promise<GraphqlResponse>][], code: string) => {
    for (const [name, pending] of cases) {
      const res = await pending;
      expect({ name, codes: codes(res) }).toEqual({ name, codes: [code] });
    }
  };

  it('refuses history page sizes outside 1..100, a foreign cursor and catch-up outside its bounds with BAD_USER_INPUT', async () => {
    const { roomId, a } = await room(5);
    ok(await a.send(roomId, 'hello'));
    await expectCodes(
      [
        ['messages(last: 0)', a.messages(roomId, 0)],
        ['messages(last: 101)', a.messages(roomId, 101)],
        ['messages(last: -1)', a.messages(roomId, -1)],
        ["messages(before: 'garbage')", a.messages(roomId, 10, 'garbage')],
        ["messages(before: '0')", a.messages(roomId, 10, '0')],
        ['messagesAfter(afterSeq: -1)', a.messagesAfter(roomId, -1)],
        ['messagesAfter(first: 0)', a.messagesAfter(roomId, 0, 0)],
        ['messagesAfter(first: 501)', a.messagesAfter(roomId, 0, 501)],
      ],
      'BAD_USER_INPUT',
    );
    // The bounds themselves are accepted.
    expect(ok(await a.messages(roomId, 100)).messages.edges).toHaveLength(1);
    expect(ok(await a.messagesAfter(roomId, 0, 500)).messagesAfter).toHaveLength(1);
  });

  it('refuses rooms page sizes outside 1..100 and a cursor rooms never returned with BAD_USER_INPUT', async () => {
    const { a } = await room(6);
    await expectCodes(
      [
        ['rooms(first: 0)', a.rooms(0)],
        ['rooms(first: 101)', a.rooms(101)],
        ['rooms(first: -1)', a.rooms(-1)],
        ["rooms(after: 'garbage')", a.rooms(10, 'garbage')],
      ],
      'BAD_USER_INPUT',
    );
    expect(ok(await a.rooms(100)).rooms.edges).toHaveLength(1);
  });

  it('refuses a negative read pointer with BAD_USER_INPUT and keeps the pointer', async () => {
    const { roomId, a, b } = await room(7);
    ok(await a.send(roomId, 'one'));
    ok(await b.markRead(roomId, 1));
    expect(codes(await b.markRead(roomId, -1))).toEqual(['BAD_USER_INPUT']);
    expect(ok(await b.room(roomId)).room).toMatchObject({ lastReadSeq: 1, unreadCount: 0 });
  });

  it('refuses a report whose reason is empty, blank or over 1000 characters with BAD_USER_INPUT and stores none', async () => {
    const { roomId, a, b } = await room(8);
    await expectCodes(
      [
        ['empty', a.report(b.id, '', roomId)],
        ['blank', a.report(b.id, ' \n\t ', roomId)],
        ['1001 characters', a.report(b.id, 'r'.repeat(1001), roomId)],
      ],
      'BAD_USER_INPUT',
    );
    expect(await queryDb(api.backend, 'SELECT id FROM reports WHERE reporter_id = ?', [a.id])).toEqual([]);
  });

  it('refuses to block or report yourself with BAD_USER_INPUT', async () => {
    const { roomId, a } = await room(9);
    await expectCodes(
      [
        ['blockUser(self)', a.block(a.id)],
        ['reportUser(self)', a.report(a.id, 'it was me', roomId)],
      ],
      'BAD_USER_INPUT',
    );
    expect(ok(await a.room(roomId)).room.closed).toBe(false);
    expect(await queryDb(api.backend, 'SELECT * FROM blocks WHERE blocker_id = ?', [a.id])).toEqual([]);
    expect(await queryDb(api.backend, 'SELECT id FROM reports WHERE reporter_id = ?', [a.id])).toEqual([]);
  });

  it('answers blockUser and reportUser of an unknown user with NOT_FOUND', async () => {
    const { roomId, a } = await room(10);
    const nobody = randomUUID();
    await expectCodes(
      [
        ['blockUser(unknown)', a.block(nobody)],
        ['reportUser(unknown)', a.report(nobody, 'ghost', roomId)],
        ['blockUser(not an id)', a.block('not-a-user-id')],
      ],
      'NOT_FOUND',
    );
  });
});

describe('a caller without a valid access token', () => {
  it('gets UNAUTHENTICATED and no data from every chat query and mutation, with no, a garbage or an expired token', async () => {
    const { roomId, a, b } = await room(11);
    ok(await a.send(roomId, 'hello'));
    const storedBefore = await stored(roomId);
    const { sub, sid } = jwt.decode(a.user.accessToken) as { sub: string; sid: string };
    const expired = jwt.sign(
      {
        sub,
        sid,
        typ: 'access',
        iss: 'randchat',
        aud: 'randchat-api',
        iat: Math.floor(Date.now() / 1000) - 960,
        exp: Math.floor(Date.now() / 1000) - 60,
      },
      api.backend.env.JWT_SECRET!,
    );
    const chatFields = [
      'rooms',
      'room',
      'messages',
      'messagesAfter',
      'sendMessage',
      'markRoomRead',
      'leaveRoom',
      'setTyping',
      'blockUser',
      'reportUser',
    ];
    const operations = rootFields()
      .filter(({ kind, field }) => kind !== 'subscription' && chatFields.includes(field.name))
      .map(({ kind, field }) =>
        minimalOperation(kind, field, field.name === 'blockUser' || field.name === 'reportUser' ? b.id : roomId),
      );
    expect(operations).toHaveLength(chatFields.length);
    for (const token of [undefined, 'garbage', expired]) {
      for (const query of operations) {
        const res = await gql(api.graphqlUrl, query, undefined, { token });
        expect({ token, query, codes: codes(res), data: res.data ?? null }).toEqual({
          token,
          query,
          codes: ['UNAUTHENTICATED'],
          data: null,
        });
      }
    }
    expect(await stored(roomId)).toEqual(storedBefore);
    expect(await queryDb(api.backend, 'SELECT * FROM blocks WHERE blocked_id = ?', [b.id])).toEqual([]);
    expect(await queryDb(api.backend, 'SELECT id FROM reports WHERE reported_id = ?', [b.id])).toEqual([]);
  });
});
