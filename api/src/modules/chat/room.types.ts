import { Field, ID, Int, ObjectType } from 'type-graphql';
import { toUserObject, UserObject } from '../users';
import { toMessagePayload } from './chat.events';
import type { Message } from './message.entity';
import { MessageObject, toMessageObject } from './message.types';
import type { RoomMember } from './room-member.entity';
import type { Room } from './room.entity';
import { RoomClosedReason } from './room-closed-reason';

@ObjectType('Room', { description: 'A 1:1 chat room, as one of its two members sees it' })
export class RoomObject {
  @Field(() => ID, { description: 'Stable, opaque room id' })
  id!: string;

  @Field(() => UserObject, { description: 'The other member' })
  peer!: UserObject;

  @Field(() => MessageObject, { nullable: true, description: 'The newest message, if any' })
  lastMessage?: MessageObject | null;

  @Field(() => Int, { description: 'Messages newer than your read pointer' })
  unreadCount!: number;

  @Field(() => Int, { description: 'Highest seq you have read' })
  lastReadSeq!: number;

  @Field(() => Int, { description: 'Highest seq the other member has read (for "seen" marks)' })
  peerLastReadSeq!: number;

  @Field({
    description:
      'True once a member left, blocked or deleted their account: no new messages. The room is gone for that member; you still read it until you leave it too',
  })
  closed!: boolean;

  @Field(() => RoomClosedReason, { nullable: true, description: 'Why the room closed (null while open)' })
  closedReason?: RoomClosedReason | null;

  @Field(() => Int, {
    nullable: true,
    description:
      "The match's distance bucket in km (1, 2, 5, 10, 20, 50, 100, from grid-snapped positions), never more than either user's radius",
  })
  distanceKm?: number | null;

  @Field({ description: 'When the match created the room' })
  createdAt!: Date;

  @Field({ description: 'Time of the newest message (or creation)' })
  lastActivityAt!: Date;
}

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
