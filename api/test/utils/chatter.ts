import { randomBytes } from 'node:crypto';
import { gql, type GraphqlResponse } from './graphql';

export const MESSAGE_FIELDS = 'id roomId seq sender { id nickname } body clientMessageId createdAt';
export const ROOM_FIELDS = `id peer { id nickname } lastMessage { ${MESSAGE_FIELDS} } unreadCount lastReadSeq peerLastReadSeq closed createdAt lastActivityAt`;
export const ROOM_EVENTS = `subscription($roomId: ID!) { roomEvents(roomId: $roomId) { type roomId userId seq message { ${MESSAGE_FIELDS} } } }`;

export interface ChatMessage {
  id: string;
  roomId: string;
  seq: number;
  sender: { id: string; nickname: string };
  body: string;
  clientMessageId: string;
  createdAt: string;
}

export interface ChatRoom {
  id: string;
  peer: { id: string; nickname: string };
  lastMessage: ChatMessage | null;
  unreadCount: number;
  lastReadSeq: number;
  peerLastReadSeq: number;
  closed: boolean;
  createdAt: string;
  lastActivityAt: string;
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
}

/** A fresh idempotency key, as a client would generate per message. */
export const newClientMessageId = (): string => `c-${randomBytes(8).toString('hex')}`;

/**
 * One user's chat operations over HTTP (every call returns the raw response, errors included).
 * `graphqlUrl` may be changed per call to talk to another instance.
 */
export class Chatter {
  constructor(
    readonly user: { id: string; accessToken: string; refreshToken?: string },
    readonly graphqlUrl: string,
  ) {}

  get id(): string {
    return this.user.id;
  }

  call<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    graphqlUrl = this.graphqlUrl,
  ): Promise<GraphqlResponse<T>> {
    return gql<T>(graphqlUrl, query, variables, { token: this.user.accessToken });
  }

  send(
    roomId: string,
    body: string,
    clientMessageId = newClientMessageId(),
    graphqlUrl?: string,
  ): Promise<GraphqlResponse<{ sendMessage: ChatMessage }>> {
    const query = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { ${MESSAGE_FIELDS} } }`;
    return this.call(query, { input: { roomId, body, clientMessageId } }, graphqlUrl);
  }

  room(id: string): Promise<GraphqlResponse<{ room: ChatRoom }>> {
    return this.call(`query($id: ID!) { room(id: $id) { ${ROOM_FIELDS} } }`, { id });
  }

  rooms(first?: number, after?: string | null): Promise<GraphqlResponse<{ rooms: Connection<ChatRoom> }>> {
    const query = `query($first: Int, $after: String) {
      rooms(first: $first, after: $after) { edges { cursor node { ${ROOM_FIELDS} } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
    }`;
    return this.call(query, { first, after });
  }

  messages(
    roomId: string,
    last?: number,
    before?: string | null,
  ): Promise<GraphqlResponse<{ messages: Connection<ChatMessage> }>> {
    const query = `query($roomId: ID!, $last: Int, $before: String) {
      messages(roomId: $roomId, last: $last, before: $before) { edges { cursor node { ${MESSAGE_FIELDS} } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
    }`;
    return this.call(query, { roomId, last, before });
  }

  messagesAfter(
    roomId: string,
    afterSeq: number,
    first?: number,
    graphqlUrl?: string,
  ): Promise<GraphqlResponse<{ messagesAfter: ChatMessage[] }>> {
    const query = `query($roomId: ID!, $afterSeq: Int!, $first: Int) { messagesAfter(roomId: $roomId, afterSeq: $afterSeq, first: $first) { ${MESSAGE_FIELDS} } }`;
    return this.call(query, { roomId, afterSeq, first }, graphqlUrl);
  }

  markRead(roomId: string, seq: number): Promise<GraphqlResponse<{ markRoomRead: ChatRoom }>> {
    return this.call(
      `mutation($roomId: ID!, $seq: Int!) { markRoomRead(roomId: $roomId, seq: $seq) { ${ROOM_FIELDS} } }`,
      { roomId, seq },
    );
  }

  leave(roomId: string): Promise<GraphqlResponse<{ leaveRoom: boolean }>> {
    return this.call('mutation($roomId: ID!) { leaveRoom(roomId: $roomId) }', { roomId });
  }

  typing(roomId: string): Promise<GraphqlResponse<{ setTyping: boolean }>> {
    return this.call('mutation($roomId: ID!) { setTyping(roomId: $roomId) }', { roomId });
  }

  block(userId: string): Promise<GraphqlResponse<{ blockUser: boolean }>> {
    return this.call('mutation($userId: ID!) { blockUser(userId: $userId) }', { userId });
  }

  report(userId: string, reason: string, roomId: string): Promise<GraphqlResponse<{ reportUser: boolean }>> {
    return this.call(
      'mutation($userId: ID!, $reason: String!, $roomId: ID!) { reportUser(userId: $userId, reason: $reason, roomId: $roomId) }',
      { userId, reason, roomId },
    );
  }
}
