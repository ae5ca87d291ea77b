import type { Em } from '../../infra/db/orm';
import { NotFoundError } from '../../infra/graphql/errors';
import { toUserObject } from '../users/user.types';
import { RoomMember } from './room-member.entity';
import { RoomObject } from './room.types';

/**
 * Loads a room as `viewerId` sees it, from the primary (the caller may have just created it).
 * Rooms the viewer is not a member of are NOT_FOUND, exactly like rooms that do not exist.
 */
export async function loadRoomView(em: Em, roomId: string, viewerId: string): Promise<RoomObject> {
  const members = await em.find(RoomMember, { room: roomId }, { populate: ['room', 'user'], connectionType: 'write' });
  const mine = members.find((m) => m.user.id === viewerId);
  const peer = members.find((m) => m.user.id !== viewerId);
  if (!mine || !peer) throw new NotFoundError(`No room ${roomId}`);
  const room = mine.room.getEntity();
  return Object.assign(new RoomObject(), {
    id: room.id,
    peer: toUserObject(peer.user.getEntity(), viewerId),
    unreadCount: Math.max(0, room.lastSeq - mine.lastReadSeq),
    lastReadSeq: mine.lastReadSeq,
    peerLastReadSeq: peer.lastReadSeq,
    closed: room.closedAt !== undefined && room.closedAt !== null,
    createdAt: room.createdAt,
    lastActivityAt: room.lastActivityAt,
  });
}
