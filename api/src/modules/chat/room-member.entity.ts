import { Entity, ManyToOne, type Opt, PrimaryKeyProp, Property, type Ref } from '@mikro-orm/core';
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

  /** Highest seq this member has read. */
  @Property({ type: 'integer' })
  lastReadSeq: number & Opt = 0;

  @Property({ type: 'datetime', length: 3 })
  joinedAt: Date & Opt = new Date();

  constructor(room: Ref<Room>, user: Ref<User>) {
    this.room = room;
    this.user = user;
  }
}
