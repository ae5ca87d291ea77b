import { ForbiddenError } from '../../infra/graphql/errors';
import type { Em } from '../../infra/db/orm';
import { toUserObject, type UserObject } from '../users/user.types';
import { toMessagePayload } from './chat.service';
import { Message } from './message.entity';
import type { MessageObject } from './message.types';
import { toMessageObject } from './message.view';
import { RoomMember } from './room-member.entity';
import type { Room } from './room.entity';
import { RoomObject } from './room.types';

/** What the Room type reads of a room: an entity, or a row read without hydration. */
export type RoomFields = Pick<
  Room,
  'id' | 'lastSeq' | 'createdAt' | 'lastActivityAt' | 'closedAt' | 'closedReason' | 'distanceKm'
>;

/** Builds the Room type from its parts as `viewerId` sees them (no queries). */
export function roomObject(
  room: RoomFields,
  lastReadSeq: number,
  peerLastReadSeq: number,
  peer: UserObject,
  lastMessage: MessageObject | null,
): RoomObject {
  return Object.assign(new RoomObject(), {
    id: room.id,
    peer,
    lastMessage,
    unreadCount: Math.max(0, room.lastSeq - lastReadSeq),
    lastReadSeq,
    peerLastReadSeq,
    closed: Boolean(room.closedAt),
    closedReason: room.closedReason ?? null,
    distanceKm: room.distanceKm ?? null,
    createdAt: room.createdAt,
    lastActivityAt: room.lastActivityAt,
  });
}

/** Builds the Room type from already-loaded entities (no queries). */
export function toRoomObject(
  room: Room,
  mine: RoomMember,
  peer: RoomMember,
  lastMessage: Message | null,
  viewerId: string,
): RoomObject {
  return roomObject(
    room,
    mine.lastReadSeq,
    peer.lastReadSeq,
    toUserObject(peer.user.getEntity(), viewerId),
    lastMessage ? toMessageObject(toMessagePayload(lastMessage), lastMessage.sender.getEntity(), viewerId) : null,
  );
}

/**
 * Loads a room as `viewerId` sees it, from the primary (the caller may have just changed it).
 * Rooms the viewer is not a member of are refused exactly like rooms that do not exist.
 */
export async function loadRoomView(em: Em, roomId: string, viewerId: string): Promise<RoomObject> {
  const members = await em.find(RoomMember, { room: roomId }, { populate: ['room', 'user'], connectionType: 'write' });
  const mine = members.find((m) => m.user.id === viewerId);
  const peer = members.find((m) => m.user.id !== viewerId);
  if (!mine || !peer) throw new ForbiddenError(`You are not a member of room ${roomId}`);
  const room = mine.room.getEntity();
  const lastMessage = room.lastSeq
    ? await em.findOne(Message, { room: roomId, seq: room.lastSeq }, { populate: ['sender'], connectionType: 'write' })
    : null;
  return toRoomObject(room, mine, peer, lastMessage, viewerId);
}
