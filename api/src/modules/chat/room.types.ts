import { Field, ID, Int, ObjectType } from 'type-graphql';
import { UserObject } from '../users/user.types';
import { MessageObject } from './message.types';
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

  @Field({ description: 'True once a member left or blocked: no new messages, history stays readable' })
  closed!: boolean;

  @Field(() => RoomClosedReason, { nullable: true, description: 'Why the room closed (null while open)' })
  closedReason?: RoomClosedReason | null;

  @Field(() => Int, {
    nullable: true,
    description: "The match's distance bucket in km (1, 2, 5, 10, 20, 50, 100), from grid-snapped positions",
  })
  distanceKm?: number | null;

  @Field({ description: 'When the match created the room' })
  createdAt!: Date;

  @Field({ description: 'Time of the newest message (or creation)' })
  lastActivityAt!: Date;
}
