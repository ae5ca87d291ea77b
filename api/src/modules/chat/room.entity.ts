import { randomUUID } from 'node:crypto';
import { Collection, Entity, OneToMany, type Opt, PrimaryKey, Property } from '@mikro-orm/core';
import type { RoomClosedReason } from './room-closed-reason';
import { RoomMember } from './room-member.entity';

/** A 1:1 chat room, created when both users accepted a match offer. */
@Entity({ tableName: 'rooms' })
export class Room {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  /** The offer that created it: unique, so an offer can never produce two rooms. */
  @Property({ length: 64, unique: true })
  matchId: string;

  /** Seq of the newest message (0: none yet). */
  @Property({ type: 'integer' })
  lastSeq: number & Opt = 0;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'datetime', length: 3, index: true })
  lastActivityAt: Date & Opt = new Date();

  /**
   * Set when a member left, blocked or deleted their account: no more messages. The room is gone for
   * that member (RoomMember.leftAt), readable by the other until they leave too, and kept sealed
   * for moderators until the evidence purge.
   */
  @Property({ type: 'datetime', length: 3, nullable: true, index: true })
  closedAt?: Date;

  /** A string column rather than an enum: MikroORM 6 misreads several SQLite enum checks as drift. */
  @Property({ type: 'string', length: 16, nullable: true })
  closedReason?: RoomClosedReason;

  /** The match's distance bucket between the two (km, from grid-snapped positions; never exact). */
  @Property({ type: 'smallint', nullable: true })
  distanceKm?: number;

  @OneToMany(() => RoomMember, (m) => m.room)
  members = new Collection<RoomMember>(this);

  constructor(matchId: string, distanceKm?: number) {
    this.matchId = matchId;
    this.distanceKm = distanceKm;
  }
}
