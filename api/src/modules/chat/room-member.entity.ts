import { Entity, ManyToOne, type Opt, PrimaryKeyProp, Property, ref, type Ref } from '@mikro-orm/core';
import { User } from '../users/user.entity';
import { Room } from './room.entity';

/** One of the two users of a room, with their read pointer. */
@Entity({ tableName: 'room_members' })
export class RoomMember {
  [PrimaryKeyProp]?: ['room', 'user'];

  @ManyToOne(() => Room, { primary: true, ref: true, deleteRule: 'cascade' })
  room: Ref<Room>;

  @ManyToOne(() => User, { primary: true, ref: true, index: true, deleteRule: 'cascade' })
  user: Ref<User>;

  /**
   * Highest seq this member has read. Sending a message also moves it to that message's seq, so
   * everything after it is from the peer: unreadCount = room.lastSeq - lastReadSeq, no scan.
   */
  @Property({ type: 'integer' })
  lastReadSeq: number & Opt = 0;

  @Property({ type: 'datetime', length: 3 })
  joinedAt: Date & Opt = new Date();

  /**
   * Set when this member left the room (leaveRoom, nextMatch, a block, account deletion): the room
   * is gone for them (every room-scoped operation refuses them as a stranger) but stays stored.
   */
  @Property({ type: 'datetime', length: 3, nullable: true })
  leftAt?: Date;

  constructor(room: Ref<Room>, userId: string) {
    this.room = room;
    this.user = ref(User, userId);
  }
}
