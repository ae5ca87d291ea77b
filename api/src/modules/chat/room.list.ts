import type { Em } from '../../infra/db/orm';
import { BadUserInputError } from '../../infra/graphql/errors';
import { Message } from './message.entity';
import { RoomMember } from './room-member.entity';
import { toRoomObject } from './room.view';
import type { RoomConnection } from './chat.types';

const encodeCursor = (at: Date, id: string) => Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');

function decodeCursor(cursor: string): { at: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const at = new Date(iso ?? '');
  if (!id || Number.isNaN(at.getTime())) throw new BadUserInputError('after is not a cursor returned by rooms', 'after');
  return { at, id };
}

/**
 * The caller's rooms, newest activity first, in three SQL statements whatever the page size:
 * their memberships joined with the rooms, the peers joined with their users, and the last
 * messages joined with their senders. Unread counts come from the read pointers, never a scan.
 *
 * The first page comes from the primary: it is what a client shows right after being matched,
 * sending or marking a room read, so it must hold the caller's own new room, last message and
 * read pointer even while the replicas lag. Later pages (older rooms) come from the replicas.
 */
export async function listRooms(em: Em, viewerId: string, first: number, after: string | null | undefined): Promise<RoomConnection> {
  const cursor = after ? decodeCursor(after) : null;
  const connectionType = cursor ? undefined : 'write';
  const mine = await em.find(
    RoomMember,
    {
      user: viewerId,
      ...(cursor
        ? { room: { $or: [{ lastActivityAt: { $lt: cursor.at } }, { lastActivityAt: cursor.at, id: { $lt: cursor.id } }] } }
        : {}),
    },
    { populate: ['room'], strategy: 'joined', orderBy: { room: { lastActivityAt: 'desc', id: 'desc' } }, limit: first + 1, connectionType },
  );
  const page = mine.slice(0, first);
  const roomIds = page.map((m) => m.room.id);
  const peers = roomIds.length
    ? await em.find(RoomMember, { room: { $in: roomIds }, user: { $ne: viewerId } }, { populate: ['user'], strategy: 'joined', connectionType })
    : [];
  const withMessages = page.map((m) => m.room.getEntity()).filter((r) => r.lastSeq > 0);
  const lastMessages = withMessages.length
    ? await em.find(Message, { $or: withMessages.map((r) => ({ room: r.id, seq: r.lastSeq })) }, { populate: ['sender'], strategy: 'joined', connectionType })
    : [];
  const peerOf = new Map(peers.map((p) => [p.room.id, p]));
  const lastOf = new Map(lastMessages.map((m) => [m.room.id, m]));

  const edges = page.map((member) => {
    const room = member.room.getEntity();
    return {
      cursor: encodeCursor(room.lastActivityAt, room.id),
      node: toRoomObject(room, member, peerOf.get(room.id)!, lastOf.get(room.id) ?? null, viewerId),
    };
  });
  return {
    edges,
    pageInfo: {
      hasNextPage: mine.length > first,
      hasPreviousPage: cursor !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
